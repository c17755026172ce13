"""The SQLite search backend: a match tree as an FTS5 MATCH string over ``search_fts``, ranked by bm25.

    match_string(InColumns(("lemmas",), AnyOf((Words("танк"),))))   # 'lemmas : ("танк")'

Column filters are FTS5's (``lemmas : ...``, ``{text translation} : ...``), words are quoted strings
(a quoted run of words is a phrase), ``"stem"*`` a prefix, and AND/OR/NOT group in parentheses.
"""

from __future__ import annotations

import heapq
import sqlite3
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Integer, column, func, literal_column, select, table

from listeningpost.search.backends import BACKENDS, SearchError
from listeningpost.search.query import AllOf, AnyOf, InColumns, Without, Words
from listeningpost.store.tables import search_docs as docs

# the FTS5 table (migration 0400): external content of search_docs, rowid = turn_id; the hidden column
# named like the table takes MATCH strings and maintenance commands
search_fts = table("search_fts", column("rowid", Integer), column("search_fts"))
LOCK_WAIT_MS = 250       # short_lock_wait
DEFAULT_WAIT_MS = 60000  # the case connection's busy_timeout (store.case)


def match_string(node) -> str:
    """The FTS5 MATCH expression of a match tree."""
    if isinstance(node, Words):
        return '"' + node.text.replace('"', '""') + '"' + ("*" if node.prefix else "")
    if isinstance(node, InColumns):
        cols = node.columns[0] if len(node.columns) == 1 else "{" + " ".join(node.columns) + "}"
        return f"{cols} : {match_string(node.child)}"
    if isinstance(node, AnyOf):
        return "(" + " OR ".join(match_string(c) for c in node.children) + ")"
    if isinstance(node, AllOf):
        return "(" + " AND ".join(match_string(c) for c in node.children) + ")"
    if isinstance(node, Without):
        return f"({match_string(node.keep)} NOT {match_string(node.drop)})"
    raise TypeError(f"not a match tree node: {node!r}")


def _matching(expr: str):
    return select(search_fts.c.rowid).where(literal_column("search_fts").match(expr))


@BACKENDS.register("sqlite")
class Fts5Backend:
    def lexical(self, case, match, exclude, where, depth, weights, join_filtered, total_cap):
        try:
            if match is not None:
                return self._ranked(case, match, exclude, where, depth, weights, join_filtered, total_cap)
            # no positive words: filters alone, minus the excluded words; in call and turn order
            hits = join_filtered(select(docs.c.turn_id).select_from(docs)).where(where.clause)
            if exclude is not None:
                hits = hits.where(docs.c.turn_id.not_in(_matching(match_string(exclude))))
            rows = case.query(hits.order_by(docs.c.call_id, docs.c.turn_id).limit(depth)) if depth else []
            total = case.one(select(func.count()).select_from(hits.limit(total_cap).subquery()))[0]
            return [(r[0], 0.0) for r in rows], total
        except sqlite3.OperationalError as exc:
            raise SearchError(f"cannot run query: {exc}") from exc

    @staticmethod
    def _ranked(case, match, exclude, where, depth, weights, join_filtered, total_cap):
        expr = match_string(match)
        if exclude is not None:
            expr = f"({expr}) NOT ({match_string(exclude)})"
        bm25 = func.bm25(literal_column("search_fts"), *(literal_column(str(w)) for w in weights))
        ranked = select(search_fts.c.rowid, bm25).select_from(search_fts)
        if where.where:
            ranked = join_filtered(ranked.join(docs, docs.c.turn_id == search_fts.c.rowid)).where(where.clause)
        # (no filters: no joins per match; they dominate for common words)
        # one pass over the newest total_cap matches gives the count and the bm25 scores; past the cap
        # only those are ranked (scoring and joining every match of a very common word is what costs)
        rows = case.query(ranked.where(literal_column("search_fts").match(expr))
                          .order_by(search_fts.c.rowid.desc()).limit(total_cap))
        best = heapq.nsmallest(depth, rows, key=lambda r: (r[1], -r[0])) if depth else []
        return [(r[0], -r[1]) for r in best], len(rows)

    def excluded_turns(self, case, exclude) -> set[int]:
        return {r[0] for r in case.query(_matching(match_string(exclude)))}

    def rebuild(self, case) -> None:
        case.db.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")

    def optimize(self, case) -> None:
        case.db.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")

    def data_version(self, case) -> int:
        return case.db.execute("PRAGMA data_version").fetchone()[0]

    @contextmanager
    def short_lock_wait(self, case) -> Iterator[None]:
        case.db.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
        try:
            yield
        finally:
            case.db.execute(f"PRAGMA busy_timeout={DEFAULT_WAIT_MS}")
