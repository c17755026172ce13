"""Accounts, sessions, CSRF and login throttling for the web workbench.

Roles: admin (users and settings) > analyst (ingest, run, edit) > viewer (read only).
Passwords are argon2id hashes. Sessions are server-side rows; the cookie holds only a random id
signed with the case's secret key, so logout or removing a user revokes it at once. Every session
has its own CSRF token, sent back in a hidden form field or the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, insert, literal, select, update

from listeningpost.store.case import Case, now
from listeningpost.store.tables import login_attempts, users, web_sessions

ROLES = ("viewer", "analyst", "admin")
SESSION_HOURS = 12
#: failed logins allowed per user name (and per client address) inside the window
MAX_FAILED = 5
FAIL_WINDOW_MIN = 15
MIN_PASSWORD = 8

_hasher = PasswordHasher()
# verifying against this keeps the time of "no such user" close to "wrong password"
_DUMMY_HASH = _hasher.hash("not a real password")


class AuthError(Exception):
    """Bad user input for account operations (unknown user, weak password, ...)."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str

    def can(self, role: str) -> bool:
        """Whether this user has at least ``role``."""
        return ROLES.index(self.role) >= ROLES.index(role)


# -- users ---------------------------------------------------------------------------------
def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"password must have at least {MIN_PASSWORD} characters")


def add_user(case: Case, username: str, password: str, role: str = "viewer") -> User:
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AuthError("user name must be 1-64 characters without spaces")
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}")
    _check_password(password)
    if case.one(select(literal(1)).where(users.c.username == username)):
        raise AuthError(f"user {username!r} exists")
    cur = case.db.execute(insert(users).values(username=username, password_hash=_hasher.hash(password), role=role,
                                               created_at=now()))
    return User(cur.lastrowid, username, role)


def remove_user(case: Case, username: str) -> None:
    if case.db.execute(delete(users).where(users.c.username == username)).rowcount == 0:
        raise AuthError(f"no user {username!r}")


def set_password(case: Case, username: str, password: str) -> None:
    _check_password(password)
    with case.transaction():
        row = case.one(select(users.c.id).where(users.c.username == username))
        if row is None:
            raise AuthError(f"no user {username!r}")
        _set_hash(case, row["id"], password)
        case.db.execute(delete(web_sessions).where(web_sessions.c.user_id == row["id"]))  # log out everywhere


def _set_hash(case: Case, user_id: int, password: str) -> None:
    case.db.execute(update(users).where(users.c.id == user_id).values(password_hash=_hasher.hash(password)))


def set_role(case: Case, username: str, role: str) -> None:
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}")
    if case.db.execute(update(users).where(users.c.username == username).values(role=role)).rowcount == 0:
        raise AuthError(f"no user {username!r}")


def list_users(case: Case) -> list[dict[str, Any]]:
    columns = (users.c.id, users.c.username, users.c.role, users.c.created_at, users.c.disabled)
    return [dict(r) for r in case.query(select(*columns).order_by(users.c.username))]


def has_admin(case: Case) -> bool:
    return case.one(select(literal(1)).where((users.c.role == "admin") & (users.c.disabled == 0))) is not None


def has_users(case: Case) -> bool:
    return case.one(select(literal(1)).select_from(users).limit(1)) is not None


# -- login ---------------------------------------------------------------------------------
def _window_start() -> str:
    return (datetime.now(timezone.utc) - timedelta(minutes=FAIL_WINDOW_MIN)).isoformat(timespec="seconds")


def throttled(case: Case, username: str, remote: str | None) -> bool:
    """Too many failed logins lately for this name or from this address."""
    failed = select(func.count()).where((login_attempts.c.ok == 0) & (login_attempts.c.at >= _window_start()))
    by_user = case.one(failed.where(login_attempts.c.username == username))[0]
    by_addr = case.one(failed.where(login_attempts.c.remote == remote))[0] if remote else 0
    return by_user >= MAX_FAILED or by_addr >= MAX_FAILED * 4


def authenticate(case: Case, username: str, password: str, remote: str | None = None) -> User | None:
    """Check a password and record the attempt; None when wrong (callers check `throttled` first)."""
    row = case.one(select(users).where((users.c.username == username) & (users.c.disabled == 0)))
    try:
        ok = _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password) and row is not None
    except (VerificationError, InvalidHashError):
        ok = False
    case.db.execute(insert(login_attempts).values(username=username[:64], remote=remote, ok=int(ok), at=now()))
    if not ok:
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        _set_hash(case, row["id"], password)
    return User(row["id"], row["username"], row["role"])


# -- sessions ------------------------------------------------------------------------------
def secret_key(case: Case) -> str:
    """Per-case signing key, made on first use and kept in the case settings."""
    key = case.setting("web.secret_key")
    if not key:
        key = secrets.token_urlsafe(32)
        case.set_setting("web.secret_key", key)
    return key


class Sessions:
    """Server-side sessions with signed cookie values."""

    def __init__(self, case: Case):
        self.case = case
        self.signer = URLSafeSerializer(secret_key(case), salt="listeningpost.session")

    def create(self, user: User) -> tuple[str, str]:
        """Returns (cookie value, csrf token)."""
        sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = (datetime.now(timezone.utc) + timedelta(hours=SESSION_HOURS)).isoformat(timespec="seconds")
        with self.case.transaction():
            self.case.db.execute(delete(web_sessions).where(web_sessions.c.expires_at < now()))
            self.case.db.execute(insert(web_sessions).values(id=sid, user_id=user.id, csrf=csrf, created_at=now(),
                                                             expires_at=expires))
        return self.signer.dumps(sid), csrf

    def lookup(self, cookie: str | None) -> tuple[User, str, str] | None:
        """(user, csrf token, session id) for a valid cookie, else None."""
        if not cookie:
            return None
        try:
            sid = self.signer.loads(cookie)
        except BadSignature:
            return None
        row = self.case.one(
            select(web_sessions.c.id.label("sid"), web_sessions.c.csrf, web_sessions.c.expires_at,
                   users.c.id, users.c.username, users.c.role)
            .join_from(web_sessions, users, users.c.id == web_sessions.c.user_id)
            .where((web_sessions.c.id == sid) & (users.c.disabled == 0)))
        if row is None or row["expires_at"] < now():
            return None
        return User(row["id"], row["username"], row["role"]), row["csrf"], row["sid"]

    def delete(self, sid: str) -> None:
        self.case.db.execute(delete(web_sessions).where(web_sessions.c.id == sid))

    # anonymous forms (the login page) use a signed double-submit token instead
    def pre_token(self) -> tuple[str, str]:
        token = secrets.token_urlsafe(24)
        return token, self.signer.dumps(token, salt="listeningpost.pre")

    def check_pre(self, cookie: str | None, token: str | None) -> bool:
        if not cookie or not token:
            return False
        try:
            expected = self.signer.loads(cookie, salt="listeningpost.pre")
        except BadSignature:
            return False
        return hmac.compare_digest(str(expected), token)


def tokens_match(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, given)
