"""PostgreSQL backend for a case: a connection with the surface of the SQLite one.

Queries are Core statements (``store.tables``), compiled here by SQLAlchemy's PostgreSQL dialect
(``store.sql``); SQL text is PostgreSQL as written (the full-text backend, migrations, catalog
queries), with ``:name`` parameters (bound through SQLAlchemy) or ``$1, $2``. Nothing is rewritten.
It implements the case connection's small protocol (``store.backends``), as the SQLite one does:

* ``begin_write()`` takes a transaction-level advisory lock, so writers serialise exactly as on
  SQLite's ``BEGIN IMMEDIATE`` (readers never wait) and read-then-write code stays race-free with
  many analysts at once; ``commit()``, ``rollback()``;
* each write inside a transaction runs under a savepoint, so a failed statement (say a unique
  violation the caller catches) leaves the transaction usable, as SQLite does;
* errors are psycopg's own (``psycopg.errors.UniqueViolation`` is a ``psycopg.IntegrityError``);
* rows index by position and by name; ``cursor.lastrowid`` after a Core INSERT into a table with an
  ``id`` key (``RETURNING id``); ``str``/``int``/``bool`` parameters are sent untyped so the server
  types them from context; ``numeric`` results come back as int or float, not Decimal.

The case folder still holds the archive (media is never put in the database); the database holds
everything ``case.sqlite`` would. One case per database or per schema (``?options=-csearch_path=x``).
"""

from __future__ import annotations

from contextlib import closing, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any, ContextManager, Iterable, Iterator, Mapping, Sequence

from sqlalchemy import text

from listeningpost.scale.pgmigrations import migrate
from listeningpost.store.backends import Backend, register_backend
from listeningpost.store.sql import Compiled, compile_many, compile_statement, is_statement, text_kind

if TYPE_CHECKING:
    from listeningpost.store.case import Case

SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")

# serialises write transactions of one case (= one database + schema), like SQLite's write lock
_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext(current_database() || '.' || current_schema()))"


def is_db_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(SCHEMES)


# -- rows -------------------------------------------------------------------------------------------


class Row:
    """Like ``sqlite3.Row``: index by position or (case-insensitive) name; ``dict(row)`` works."""

    __slots__ = ("_names", "_index", "_values")

    def __init__(self, names: tuple[str, ...], index: dict[str, int], values: Sequence[Any]):
        self._names = names
        self._index = index  # lower-cased name -> position (the first column of that name)
        self._values = tuple(values)

    def keys(self) -> list[str]:
        return list(self._names)

    def __getitem__(self, key: int | str | slice) -> Any:
        if isinstance(key, str):
            try:
                return self._values[self._index[key.lower()]]
            except KeyError:
                raise IndexError(f"No item with that key: {key!r}") from None
        return self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return self._names == other._names and self._values == other._values
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._names, self._values))

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._names, self._values))!r})"


def _row_factory(cursor: Any):
    desc = cursor.description
    if desc is None:
        return tuple
    names = tuple(c.name for c in desc)
    index = {name.lower(): i for i, name in reversed(list(enumerate(names)))}  # the first of a name wins
    return lambda values: Row(names, index, values)


# -- cursor -----------------------------------------------------------------------------------------


class PgCursor:
    """The result of one ``execute``: rows fetched lazily from the psycopg cursor (none without one)."""

    arraysize = 1

    def __init__(self, cur: Any = None, lastrowid: int | None = None, rowcount: int = -1):
        self._cur = cur
        self.lastrowid = lastrowid
        self.rowcount = rowcount
        self.description = tuple((c.name, None, None, None, None, None, None) for c in cur.description) \
            if cur is not None and cur.description else None

    def fetchone(self) -> Any:
        return self._cur.fetchone() if self.description else None

    def fetchall(self) -> list:
        return self._cur.fetchall() if self.description else []

    def fetchmany(self, size: int | None = None) -> list:
        return self._cur.fetchmany(size or self.arraysize) if self.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchone, None)

    def close(self) -> None:
        if self._cur is not None:
            self._cur.close()


# -- connection -------------------------------------------------------------------------------------


def _adapt(conn: Any) -> None:
    """Untyped str/int/bool parameters (typed by the server from context) and int/float numerics."""
    from psycopg.adapt import Dumper, Loader

    class UntypedNumber(Dumper):
        oid = 0  # "unknown": PostgreSQL infers the type from where the parameter is used

        def dump(self, obj: Any) -> bytes:
            return str(int(obj)).encode()

    class Number(Loader):
        def load(self, data: Any) -> Any:
            text = bytes(data).decode()
            return float(text) if any(c in text for c in ".eEN") else int(text)

    conn.adapters.register_dumper(int, UntypedNumber)
    conn.adapters.register_dumper(bool, UntypedNumber)
    conn.adapters.register_loader("numeric", Number)


