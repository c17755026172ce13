"""Run the case-based tests against PostgreSQL: ``LPOST_TEST_DB=postgresql pytest tests/...``.

With that variable set, one throwaway PostgreSQL server (unix socket, temp dir) starts for the
session and every case folder opened through ``Case.open`` gets a fresh schema of its own (for the
whole session, so module-scoped case fixtures work), so tests written for SQLite run unchanged on the
PostgreSQL backend. The first new case a test opens shares its schema with the ``lpost``
subprocesses the test starts (``LPOST_DB``). Without the variable nothing changes. Loaded from
tests/conftest.py (``pytest_plugins``).
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

BACKEND = os.environ.get("LPOST_TEST_DB", "sqlite").lower()
_names = itertools.count()


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: reads case.sqlite directly (skipped with LPOST_TEST_DB=postgresql)")


def pytest_collection_modifyitems(config, items):
    if BACKEND == "postgresql":
        skip = pytest.mark.skip(reason="reads case.sqlite directly; the case is in PostgreSQL")
        for item in items:
            if item.get_closest_marker("sqlite_only"):
                item.add_marker(skip)


def _schema(server) -> str:
    return server.create_schema("cases", f"case_{os.getpid()}_{next(_names)}")


def _clone(server, url: str) -> str:
    """A new schema holding a copy of the case at ``url`` (same ids; triggers off while copying)."""
    from listeningpost.store.case import Case

    target = _schema(server)
    dst = _original_open(Case, Path(tempfile.mkdtemp(prefix="lpost-clone-")), True, target)
    src_schema = url.rsplit("search_path%3D", 1)[1]
    dst_schema = target.rsplit("search_path%3D", 1)[1]
    pg = dst.db.pg  # PostgreSQL's own SQL on the raw connection
    tables = [r[0] for r in pg.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'"
        " AND table_name <> 'schema_migrations'", (src_schema,))]
    with dst.transaction():
        for t in tables:
            pg.execute(f'ALTER TABLE "{dst_schema}"."{t}" DISABLE TRIGGER ALL')
        for t in tables:
            cols = ", ".join(f'"{r[0]}"' for r in pg.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2"
                " AND is_generated = 'NEVER' ORDER BY ordinal_position", (src_schema, t)))
            pg.execute(f'INSERT INTO "{dst_schema}"."{t}" ({cols}) SELECT {cols} FROM "{src_schema}"."{t}"')
        for t in tables:
            pg.execute(f'ALTER TABLE "{dst_schema}"."{t}" ENABLE TRIGGER ALL')
        # every identity (id keys, and the hidden rowid of tables without one) continues after the copied values
        for t, col in pg.execute("SELECT table_name, column_name FROM information_schema.columns"
                                 " WHERE table_schema = $1 AND is_identity = 'YES'", (dst_schema,)).fetchall():
            pg.execute(f"SELECT setval(pg_get_serial_sequence('\"{dst_schema}\".\"{t}\"', '{col}'),"
                       f' COALESCE((SELECT MAX("{col}") FROM "{dst_schema}"."{t}"), 0) + 1, false)')
    dst.close()
    return target


_original_open = None


@pytest.fixture(scope="session", autouse=True)
def pg_backend():
    if BACKEND != "postgresql":
        yield None
        return
    from tests.pgserver import TempPostgres, find_bindir
    from listeningpost.store.case import Case, default_case_dir

    if find_bindir() is None:
        pytest.exit("LPOST_TEST_DB=postgresql but the PostgreSQL server binaries are missing", returncode=3)
    with TempPostgres() as server, pytest.MonkeyPatch.context() as mp:
        server.create_database("cases")
        server.spare = []  # the schema handed to this test's subprocesses, until a case claims it
        urls: dict[str, str] = {}  # case folder -> its schema's URL
        global _original_open
        original = _original_open = Case.open.__func__

        def open_on_postgres(cls, root=None, create=True, db=None):
            if db is None:
                key = str(Path(root if root is not None else default_case_dir()).resolve())
                if key not in urls:
                    urls[key] = server.spare.pop() if server.spare else _schema(server)
                db = urls[key]
            return original(cls, root, create, db)

        mp.setattr(Case, "open", classmethod(open_on_postgres))

        copytree = shutil.copytree

        def copytree_with_schema(src, dst, *args, **kwargs):
            # fixtures copy a case folder to get a private case: copy its schema along
            result = copytree(src, dst, *args, **kwargs)
            key = str(Path(src).resolve())
            if key in urls:
                urls[str(Path(dst).resolve())] = _clone(server, urls[key])
            return result

        mp.setattr(shutil, "copytree", copytree_with_schema)
        yield server


@pytest.fixture(autouse=True)
def _subprocess_case_db(pg_backend, monkeypatch):
    if pg_backend is not None:
        url = _schema(pg_backend)
        pg_backend.spare[:] = [url]
        monkeypatch.setenv("LPOST_DB", url)
    yield
