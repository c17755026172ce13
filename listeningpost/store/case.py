"""A case: one folder with ``case.sqlite`` and a content-addressed ``archive/``.

The case is the only thing stages write to. It is opened once per process; SQLite runs in WAL mode
with foreign keys on, and the schema is brought up to date by numbered migrations.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import select

from listeningpost.store.backends import Backend, backend_for
from listeningpost.store import sqlite
from listeningpost.store.sql import upsert
from listeningpost.store.tables import calls, settings, sources

DB_NAME = "case.sqlite"
ARCHIVE_DIR = "archive"


class CaseError(Exception):
    """A case cannot be opened or is inconsistent."""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def default_case_dir() -> Path:
    return Path(os.environ.get("LPOST_CASE", "case"))


def _backend(url: str) -> Backend:
    backend = backend_for(url)
    if backend is None:
        raise CaseError(f"--db/LPOST_DB must be a postgresql:// URL, got {url.split('://')[0]!r}")
    return backend


class Case:
    """Handle on a case folder. Use ``Case.open(path)``; the connection is per thread."""

    def __init__(self, root: Path, db_url: str | None = None):
        self.root = Path(root).resolve()
        self.db_path = self.root / DB_NAME
        self.archive = self.root / ARCHIVE_DIR
        # a database backend (store.backends; PostgreSQL: listeningpost.scale.pg): the folder keeps the
        # archive, the database the rest
        self.db_url = db_url
        self._local = threading.local()

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, root: str | Path | None = None, create: bool = True, db: str | None = None) -> "Case":
        root = Path(root) if root is not None else default_case_dir()
        db = db or os.environ.get("LPOST_DB") or None
        if db is not None:
            backend = _backend(db)
            if not create and not backend.has_case(db):
                raise CaseError(f"no case in database {db.split('@')[-1]} (run `lpost ingest` or `lpost migrate`)")
            root.mkdir(parents=True, exist_ok=True)
        elif not (root / DB_NAME).exists():
            if not create:
                raise CaseError(f"no case at {root} (run `lpost ingest` first or pass --case)")
            root.mkdir(parents=True, exist_ok=True)
        case = cls(root, db)
        case.archive.mkdir(exist_ok=True)
        case.migrate()
        return case

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    @property
    def backend(self) -> Backend | None:
        """The database backend holding this case; None for the folder's own ``case.sqlite``."""
        return _backend(self.db_url) if self.db_url else None

    def _connect(self) -> sqlite3.Connection:
        if self.db_url:
            return _backend(self.db_url).connect(self.db_url)  # sqlite3-shaped
        return sqlite.connect(self.db_path)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def migrate(self) -> list[str]:
        """Apply migrations not yet recorded; returns the names applied."""
        if self.db_url:
            return _backend(self.db_url).migrate(self)
        return sqlite.migrate(self, now())

    # -- transactions ----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (the case's write lock held until it ends); nested use joins the outer one."""
        db = self.db
        if db.in_transaction:
            yield db
            return
        db.begin_write()
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        db.commit()

    # -- small helpers -------------------------------------------------------------------------
    def query(self, sql: Any, params: Any = ()) -> list[sqlite3.Row]:
        return self.db.execute(sql, params).fetchall()

    def one(self, sql: Any, params: Any = ()) -> sqlite3.Row | None:
        return self.db.execute(sql, params).fetchone()

    def setting(self, key: str, default: Any = None) -> Any:
        row = self.one(select(settings.c.value_json).where(settings.c.key == key))
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        self.db.execute(upsert(self.db, settings, {"key": key, "value_json": json.dumps(value, ensure_ascii=False)},
                               ["key"]))

    def archive_file(self, source_row: sqlite3.Row | dict) -> Path:
        """Absolute path of a source's archived bytes (always inside the case folder)."""
        path = (self.root / source_row["archive_path"]).resolve()
        if self.root not in path.parents:
            raise CaseError(f"archive path escapes the case: {source_row['archive_path']!r}")
        return path

    def resolve_call(self, ref: str | int) -> int:
        """Call id from a CLI reference: numeric id, or an imported transcript's external id."""
        text = str(ref).strip()
        if text.isdigit() and self.one(select(calls.c.id).where(calls.c.id == int(text))):
            return int(text)
        row = self.one(select(calls.c.id).where(calls.c.external_id == text))
        if row:
            return row[0]
        rows = self.query(select(calls.c.id).join(sources, sources.c.id == calls.c.source_id)
                          .where(sources.c.sha256.startswith(text.lower(), autoescape=True)).order_by(calls.c.id))
        if len(rows) == 1 and len(text) >= 6:
            return rows[0][0]
        raise CaseError(f"no call {text!r}")
