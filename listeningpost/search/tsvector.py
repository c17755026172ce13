"""The PostgreSQL search backend: a match tree as a condition on the tsvector columns of ``search_docs``.

The same match tree the FTS5 backend renders as a MATCH string (``listeningpost.search.query``)
becomes a boolean SQL condition over the generated columns of ``search_docs`` (pg twin of migration
0400, ``listeningpost/scale/pg_migrations``): ``text_tsv`` and ``lemmas_tsv`` ('simple': already
folded forms and lemmas) and ``translation_tsv`` ('english': Porter stemming like FTS5's porter).
Words use ``phraseto_tsquery`` (in order, adjacent), prefixes ``word:*``. ``fts_sql`` ranks with a
weighted sum of ``ts_rank_cd``; the search path (``lexical``) ranks with ``bm25_sql``, FTS5's BM25
formula (IDF per phrase, column weights, k1 = 1.2, b = 0.75, the row's token count), where a
phrase's frequency is its rarest word's count, so hit order stays close to SQLite's.

    cond, cond_params, rank, rank_params = fts_sql(compiled.match, weights=(1.0, 1.0, 0.8))
    rows = case.query(f"SELECT d.turn_id, {rank} AS r FROM search_docs d WHERE {cond} ORDER BY r DESC",
                      [*rank_params, *cond_params])

Only SQL goes through the case's connection: nothing here imports the PostgreSQL driver.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from listeningpost.search.backends import BACKENDS
from listeningpost.search.query import COLUMNS, AllOf, AnyOf, InColumns, Without, Words

CONFIG = {"text": "simple", "lemmas": "simple", "translation": "english"}
K1, B = 1.2, 0.75  # FTS5's bm25 constants


@dataclass(frozen=True)
class _Leaf:
    """Words with the columns they are matched in (the column filters above them pushed down)."""
    text: str
    prefix: bool
    columns: tuple[str, ...]


def _flatten(node, columns: tuple[str, ...] = COLUMNS):
    """The tree with column filters pushed into leaves and one-child groups collapsed:
    a ``_Leaf``, or ``(op, [children])`` with op AND, OR or NOT (binary: left AND NOT right)."""
    if isinstance(node, Words):
        return _Leaf(node.text, node.prefix, columns)
    if isinstance(node, InColumns):
        return _flatten(node.child, node.columns)
    if isinstance(node, (AnyOf, AllOf)):
        children = [_flatten(c, columns) for c in node.children]
        return children[0] if len(children) == 1 else ("OR" if isinstance(node, AnyOf) else "AND", children)
    if isinstance(node, Without):
        return "NOT", [_flatten(node.keep, columns), _flatten(node.drop, columns)]
    raise TypeError(f"not a match tree node: {node!r}")


def _tsquery(leaf: _Leaf, column: str) -> tuple[str, str]:
    """SQL for the leaf's tsquery on one column, and its parameter."""
    cfg = CONFIG[column]
    if leaf.prefix:
        words = leaf.text.split()
        quoted = " <-> ".join("'" + w.replace("'", "''").replace("\\", "\\\\") + "'" for w in words) + ":*"
        return f"to_tsquery('{cfg}', ?)", quoted
    return f"phraseto_tsquery('{cfg}', ?)", leaf.text


def fts_sql(tree, weights: tuple[float, float, float] = (1.0, 1.0, 1.0), alias: str = "d"
            ) -> tuple[str, list[str], str, list[str]]:
    """(condition, its params, rank expression, its params) for a match tree."""
    weight = dict(zip(COLUMNS, weights))
    rank_terms: list[str] = []
    rank_params: list[str] = []

    def cond(node, positive: bool) -> tuple[str, list[str]]:
        if isinstance(node, _Leaf):
            parts, params = [], []
            for col in node.columns:
                q, p = _tsquery(node, col)
                parts.append(f"{alias}.{col}_tsv @@ {q}")
                params.append(p)
                if positive:
                    rank_terms.append(f"{weight[col]} * ts_rank_cd({alias}.{col}_tsv, {q})")
                    rank_params.append(p)
            return "(" + " OR ".join(parts) + ")", params
        op, children = node
        if op == "NOT":
            left, lp = cond(children[0], positive)
            right, rp = cond(children[1], False)
            return f"({left} AND NOT {right})", lp + rp
        sqls, params = [], []
        for child in children:
            s, p = cond(child, positive)
            sqls.append(s)
            params += p
        return "(" + f" {op} ".join(sqls) + ")", params

    sql, params = cond(_flatten(tree), True)
    rank = "(" + " + ".join(rank_terms) + ")" if rank_terms else "0"
    return sql, params, rank, rank_params


