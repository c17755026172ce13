"""Core statements compiled by SQLAlchemy's own dialects, for the case connections.

``case.db.execute(statement)`` takes a Core statement (``select(calls).where(...)``, built from
``store.tables``) as well as SQL text: the SQLite connection (``SqliteConnection`` here) and the
PostgreSQL one (``listeningpost.scale.pg``) compile it with the matching SQLAlchemy dialect, so the
library writes each database's SQL (placeholders, RETURNING, ``IN`` lists, upserts). What differs
between the two beyond that is spelt out below as small constructs (upsert, json_text, glob, ...).
Rows come back by position and by name.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

from sqlalchemy import Boolean, Integer, Text, column, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.ddl import ExecutableDDLElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.selectable import Select


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: tuple[Any, ...]
    kind: str  # select, insert, update, delete, other
    #: the statement got ``RETURNING id`` so that ``cursor.lastrowid`` works (PostgreSQL)
    returning_id: bool = False


@lru_cache(maxsize=None)
def dialect(name: str) -> Dialect:
    if name == "sqlite":
        return sqlite.pysqlite.dialect(paramstyle="qmark")
    if name == "postgresql":
        return postgresql.psycopg.dialect(paramstyle="numeric_dollar")  # psycopg's raw cursor: $1, $2
    raise ValueError(f"no SQL dialect {name!r}")


def is_statement(sql: Any) -> bool:
    return isinstance(sql, ClauseElement)


def _kind(stmt: ClauseElement) -> str:
    for cls, kind in ((Select, "select"), (Insert, "insert"), (Update, "update"), (Delete, "delete")):
        if isinstance(stmt, cls):
            return kind
    if isinstance(stmt, TextClause):
        return text_kind(stmt.text)
    return "other"


def text_kind(sql: str) -> str:
    """select, insert, update, delete or other: what a statement in SQL text does, by its first word."""
    words = sql.lstrip().split(None, 1)
    word = words[0].lower() if words else ""
    return word if word in ("insert", "update", "delete", "select") else "other"


def _with_returning_id(stmt: ClauseElement) -> tuple[ClauseElement, bool]:
    """PostgreSQL has no ``lastrowid``: a single-row INSERT into a table with an ``id`` key returns it."""
    if not isinstance(stmt, Insert) or stmt.returning_column_descriptions:
        return stmt, False
    key = stmt.table.c.get("id")
    if key is None or not key.primary_key:
        return stmt, False
    return stmt.returning(key), True


def compile_statement(stmt: ClauseElement, dialect_name: str, params: Mapping[str, Any] | None = None,
                      column_keys: Iterable[str] | None = None) -> Compiled:
    """SQL text and positional parameters of ``stmt`` for one dialect."""
    if isinstance(stmt, ExecutableDDLElement):  # CREATE TABLE of a Core table (a TEMPORARY one, say)
        return Compiled(str(stmt.compile(dialect=dialect(dialect_name))), (), "ddl")
    returning_id = False
    if dialect_name == "postgresql" and column_keys is None:
        stmt, returning_id = _with_returning_id(stmt)
    compiled = stmt.compile(dialect=dialect(dialect_name), column_keys=list(column_keys) if column_keys else None,
                            compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params(dict(params) if params else None)
    # plain column types only (store.tables): no bind processors to apply
    bound = tuple(values[n] for n in compiled.positiontup or [])
    return Compiled(compiled.string, bound, _kind(stmt), returning_id)


def compile_many(stmt: ClauseElement, dialect_name: str, rows: list[Mapping[str, Any]]) -> tuple[str, list[tuple]]:
    """One statement for many rows (``executemany``): compiled once for the keys of the first row."""
    compiled = stmt.compile(dialect=dialect(dialect_name), column_keys=list(rows[0].keys()))
    names = compiled.positiontup or []
    if names and all(n in rows[0] for n in names):  # every parameter is a column of the rows: read them directly
        return compiled.string, [tuple(row[n] for n in names) for row in rows]
    params = (compiled.construct_params(dict(row)) for row in rows)
    return compiled.string, [tuple(values[n] for n in names) for values in params]


class SqliteConnection(sqlite3.Connection):
    """``sqlite3.Connection`` that also runs Core statements (compiled by SQLAlchemy's SQLite dialect)
    and takes the write lock with ``begin_write()`` (the case connection protocol: store.backends)."""

    dialect = "sqlite"

    def begin_write(self) -> None:
        super().execute("BEGIN IMMEDIATE")

    def execute(self, sql: Any, params: Any = ()) -> sqlite3.Cursor:  # type: ignore[override]
        if is_statement(sql):
            compiled = compile_statement(sql, "sqlite", params or None)
            return super().execute(compiled.sql, compiled.params)
        return super().execute(sql, params)

    def executemany(self, sql: Any, seq_of_params: Iterable[Any]) -> sqlite3.Cursor:  # type: ignore[override]
        if is_statement(sql):
            rows = list(seq_of_params)
            if not rows:
                return self.cursor()
            text, bound = compile_many(sql, "sqlite", rows)
            return super().executemany(text, bound)
        return super().executemany(sql, seq_of_params)


# -- what differs between the dialects, as Core constructs ------------------------------------------


def insert_for(db: Any):
    """The dialect's ``insert`` (with ``on_conflict_do_nothing`` / ``on_conflict_do_update``)."""
    return postgresql.insert if getattr(db, "dialect", "sqlite") == "postgresql" else sqlite.insert


def upsert(db: Any, table: Any, values: Mapping[str, Any], keys: list[str], update: list[str] | None = None):
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET the other columns (or ``update``) to the new values."""
    stmt = insert_for(db)(table).values(**values)
    columns = update if update is not None else [k for k in values if k not in keys]
    if not columns:
        return stmt.on_conflict_do_nothing(index_elements=keys)
    return stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in columns})


def insert_ignore(db: Any, table: Any, values: Mapping[str, Any] | None = None):
    """INSERT that skips a row breaking a unique key (SQLite's ``INSERT OR IGNORE``)."""
    stmt = insert_for(db)(table)
    if values is not None:
        stmt = stmt.values(**values)
    return stmt.on_conflict_do_nothing()


class json_text(FunctionElement):
    """Text at ``path`` inside a JSON text column: ``json_extract`` on SQLite, ``#>>`` on PostgreSQL."""

    type = Text()
    inherit_cache = False  # the path is compiled into the SQL text
    name = "json_text"

    def __init__(self, column: Any, *path: str):
        if not all(p.replace("_", "").isalnum() for p in path):
            raise ValueError(f"JSON path keys are plain names: {path!r}")
        self.path = path
        super().__init__(column)


def _per_dialect(construct: type, **render: Any) -> None:
    """Register ``construct``'s SQL for each dialect: ``render[dialect](element, SQL of each argument...)``."""
    for name, fn in render.items():
        def sql(element: Any, compiler: Any, _fn: Any = fn, **kw: Any) -> str:
            return _fn(element, *(compiler.process(c, **kw) for c in element.clauses))
        compiles(construct, name)(sql)


_per_dialect(json_text,
             sqlite=lambda e, col: f"json_extract({col}, '$.{'.'.join(e.path)}')",
             postgresql=lambda e, col: f"(({col})::jsonb #>> '{{{','.join(e.path)}}}')")


class like_nocase(FunctionElement):
    """``column LIKE pattern ESCAPE '\\'`` ignoring case: SQLite's own ``LIKE`` (it folds ASCII case and,
    unlike ``ilike``'s ``lower(a) LIKE lower(b)``, copies no text: 3x faster on a scan), ``ILIKE`` on
    PostgreSQL. ``%``, ``_`` and ``\\`` in the searched text are escaped by the caller with ``\\``."""

    type = Boolean()
    inherit_cache = True
    name = "like_nocase"

    def __init__(self, column: Any, pattern: Any):
        super().__init__(column, pattern)


_per_dialect(like_nocase,
             sqlite=lambda e, col, pattern: f"({col} LIKE {pattern} ESCAPE '\\')",
             postgresql=lambda e, col, pattern: f"({col} ILIKE {pattern} ESCAPE '\\')")


class glob(FunctionElement):
    """``column GLOB pattern`` (case-sensitive; ``*``, ``?`` and ``[...]`` classes) on SQLite, the same
    match as an anchored regular expression (``~``) on PostgreSQL. ``pattern`` is a literal."""

    type = Boolean()
    inherit_cache = False  # the pattern is compiled into the SQL text
    name = "glob"

    def __init__(self, column: Any, pattern: str):
        self.pattern = pattern
        super().__init__(column)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def glob_regex(pattern: str) -> str:
    """A GLOB pattern as the anchored POSIX regular expression matching the same strings."""
    out, i = ["^"], 0
    while i < len(pattern):
        ch = pattern[i]
        end = pattern.find("]", i + 2) if ch == "[" else -1
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif end > 0:
            body = pattern[i + 1:end]
            out.append("[" + ("^" + body[1:] if body.startswith("^") else body) + "]")
            i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out) + "$"


_per_dialect(glob,
             sqlite=lambda e, col: f"({col} GLOB {_quoted(e.pattern)})",
             postgresql=lambda e, col: f"({col} ~ {_quoted(glob_regex(e.pattern))})")


def row_id(table: Any) -> Any:
    """The column SQLite's ``rowid`` stands for: the table's integer ``id`` key where it has one, else
    the implicit ``rowid`` (SQLite) / the hidden ``rowid`` identity the PostgreSQL schema gives such
    tables (``scale/pgmigrations``). Edits name rows by it (``store.corrections``)."""
    key = table.c.get("id")
    if key is not None and key.primary_key and isinstance(key.type, Integer):
        return key
    return column("rowid", Integer, _selectable=table)


class id_list(FunctionElement):
    """The ids as a subquery over ONE parameter (a JSON array): ``json_each`` on SQLite,
    ``jsonb_array_elements_text`` on PostgreSQL (see ``in_ids``)."""

    type = Integer()
    inherit_cache = True
    name = "id_list"

    def __init__(self, ids: Iterable[int]):
        super().__init__(literal(json.dumps([int(i) for i in ids]), Text))


_per_dialect(id_list,
             sqlite=lambda e, ids: f"(SELECT value FROM json_each({ids}))",
             postgresql=lambda e, ids: f"(SELECT jsonb_array_elements_text(CAST({ids} AS jsonb))::bigint)")


def in_ids(column: Any, ids: Iterable[int]) -> Any:
    """``column IN ids`` with the ids as one parameter: compiled in the same time whatever their number
    (``in_`` expands one placeholder per id, about 1 µs each) and free of SQLite's limit on bound
    parameters, so a long id list needs no batching. A comparison, so SQLite uses the column's index
    (a boolean function would be compared to 1 and scanned)."""
    return column.op("IN", is_comparison=True)(id_list(ids))
