"""The SQLite search backend: a match tree as an FTS5 MATCH string over ``search_fts``, ranked by bm25.

    match_string(InColumns(("lemmas",), AnyOf((Words("танк"),))))   # 'lemmas : ("танк")'

Column filters are FTS5's (``lemmas : ...``, ``{text translation} : ...``), words are quoted strings
(a quoted run of words is a phrase), ``"stem"*`` a prefix, and AND/OR/NOT group in parentheses.
"""

from __future__ import annotations

import heapq
import sqlite3

from listeningpost.search.backends import BACKENDS, SearchError
from listeningpost.search.query import AllOf, AnyOf, InColumns, Without, Words


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def match_string(node) -> str:
    """The FTS5 MATCH expression of a match tree."""
    if isinstance(node, Words):
        return _quote(node.text) + ("*" if node.prefix else "")
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


@BACKENDS.register("sqlite")
class Fts5Backend:
    def lexical(self, case, match, exclude, where, depth, weights, from_docs, total_cap):
        try:
            if match is not None:
                return self._ranked(case, match, exclude, where, depth, weights, from_docs, total_cap)
            # no positive words: filters alone, minus the excluded words; in call and turn order
            base = f"FROM {from_docs} WHERE {where.sql}"
            params = list(where.params)
            if exclude is not None:
                base += " AND d.turn_id NOT IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)"
                params.append(match_string(exclude))
            rows = case.query(f"SELECT d.turn_id {base} ORDER BY d.call_id, d.turn_id LIMIT ?",
                              [*params, depth]) if depth else []
            total = case.one(f"SELECT COUNT(*) FROM (SELECT 1 {base} LIMIT {total_cap})", params)[0]
            return [(r[0], 0.0) for r in rows], total
        except sqlite3.OperationalError as exc:
            raise SearchError(f"cannot run query: {exc}") from exc

    @staticmethod
    def _ranked(case, match, exclude, where, depth, weights, from_docs, total_cap):
        expr = match_string(match)
        if exclude is not None:
            expr = f"({expr}) NOT ({match_string(exclude)})"
        if where.where:
            joined = from_docs.replace("search_docs d", "search_docs d ON d.turn_id = search_fts.rowid", 1)
            base = f"FROM search_fts JOIN {joined} WHERE search_fts MATCH ? AND {where.sql}"
        else:  # no filters: no joins per match (they dominate for common words)
            base = "FROM search_fts WHERE search_fts MATCH ?"
        params = [expr, *where.params]
        w = ", ".join(str(x) for x in weights)
        # one pass over the newest total_cap matches gives the count and the bm25 scores; past the cap
        # only those are ranked (scoring and joining every match of a very common word is what costs)
        rows = case.query(
            f"SELECT search_fts.rowid, bm25(search_fts, {w}) {base} ORDER BY search_fts.rowid DESC LIMIT {total_cap}",
            params)
        best = heapq.nsmallest(depth, rows, key=lambda r: (r[1], -r[0])) if depth else []
        return [(r[0], -r[1]) for r in best], len(rows)

    def excluded_turns(self, case, exclude) -> set[int]:
        return {r[0] for r in case.query("SELECT rowid FROM search_fts WHERE search_fts MATCH ?", (match_string(exclude),))}
