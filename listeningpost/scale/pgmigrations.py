"""PostgreSQL migrations of a case: the same numbered files as SQLite, translated statement by
statement (``listeningpost.scale.dialect``), and native twins where no translation exists (FTS5,
triggers: ``listeningpost/scale/pg_migrations/<same name>.sql``)."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from listeningpost.store.case import Case

_SQLITE_MASTER = """
CREATE OR REPLACE VIEW sqlite_master AS
SELECT 'table'::text AS type, table_name::text AS name, table_name::text AS tbl_name, NULL::text AS sql
  FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
UNION ALL
SELECT 'index', indexname::text, tablename::text, indexdef FROM pg_indexes WHERE schemaname = current_schema()
UNION ALL
SELECT 'view', table_name::text, table_name::text, NULL FROM information_schema.views
 WHERE table_schema = current_schema() AND table_name <> 'sqlite_master'
"""


def pg_migration_twins() -> dict[str, str]:
    """PostgreSQL versions of migrations that cannot be translated mechanically (FTS5, triggers)."""
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
    """Apply the case's migrations (the same files as SQLite, translated; twins where needed)."""
    from listeningpost.store.case import now
    from listeningpost.store.schema import migration_files, split_sql

    db = case.db
    with case.transaction():  # under the case lock: two processes opening a new case don't race
        db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        db.execute(_SQLITE_MASTER)
    done = {r[0] for r in db.execute("SELECT name FROM schema_migrations")}
    twins = pg_migration_twins()
    applied = []
    for name, sql in migration_files():
        if name in done:
            continue
        with case.transaction():
            if db.execute("SELECT 1 FROM schema_migrations WHERE name=?", (name,)).fetchone():
                continue  # another process applied it while we waited for the lock
            if name in twins:  # native PostgreSQL: run as written
                for statement in split_pg_sql(twins[name]):
                    db.pg.execute(statement)
                db.forget_catalog()
            else:
                for statement in split_sql(sql):
                    db.execute(statement)
            db.execute("INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)", (name, now()))
        applied.append(name)
    return applied
