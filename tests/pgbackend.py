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
from pathlib import Path

import pytest

BACKEND = os.environ.get("LPOST_TEST_DB", "sqlite").lower()
_names = itertools.count()


def _schema(server) -> str:
    return server.create_schema("cases", f"case_{os.getpid()}_{next(_names)}")


@pytest.fixture(scope="session", autouse=True)
def pg_backend():
    if BACKEND != "postgresql":
        yield None
        return
    from listeningpost.scale.pgserver import TempPostgres, find_bindir
    from listeningpost.store.case import Case, default_case_dir

    if find_bindir() is None:
        pytest.exit("LPOST_TEST_DB=postgresql but the PostgreSQL server binaries are missing", returncode=3)
    with TempPostgres() as server, pytest.MonkeyPatch.context() as mp:
        server.create_database("cases")
        server.spare = []  # the schema handed to this test's subprocesses, until a case claims it
        urls: dict[str, str] = {}  # case folder -> its schema's URL
        original = Case.open.__func__

        def open_on_postgres(cls, root=None, create=True, db=None):
            if db is None:
                key = str(Path(root if root is not None else default_case_dir()).resolve())
                if key not in urls:
                    urls[key] = server.spare.pop() if server.spare else _schema(server)
                db = urls[key]
            return original(cls, root, create, db)

        mp.setattr(Case, "open", classmethod(open_on_postgres))
        yield server


@pytest.fixture(autouse=True)
def _subprocess_case_db(pg_backend, monkeypatch):
    if pg_backend is not None:
        url = _schema(pg_backend)
        pg_backend.spare[:] = [url]
        monkeypatch.setenv("LPOST_DB", url)
    yield
