"""``lpost migrate --from case/ --to postgresql://...``: copy a SQLite case into PostgreSQL, verified.

The destination schema is made by the same numbered migrations (built for PostgreSQL from
``store/tables.py``), so every table and column of the source has a home; the copy keeps row ids
(edits, jobs and the web audit log refer to them), runs in one transaction, and is checked table by
table at the end: row counts and an order-independent checksum of every value (per-column type, so 3
in a REAL column equals 3.0).
The archive stays where it is: the case folder serves both (``--case case/ --db URL``).
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from listeningpost.store.case import DB_NAME, Case, CaseError

# FTS5 and its shadow tables are rebuilt on PostgreSQL from search_docs (tsvector columns)
_SKIP_PREFIXES = ("sqlite_",)
_MOD = 1 << 256


@dataclass
class TableCheck:
    table: str
    source_rows: int
    copied_rows: int
    source_checksum: str
    copied_checksum: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.copied_rows and self.source_checksum == self.copied_checksum


@dataclass
class MigrateReport:
    source: str
    destination: str
    tables: list[TableCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "destination": self.destination, "ok": self.ok,
            "rows": sum(t.copied_rows for t in self.tables),
            "tables": [{"table": t.table, "source_rows": t.source_rows, "copied_rows": t.copied_rows,
                        "checksum": t.copied_checksum, "ok": t.ok} for t in self.tables],
        }


class MigrateError(CaseError):
    pass


# -- canonical values and checksums ----------------------------------------------------------------

#: SQLite's type affinity rules (sqlite.org/datatype3), in the order they apply: the first whose
#: substring a declared type contains gives its affinity; none: numeric
_AFFINITY = (("int", ("INT",)), ("text", ("CHAR", "CLOB", "TEXT")), ("blob", ("BLOB",)),
             ("real", ("REAL", "FLOA", "DOUB")))


def _kind(decl: str) -> str:
    """SQLite type affinity of a declared column type; no declared type is a blob."""
    d = decl.upper()
    return next((kind for kind, keys in _AFFINITY if any(k in d for k in keys)), "num") if d else "blob"


def _canon(value: Any, kind: str) -> bytes:
    if value is None:
        return b"N"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return b"B" + bytes(value)
    if kind == "real" or (kind == "num" and isinstance(value, float)):
        return b"R" + repr(float(value)).encode()
    if kind == "int" and isinstance(value, (int, float)) and float(value).is_integer():
        return b"I" + str(int(value)).encode()
    if kind == "text":
        return b"T" + str(value).encode("utf-8", "surrogatepass")
    return b"V" + repr(value).encode("utf-8", "surrogatepass")


def _checksum(rows: Iterable[Iterable[Any]], kinds: list[str]) -> tuple[int, str]:
    """Row count and the sum of per-row SHA-256 digests (order-independent, duplicate-sensitive)."""
    total, n = 0, 0
    for row in rows:
        h = hashlib.sha256()
        for value, kind in zip(row, kinds):
            part = _canon(value, kind)
            h.update(len(part).to_bytes(8, "little"))
            h.update(part)
        total = (total + int.from_bytes(h.digest(), "big")) % _MOD
        n += 1
    return n, f"{total:064x}"


# -- source schema ------------------------------------------------------------------------------------

@dataclass
class _Table:
    name: str
    columns: list[str]
    kinds: list[str]
    parents: set[str]
    self_refs: list[str]


def _source_tables(db: sqlite3.Connection) -> list[_Table]:
    rows = db.execute("SELECT name, sql FROM sqlite_master WHERE type='table' ORDER BY name").fetchall()
    virtual = {r[0] for r in rows if (r[1] or "").upper().startswith("CREATE VIRTUAL TABLE")}
    tables = []
    for name, _ in rows:
        # FTS5 tables and their shadow tables (search_fts_data, ...) are rebuilt, not copied
        if name.startswith(_SKIP_PREFIXES) or name == "schema_migrations" or name in virtual \
                or any(name.startswith(v + "_") for v in virtual):
            continue
        info = db.execute(f'PRAGMA table_info("{name}")').fetchall()
        fks = db.execute(f'PRAGMA foreign_key_list("{name}")').fetchall()
        tables.append(_Table(
            name, [c[1] for c in info], [_kind(c[2] or "") for c in info],
            {f[2] for f in fks if f[2] != name}, [f[3] for f in fks if f[2] == name],
        ))
    return _parents_first(tables)


def _parents_first(tables: list[_Table]) -> list[_Table]:
    by_name = {t.name: t for t in tables}
    order: list[_Table] = []
    state: dict[str, str] = {}

    def visit(t: _Table) -> None:
        if state.get(t.name) == "visiting":
            raise MigrateError(f"foreign keys form a cycle through {t.name}")
        if t.name not in state:
            state[t.name] = "visiting"
            for p in sorted(t.parents & by_name.keys()):
                visit(by_name[p])
            state[t.name] = "done"
            order.append(t)

    for t in tables:
        visit(t)
    return order


# -- copy -----------------------------------------------------------------------------------------

def migrate_case(source: Path, url: str, on_table: Callable[[str, int], None] | None = None) -> MigrateReport:
    """Copy the SQLite case at ``source`` into the (empty) PostgreSQL database at ``url``."""
    from listeningpost.scale import pg

    if not (Path(source) / DB_NAME).exists():
        raise MigrateError(f"no SQLite case at {source}")
    src = Case(Path(source))  # explicitly SQLite, whatever LPOST_DB says
    src.migrate()
    dst = Case.open(source, db=url)
    report = MigrateReport(str(src.root), url.split("@")[-1])
    try:
        tables = _source_tables(src.db)
        _check_destination(dst, tables)
        conn = dst.db.pg
        with conn.transaction():
            conn.execute(pg._LOCK_SQL)
            for t in tables:
                conn.execute(f'ALTER TABLE "{t.name}" DISABLE TRIGGER USER')  # search triggers: copy as is
            for t in tables:
                try:
                    n = _copy_table(src.db, conn, t)
                except Exception as exc:  # e.g. a NUL byte in text, which PostgreSQL cannot store
                    raise MigrateError(f"copying {t.name} failed (nothing was written): {exc}") from exc
                if on_table:
                    on_table(t.name, n)
            for t in tables:
                conn.execute(f'ALTER TABLE "{t.name}" ENABLE TRIGGER USER')
                seq = conn.execute(f"SELECT pg_get_serial_sequence('\"{t.name}\"', 'id')").fetchone()[0] \
                    if "id" in t.columns else None
                if seq:  # identity keys continue after the copied ids
                    conn.execute(f'SELECT setval($1, COALESCE((SELECT MAX(id) FROM "{t.name}"), 0) + 1, false)', (seq,))
        report.tables = [_verify(src.db, conn, t) for t in tables]
    finally:
        src.close()
        dst.close()
    return report


def _check_destination(dst: Case, tables: list[_Table]) -> None:
    conn = dst.db.pg
    have: dict[str, set[str]] = {}
    for table, column in conn.execute("SELECT table_name, column_name FROM information_schema.columns"
                                      " WHERE table_schema = current_schema()"):
        have.setdefault(table, set()).add(column)
    for t in tables:
        if t.name not in have:
            raise MigrateError(f"table {t.name} has no PostgreSQL counterpart (not declared in store/tables.py?)")
        missing = [c for c in t.columns if c not in have[t.name]]
        if missing:
            raise MigrateError(f"{t.name}: columns {missing} missing in the destination")
        if conn.execute(f'SELECT 1 FROM "{t.name}" LIMIT 1').fetchone():
            raise MigrateError(f"the destination already holds data ({t.name}); migrate into an empty database")


def _copy_table(src: sqlite3.Connection, conn: Any, t: _Table) -> int:
    cols = ", ".join(f'"{c}"' for c in t.columns)
    # self references (sources.near_duplicate_of, edits.undone_by) may point forward: set them after
    ref_idx = [t.columns.index(c) for c in t.self_refs]
    later: list[tuple[Any, list[Any]]] = []
    n = 0
    cur = src.execute(f'SELECT {cols} FROM "{t.name}" ORDER BY rowid')
    with conn.cursor().copy(f'COPY "{t.name}" ({cols}) FROM STDIN') as copy:
        for row in cur:  # streamed: memory stays flat
            values = list(row)
            if ref_idx and any(values[i] is not None for i in ref_idx):
                later.append((values[t.columns.index("id")], [values[i] for i in ref_idx]))
                for i in ref_idx:
                    values[i] = None
            copy.write_row([_for_pg(v, k) for v, k in zip(values, t.kinds)])
            n += 1
    if later:
        sets = ", ".join(f'"{c}" = ${i + 1}' for i, c in enumerate(t.self_refs))
        with conn.cursor() as c:
            c.executemany(f'UPDATE "{t.name}" SET {sets} WHERE id = ${len(t.self_refs) + 1}',
                          [[*refs, row_id] for row_id, refs in later])
    return n


def _for_pg(value: Any, kind: str) -> Any:
    """Values as the PostgreSQL column type expects (SQLite stores what it is given): text as text."""
    if kind == "text" and value is not None and not isinstance(value, (str, bytes, bytearray, memoryview)):
        return str(value)
    return value


def _verify(src: sqlite3.Connection, conn: Any, t: _Table) -> TableCheck:
    cols = ", ".join(f'"{c}"' for c in t.columns)
    n_src, sum_src = _checksum(src.execute(f'SELECT {cols} FROM "{t.name}"'), t.kinds)
    with conn.cursor() as cur:  # stream(): rows arrive one by one, memory stays flat
        n_dst, sum_dst = _checksum(cur.stream(f'SELECT {cols} FROM "{t.name}"'), t.kinds)
    return TableCheck(t.name, n_src, n_dst, sum_src, sum_dst)
