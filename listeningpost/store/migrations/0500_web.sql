-- Web workbench: accounts, sessions, login throttling and the audit log (who viewed, edited,
-- exported what).

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,          -- argon2id
    role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'viewer')),
    created_at TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);

-- Server-side sessions: the cookie carries only a signed random id, so logout and user removal
-- revoke it at once.
CREATE TABLE web_sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    remote TEXT,
    ok INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts(username, at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    username TEXT NOT NULL,               -- user name, or a tool name such as 'cli'
    action TEXT NOT NULL,                 -- view, edit, export, login, logout, user.add, ...
    target TEXT,                          -- call:12, export:/path, user:alice ...
    detail_json TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
