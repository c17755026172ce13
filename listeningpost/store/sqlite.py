"""The case's own database, ``case.sqlite``: its connection settings and its migration runner.

WAL mode (readers never wait for the writer), foreign keys on, a long busy timeout (one writer at a
time; the others wait rather than fail). The numbered ``migrations/*.sql`` files run as written; each
applied one is recorded in ``schema_migrations`` and counted in ``PRAGMA user_version``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from listeningpost.store.schema import migration_files, split_sql
from listeningpost.store.sql import SqliteConnection

if TYPE_CHECKING:
    from listeningpost.store.case import Case


def connect(path: Path) -> SqliteConnection:
    conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False, factory=SqliteConnection)
    conn.row_factory = sqlite3.Row
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "busy_timeout=60000"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def migrate(case: "Case", stamp: str) -> list[str]:
    """Apply the migrations not yet recorded; returns the names applied."""
    db = case.db
    db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {r[0] for r in db.execute("SELECT name FROM schema_migrations")}
    applied = []
    for name, sql in migration_files():
        if name in done:
            continue
        with case.transaction():
            for statement in split_sql(sql):
                db.execute(statement)
            db.execute("INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)", (name, stamp))
        applied.append(name)
    if applied:
        db.execute(f"PRAGMA user_version={len(done) + len(applied)}")
    return applied
