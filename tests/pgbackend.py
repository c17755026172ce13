"""Run the case-based tests against PostgreSQL: ``LPOST_TEST_DB=postgresql pytest tests/...``.

With that variable set, one throwaway PostgreSQL server (unix socket, temp dir) starts for the
session and every case folder a test opens through ``Case.open`` gets a fresh schema of its own, so
tests written for SQLite run unchanged on the PostgreSQL backend. The first case a test opens shares
its schema with ``lpost`` subprocesses the test starts (``LPOST_DB``). Without the variable nothing
changes. Loaded from tests/conftest.py (``pytest_plugins``).
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

BACKEND = os.environ.get("LPOST_TEST_DB", "sqlite").lower()
_names = itertools.count()


@pytest.fixture(scope="session")
def pg_backend():
    if BACKEND != "postgresql":
        yield None
        return
    from listeningpost.scale.pgserver import TempPostgres, find_bindir

    if find_bindir() is None:
        pytest.exit("LPOST_TEST_DB=postgresql but the PostgreSQL server binaries are missing", returncode=3)
    with TempPostgres() as server:
        server.create_database("cases")
        yield server


@pytest.fixture(autouse=True)
def _cases_on_postgres(request, monkeypatch):
    if BACKEND != "postgresql":
        yield
        return
    server = request.getfixturevalue("pg_backend")
    from listeningpost.store.case import Case, default_case_dir

    original = Case.open.__func__
    first = server.create_schema("cases", f"case_{os.getpid()}_{next(_names)}")
    monkeypatch.setenv("LPOST_DB", first)
    urls: dict[str, str] = {}

    def open_on_postgres(cls, root=None, create=True, db=None):
        if db is None:
            key = str(Path(root if root is not None else default_case_dir()).resolve())
            if key not in urls:
                urls[key] = first if not urls else server.create_schema("cases", f"case_{os.getpid()}_{next(_names)}")
            db = urls[key]
        return original(cls, root, create, db)

    monkeypatch.setattr(Case, "open", classmethod(open_on_postgres))
    yield
