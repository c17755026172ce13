"""Full-text search on PostgreSQL (tsvector twin of the FTS5 index) finds the same turns as FTS5
on SQLite for queries built from the real transcripts' own words."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from conftest import TRANSCRIPTS, need_shared
from listeningpost.ingest.ingest import ingest_paths
from listeningpost.jobs.executors import InlineExecutor
from listeningpost.jobs.runner import run_stage
from listeningpost.pipeline import available_stages, make_stage
from listeningpost.search.fts5 import match_string
from listeningpost.search.query import AnyOf, InColumns, QueryError, Without, Words
from listeningpost.search.tsvector import fts_sql
from listeningpost.store import tables
from listeningpost.store.case import Case
from listeningpost.store.tables import search_docs
from scalefix import pg_server, pg_url, sqlite_case  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif("index" not in available_stages(), reason="the search index stage is not installed")


def indexed(case: Case) -> Case:
    ingest_paths(case, sorted(need_shared(TRANSCRIPTS / "radio_analyzer").glob("*.json"))[:6])
    assert run_stage(case, make_stage("index", semantic=False), InlineExecutor()).failed == 0
    return case


def turn_keys(case: Case, turn_ids) -> set[str]:
    ids = list(turn_ids)
    if not ids:
        return set()
    turns, calls = tables.turns, tables.calls
    return {f"{r[0]}:{r[1]}" for r in case.query(
        select(calls.c.external_id, turns.c.idx).select_from(turns.join(calls, calls.c.id == turns.c.call_id))
        .where(turns.c.id.in_(ids)))}


def queries_from(case: Case) -> list:
    """Match trees of the kinds the search package compiles, from words in the case itself."""
    from listeningpost.search import query as q

    lemmas = Counter(w for r in case.query("SELECT lemmas FROM search_docs") for w in r[0].split() if len(w) > 4)
    common = [w for w, _ in lemmas.most_common(6)]
    text = next(r[0] for r in case.query("SELECT text FROM search_docs ORDER BY turn_id") if len(r[0].split()) >= 4)
    phrase = " ".join(text.split()[1:3])
    user_queries = [common[0], f"{common[1]} OR {common[2]}", f"{common[0]} NOT {common[3]}",
                    f'"{phrase}"', common[4][:4] + "*", f"({common[0]} | {common[5]}) {common[1]}"]
    out = []
    for text in user_queries:
        compiled = q.compile_query(q.parse(text))
        out.append(compiled.match if compiled.exclude is None else Without(compiled.match, compiled.exclude))
    return out


def test_tsvector_search_matches_fts5(pg_url, tmp_path):
    lite = indexed(sqlite_case(tmp_path / "lite"))
    pg = indexed(Case.open(tmp_path / "pg", db=pg_url))
    hits = 0
    for tree in queries_from(lite):
        expr = match_string(tree)
        fts5 = turn_keys(lite, [r[0] for r in lite.query("SELECT rowid FROM search_fts WHERE search_fts MATCH :p1", {"p1": expr})])
        cond, rank = fts_sql(tree, (1.0, 1.0, 0.8))
        rank = rank.label("r")
        rows = pg.query(select(search_docs.c.turn_id, rank).where(cond).order_by(rank.desc()))
        assert turn_keys(pg, [r[0] for r in rows]) == fts5, expr
        assert all(r[1] > 0 for r in rows) and [r[1] for r in rows] == sorted((r[1] for r in rows), reverse=True)
        hits += len(fts5)
    assert hits > 0
    with pytest.raises(QueryError):
        InColumns(("nosuchcolumn",), AnyOf((Words("x"),)))
    lite.close()
    pg.close()


def test_search_api_on_postgresql(pg_url, tmp_path):
    """`search()` (lexical mode, with facets and filters) returns the same turns on both backends."""
    from listeningpost.search.api import search

    lite = indexed(sqlite_case(tmp_path / "lite"))
    pg = indexed(Case.open(tmp_path / "pg", db=pg_url))
    lemmas = Counter(w for r in lite.query("SELECT lemmas FROM search_docs") for w in r[0].split() if len(w) > 4)
    word, other = [w for w, _ in lemmas.most_common(2)]
    speaker = lite.one("SELECT speaker FROM turns WHERE speaker IS NOT NULL ORDER BY id")[0]
    for query in (word, f"{word} OR {other}", f"{word} -{other}", f"{word} speaker:{speaker}", f"-{word}"):
        got = {}
        for name, case in (("lite", lite), ("pg", pg)):
            result = search(case, query, mode="lexical", limit=200)
            got[name] = (result.total, turn_keys(case, [h.turn_id for h in result.hits]))
        assert got["pg"] == got["lite"], query
        assert got["pg"][0] > 0, query
    lite.close()
    pg.close()
