"""The case schema's migration files, shared by every backend.

``migration_files()`` lists the numbered ``migrations/*.sql`` files in order; ``split_sql()`` splits
one into statements. The SQLite backend (``store.case``) runs them as written; other backends (the
PostgreSQL one in ``listeningpost.scale.pg``) translate them.
"""

from __future__ import annotations

from importlib import resources


def migration_files() -> list[tuple[str, str]]:
    """(file name, SQL text) of every migration, in the order they apply."""
    folder = resources.files("listeningpost.store") / "migrations"
    items = [(p.name, p.read_text(encoding="utf-8")) for p in folder.iterdir() if p.name.endswith(".sql")]
    return sorted(items)


def split_sql(sql: str) -> list[str]:
    """Split a migration file into statements (statements end with ';' at line end).

    Trigger bodies (BEGIN ... END;) are kept whole.
    """
    statements, buf, in_trigger = [], [], False
    for line in sql.splitlines():
        stripped = line.strip()
        if not buf and (not stripped or stripped.startswith("--")):
            continue
        buf.append(line)
        upper = stripped.upper()
        in_trigger = in_trigger or upper.startswith(("CREATE TRIGGER", "CREATE TEMP TRIGGER"))
        if in_trigger:
            if upper.startswith("END;"):
                in_trigger = False
                statements.append("\n".join(buf))
                buf = []
        elif stripped.endswith(";"):
            statements.append("\n".join(buf))
            buf = []
    if any(line.strip() for line in buf):
        statements.append("\n".join(buf))
    return statements
