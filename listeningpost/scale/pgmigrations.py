"""PostgreSQL migrations of a case: every numbered SQLite file of ``store/migrations`` has a twin of
the same name in ``listeningpost/scale/pg_migrations/``, written in PostgreSQL (identity keys, BIGINT,
DOUBLE PRECISION, BYTEA; tsvector columns instead of FTS5). Both are recorded in
``schema_migrations`` by name, so a case moves between them (``lpost migrate``) and
``tests/store/test_tables.py`` checks that both build the tables ``store/tables.py`` declares."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from listeningpost.store.case import Case

def pg_migration_twins() -> dict[str, str]:
    """The PostgreSQL version of each migration, by file name."""
    folder = resources.files("listeningpost.scale") / "pg_migrations"
    if not folder.is_dir():
        return {}
    return {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.name.endswith(".sql")}


def split_pg_sql(sql: str) -> list[str]:
    """Statements of a PostgreSQL file: ``;`` at a line end, except inside ``$$`` function bodies."""
    statements, buf, in_body = [], [], False
    for line in sql.splitlines():
        if not buf and (not line.strip() or line.strip().startswith("--")):
            continue
        buf.append(line)
        if line.count("$$") % 2:
            in_body = not in_body
        if not in_body and line.rstrip().endswith(";"):
            statements.append("\n".join(buf))
            buf = []
    if any(line.strip() for line in buf):
        statements.append("\n".join(buf))
    return statements


def migrate(case: "Case") -> list[str]:
    """Apply the PostgreSQL twins of the migrations not yet recorded; returns the names applied."""
    from listeningpost.store.case import CaseError, now
    from listeningpost.store.schema import migration_files

    db, twins = case.db, pg_migration_twins()
    with case.transaction():  # under the case lock: two processes opening a new case don't race
        db.pg.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {r[0] for r in db.pg.execute("SELECT name FROM schema_migrations")}
    applied = []
    for name, _ in migration_files():
        if name in done:
            continue
        if name not in twins:
            raise CaseError(f"migration {name} has no PostgreSQL twin in listeningpost/scale/pg_migrations/")
        with case.transaction():
            if db.pg.execute("SELECT 1 FROM schema_migrations WHERE name = $1", (name,)).fetchone():
                continue  # another process applied it while we waited for the lock
            for statement in split_pg_sql(twins[name]):
                db.pg.execute(statement)
            db.pg.execute("INSERT INTO schema_migrations(name, applied_at) VALUES ($1, $2)", (name, now()))
        applied.append(name)
    return applied
