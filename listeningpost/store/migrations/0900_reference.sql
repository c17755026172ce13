-- Context beside claims (issue 16): reference loss series imported into the case with
-- `lpost reference import` (newer General Staff figures than the shipped files). One row per
-- (import, category, date); the shipped series themselves are read from the data folder, not copied.

CREATE TABLE reference_imports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('personnel', 'equipment')),
    source TEXT NOT NULL,                 -- shown beside every figure taken from this import
    file_name TEXT NOT NULL,              -- display only
    sha256 TEXT NOT NULL UNIQUE,          -- the same file imported twice adds nothing
    row_count INTEGER NOT NULL,
    first_date TEXT NOT NULL,
    last_date TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE reference_series (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES reference_imports(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    date TEXT NOT NULL,                   -- YYYY-MM-DD, the reported day
    category TEXT NOT NULL,               -- personnel, tank, APC, field artillery, ...
    cumulative INTEGER NOT NULL,
    daily INTEGER,                        -- difference from the previous date of the same import (NULL on its first)
    imported_at TEXT NOT NULL,
    UNIQUE (import_id, category, date)
);
CREATE INDEX reference_series_kind ON reference_series(kind, category, date);