class PgConnection:
    """The case connection on one psycopg connection (autocommit between explicit transactions)."""

    dialect = "postgresql"

    def __init__(self, url: str):
        import psycopg

        self.url = url
        self._pg = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True,
                                   cursor_factory=psycopg.RawCursor, row_factory=_row_factory)
        _adapt(self._pg)
        self.total_changes = 0  # rows inserted, updated or deleted through this connection

    # -- the case connection protocol (store.backends) --------------------------------------------
    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self._pg.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR)

    @property
    def pg(self) -> Any:
        """The psycopg connection, for PostgreSQL-only code (full-text search, COPY)."""
        return self._pg

    def execute(self, sql: Any, params: Any = ()) -> PgCursor:
        """A Core statement (compiled by SQLAlchemy's PostgreSQL dialect), or SQL text in PostgreSQL as
        written: parameters ``:name`` with a dict (bound by SQLAlchemy), or ``$1, $2`` with a sequence."""
        if is_statement(sql) or isinstance(params, Mapping):
            stmt = sql if is_statement(sql) else text(sql)
            return self._execute_statement(compile_statement(stmt, "postgresql", params or None))
        return self._execute_statement(Compiled(sql, tuple(params or ()), text_kind(sql)))

    def executemany(self, sql: Any, seq_of_params: Iterable[Any]) -> PgCursor:
        params = list(seq_of_params)
        if not params:
            return PgCursor(rowcount=0)
        if is_statement(sql) or isinstance(params[0], Mapping):
            text_sql, rows = compile_many(sql if is_statement(sql) else text(sql), "postgresql", params)
        else:
            text_sql, rows = sql, [tuple(p) for p in params]
        with self._statement(self.in_transaction):
            cur = self._pg.cursor()
            cur.executemany(text_sql, rows)
        if cur.rowcount > 0:
            self.total_changes += cur.rowcount
        return PgCursor(rowcount=cur.rowcount)

    def _execute_statement(self, compiled: Compiled) -> PgCursor:
        """A Core statement, compiled by SQLAlchemy's PostgreSQL dialect (no rewriting)."""
        writes = compiled.kind in ("insert", "update", "delete")
        with self._statement(writes and self.in_transaction):
            cur = self._pg.cursor()
            cur.execute(compiled.sql, compiled.params)
        if writes and cur.rowcount > 0:
            self.total_changes += cur.rowcount
        if compiled.returning_id:
            row = cur.fetchone()
            return PgCursor(lastrowid=row[0] if row else None, rowcount=cur.rowcount)
        return PgCursor(cur, rowcount=cur.rowcount)

    def _statement(self, guarded: bool) -> ContextManager[Any]:
        """One statement; inside a transaction a write runs under a savepoint (psycopg's nested
        transaction), so a failed one (a unique violation the caller catches) leaves the transaction
        usable, as on SQLite."""
        return self._pg.transaction("lpost_stmt") if guarded else nullcontext()

    def begin_write(self) -> None:
        """BEGIN, holding the case's write lock until COMMIT or ROLLBACK (SQLite's BEGIN IMMEDIATE)."""
        self._pg.execute("BEGIN")
        self._pg.execute(_LOCK_SQL)

    def commit(self) -> None:
        import psycopg
        from psycopg.pq import TransactionStatus

        if self._pg.info.transaction_status == TransactionStatus.INERROR:
            self._pg.execute("ROLLBACK")
            raise psycopg.errors.InFailedSqlTransaction("transaction aborted by an earlier error; rolled back")
        if self.in_transaction:
            self._pg.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self._pg.execute("ROLLBACK")

    def close(self) -> None:
        self._pg.close()


@contextmanager
def runner_lock(case: "Case", busy: type[Exception]) -> Iterator[None]:
    """One job runner per case across machines: a session advisory lock on the case's database."""
    conn = case.db.pg
    key = "SELECT hashtext(current_database() || '.' || current_schema() || '#runner')"
    if not conn.execute(f"SELECT pg_try_advisory_lock(({key}))").fetchone()[0]:
        raise busy(f"another `lpost process` is running on this case's database ({case.db_url.split('@')[-1]})")
    try:
        yield
    finally:
        conn.execute(f"SELECT pg_advisory_unlock(({key}))")


def has_case(url: str) -> bool:
    """Whether the database (schema) at ``url`` already holds a case."""
    with closing(PgConnection(url)) as conn:
        return conn.execute("SELECT to_regclass('calls') IS NOT NULL").fetchone()[0]


register_backend(Backend("postgresql", SCHEMES, connect=PgConnection, has_case=has_case, migrate=migrate,
                         runner_lock=runner_lock))