def _leaves(node, positive: bool = True) -> list[_Leaf]:
    if isinstance(node, _Leaf):
        return [node] if positive else []
    op, children = node
    if op == "NOT":
        return _leaves(children[0], positive)
    return [leaf for child in children for leaf in _leaves(child, positive)]


def bm25_sql(case, tree, weights, alias: str = "d") -> tuple[str, list[str]]:
    """FTS5's bm25 over the positive phrases of a match tree (higher is better), as a SQL expression.

    Like FTS5: IDF from the rows matching each phrase, a phrase's frequency summed over its columns
    with the column weights, and length normalisation by the row's token count (all columns)."""
    weight = dict(zip(COLUMNS, weights))
    n_rows, avg_len = case.one("SELECT COUNT(*), COALESCE(AVG(ntok), 0) FROM search_docs")
    avg_len = float(avg_len) or 1.0
    terms, params = [], []
    for leaf in _leaves(_flatten(tree)):
        match_parts, match_params, freq_parts, freq_params = [], [], [], []
        for col in leaf.columns:
            q, p = _tsquery(leaf, col)
            match_parts.append(f"{col}_tsv @@ {q}")
            match_params.append(p)
            words = "ARRAY[?]" if leaf.prefix else f"tsvector_to_array(to_tsvector('{CONFIG[col]}', ?))"
            freq_parts.append(f"{weight[col]} * lp_tf({alias}.{col}_tsv, {words}, {'true' if leaf.prefix else 'false'})")
            freq_params.append(leaf.text.lower() if leaf.prefix else leaf.text)
        hits = case.one(f"SELECT COUNT(*) FROM search_docs WHERE {' OR '.join(match_parts)}", match_params)[0]
        idf = math.log((n_rows - hits + 0.5) / (hits + 0.5))
        idf = idf if idf > 0 else 1e-6
        freq = "(" + " + ".join(freq_parts) + ")"
        terms.append(f"({idf!r} * {freq} * {K1 + 1!r} / ({freq} + {K1!r} * ({1 - B!r} + {B!r} * {alias}.ntok / {avg_len!r})))")
        params += freq_params * 2
    return ("(" + " + ".join(terms) + ")" if terms else "0"), params


@BACKENDS.register("postgresql")
class TsvectorBackend:
    def lexical(self, case, match, exclude, where, depth, weights, from_docs, total_cap):
        params: list = []
        if match is not None:
            cond, cond_params, _, _ = fts_sql(match, weights)
            rank, rank_params = bm25_sql(case, match, weights)
            params += cond_params
        else:
            cond, rank, rank_params = "TRUE", "0", []
        if exclude is not None:
            ex_cond, ex_params, _, _ = fts_sql(exclude)
            cond = f"{cond} AND NOT {ex_cond}"
            params += ex_params
        base = f"FROM {from_docs} WHERE {cond} AND {where.sql}"
        params += list(where.params)
        order = "r DESC, d.turn_id" if match is not None else "d.call_id, d.turn_id"
        rows = case.query(f"SELECT d.turn_id, {rank} AS r {base} ORDER BY {order} LIMIT ?",
                          [*rank_params, *params, depth]) if depth else []
        total = case.one(f"SELECT COUNT(*) FROM (SELECT 1 {base} LIMIT {int(total_cap)}) AS hits", params)[0]
        return [(r[0], float(r[1])) for r in rows], total

    def excluded_turns(self, case, exclude) -> set[int]:
        cond, params, _, _ = fts_sql(exclude)
        return {r[0] for r in case.query(f"SELECT d.turn_id FROM search_docs d WHERE {cond}", params)}
