"""store.tables declares the schema the migrations build, and Core statements run on every backend
(like every test, this file runs in the PostgreSQL pass of `make test` too)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, insert, select, update

from listeningpost.store import tables
from listeningpost.store.sql import insert_ignore, json_text, upsert


def _columns(case, name):
    """{column: (NOT NULL, in the primary key)} as the database itself reports them."""
    if case.db.dialect == "sqlite":
        return {r["name"]: (bool(r["notnull"]), bool(r["pk"])) for r in case.query(f"PRAGMA table_info({name})")}
    key = {r[0] for r in case.query(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
        " WHERE i.indisprimary AND i.indrelid = to_regclass(:t)", {"t": name})}
    return {r[0]: (r[1] == "NO", r[0] in key) for r in case.query(
        "SELECT column_name, is_nullable FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = :t", {"t": name})}


# the tsvector search backend's own columns (scale/pg_migrations/0400_search.sql), not part of the Core table
TSVECTOR_COLUMNS = {"search_docs": {"text_tsv", "translation_tsv", "lemmas_tsv", "ntok"}}


def test_tables_match_the_migrated_schema(case):
    for table in tables.metadata.sorted_tables:
        declared = {c.name: (not c.nullable and not c.primary_key, c.primary_key) for c in table.columns}
        # and the hidden ``rowid`` identity of tables without an integer key on PostgreSQL (scale/pg_migrations)
        own = TSVECTOR_COLUMNS.get(table.name, set()) | {"rowid"} if case.db.dialect == "postgresql" else set()
        migrated = {k: (nn and not pk, pk) for k, (nn, pk) in _columns(case, table.name).items() if k not in own}
        assert declared == migrated, table.name


def test_every_table_of_the_case_is_declared(case):
    rows = case.query("SELECT name FROM sqlite_master WHERE type='table'") if case.db.dialect == "sqlite" else \
        case.query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()")
    names = {r["name"] for r in rows}
    undeclared = {n for n in names if not n.startswith(("search_fts", "sqlite_")) and n != "schema_migrations"}
    assert undeclared - set(tables.metadata.tables) == set()


def _source(case, sha):
    cur = case.db.execute(insert(tables.sources).values(
        sha256=sha, kind="transcript", format="txt", original_name="synthetic.txt", archive_path=f"archive/{sha}",
        size=1, added_at="2026-01-01T00:00:00+00:00"))
    return cur.lastrowid


def test_core_statements_round_trip(case):
    with case.transaction():
        first = _source(case, "a" * 64)
        second = _source(case, "b" * 64)
    assert first and second and second != first
    rows = case.query(select(tables.sources.c.id, tables.sources.c.sha256)
                      .where(tables.sources.c.id.in_([first, second])).order_by(tables.sources.c.id))
    assert [r["sha256"][0] for r in rows] == ["a", "b"] and rows[0][0] == first
    case.db.execute(update(tables.sources).where(tables.sources.c.id == first).values(notes="synthetic note"))
    assert case.one(select(tables.sources.c.notes).where(tables.sources.c.id == first))["notes"] == "synthetic note"
    assert case.one(select(func.count()).select_from(tables.sources))[0] == 2


def _integrity_errors() -> tuple[type[BaseException], ...]:
    try:
        import psycopg
    except ImportError:
        return (sqlite3.IntegrityError,)
    return sqlite3.IntegrityError, psycopg.IntegrityError


def test_unique_key_breaks_and_insert_ignore_skips(case):
    _source(case, "c" * 64)
    with pytest.raises(_integrity_errors()):  # the driver's own class on each database
        _source(case, "c" * 64)
    case.db.execute(insert_ignore(case.db, tables.settings, {"key": "k", "value_json": "1"}))
    case.db.execute(insert_ignore(case.db, tables.settings, {"key": "k", "value_json": "2"}))
    assert case.setting("k") == 1
    case.db.execute(upsert(case.db, tables.settings, {"key": "k", "value_json": "3"}, ["key"]))
    assert case.setting("k") == 3


def test_executemany_and_json_text(case):
    case.db.executemany(insert(tables.settings), [{"key": f"s{i}", "value_json": f'{{"a": {{"b": "v{i}"}}}}'}
                                                  for i in range(3)])
    row = case.one(select(tables.settings.c.key).where(json_text(tables.settings.c.value_json, "a", "b") == "v2"))
    assert row["key"] == "s2"
    with pytest.raises(ValueError):
        json_text(tables.settings.c.value_json, "a'; DROP TABLE x; --")


def test_like_nocase_ignores_case_and_honours_escapes(case):
    from listeningpost.store.sql import like_nocase

    case.db.executemany(insert(tables.settings), [{"key": k, "value_json": "1"}
                                                  for k in ("Synthetic_Key", "synthetic-key", "other")])
    key = tables.settings.c.key
    found = lambda pattern: sorted(r[0] for r in case.query(select(key).where(like_nocase(key, pattern))))  # noqa: E731
    assert found("%SYNTHETIC%") == ["Synthetic_Key", "synthetic-key"]
    assert found("%c\\_k%") == ["Synthetic_Key"]  # an escaped _ is the character, not any character
    assert found("%c_k%") == ["Synthetic_Key", "synthetic-key"]
    assert found("oth%") == ["other"] and found("%x%") == []


def test_glob_is_case_sensitive_and_anchored(case):
    from sqlalchemy import literal

    from listeningpost.store.sql import glob

    matches = lambda text, pattern: bool(case.one(select(glob(literal(text), pattern)))[0])  # noqa: E731
    assert matches("synthetic 2022 date", "*[0-9][0-9][0-9][0-9]*")
    assert not matches("2 April", "*[0-9][0-9][0-9][0-9]*")
    assert matches("Abc", "A?c") and not matches("abc", "A?c") and not matches("xAbc", "A?c")
    assert matches("a.b", "a.b") and not matches("axb", "a.b")  # "." is no wildcard
    assert matches("it's", "*'s") and matches("b1", "[^a]1") and not matches("a1", "[^a]1")


def test_row_id_is_the_integer_key_or_the_hidden_rowid(case):
    from listeningpost.store.sql import row_id

    assert row_id(tables.turns) is tables.turns.c.id
    with case.transaction():
        call = case.db.execute(insert(tables.calls).values(source_id=_source(case, "d" * 64), created_at="synthetic"))
        case.db.executemany(insert(tables.speakers), [{"call_id": call.lastrowid, "label": label} for label in "AB"])
    key = row_id(tables.speakers)
    rows = case.query(select(key.label("rowid"), tables.speakers.c.label).order_by(key))
    assert [r["label"] for r in rows] == ["A", "B"] and rows[0]["rowid"] < rows[1]["rowid"]
    case.db.execute(update(tables.speakers).where(key == rows[1]["rowid"]).values(name="SYNTHETIC"))
    assert case.one(select(tables.speakers.c.name).where(tables.speakers.c.label == "B"))[0] == "SYNTHETIC"


def test_create_table_statement_makes_a_temporary_table(case):
    from sqlalchemy import Column, Integer, MetaData, Table, delete
    from sqlalchemy.schema import CreateTable

    scratch = Table("synthetic_scratch", MetaData(), Column("n", Integer, primary_key=True, autoincrement=False),
                    prefixes=["TEMPORARY"])
    for _ in range(2):  # IF NOT EXISTS: a second time is no error
        case.db.execute(CreateTable(scratch, if_not_exists=True))
        case.db.execute(delete(scratch))
        case.db.executemany(insert(scratch), [{"n": 1}, {"n": 2}])
    assert [r[0] for r in case.query(select(scratch.c.n).order_by(scratch.c.n))] == [1, 2]


def test_every_table_the_migrations_create_is_declared_or_full_text():
    """PostgreSQL builds each migration from the declared tables; only full-text search is hand-written."""
    from listeningpost.scale.pgmigrations import added_by, pg_migration_files

    declared = set(tables.metadata.tables)
    for name, added in added_by().items():
        undeclared = {t for t in added.tables if t not in declared}
        if name in pg_migration_files():
            assert undeclared <= {t for t in added.tables if t.startswith("search_fts")}, name
        else:
            assert not undeclared, (name, undeclared)
    assert set(pg_migration_files()) == {"0400_search.sql"}
