"""The case schema's migration files, shared by every backend.

``migration_files()`` lists the numbered ``migrations/*.sql`` files in order; ``split_sql()`` splits
one into statements (these and the PostgreSQL ones of ``listeningpost.scale.pgmigrations``). The SQLite
backend (``store.case``) runs them as written; other backends (the PostgreSQL one in
``listeningpost.scale.pg``) translate them.
"""

from __future__ import annotations

from importlib import resources


def migration_files() -> list[tuple[str, str]]:
    """(file name, SQL text) of every migration, in the order they apply."""
    folder = resources.files("listeningpost.store") / "migrations"
    return sorted((p.name, p.read_text("utf-8")) for p in folder.iterdir() if p.name.endswith(".sql"))


def split_sql(sql: str) -> list[str]:
    """Split a migration file into statements: ';' at a line end ends one, except inside a body kept
    whole, a SQLite trigger's ``... BEGIN`` to ``END;`` or a PostgreSQL function's ``$$`` to ``$$``."""
    statements, buf, in_dollars, in_trigger = [], [], False, False
    for line in sql.splitlines():
        stripped = line.strip()
        if not buf and (not stripped or stripped.startswith("--")):
            continue
        buf.append(line)
        in_dollars ^= stripped.count("$$") % 2 == 1
        upper = stripped.upper()
        if not in_dollars:  # BEGIN/END inside a $$ body are the function's own
            in_trigger = (in_trigger or upper.endswith("BEGIN")) and not upper.startswith("END;")
        if not (in_dollars or in_trigger) and stripped.endswith(";"):
            statements.append("\n".join(buf))
            buf = []
    if any(line.strip() for line in buf):
        statements.append("\n".join(buf))
    return statements
