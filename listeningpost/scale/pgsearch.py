"""Full-text search on PostgreSQL: an FTS5 MATCH expression as a condition on tsvector columns.

The search package compiles its query language into an FTS5 expression (column filters
``lemmas : (...)`` / ``{text translation} : "..."``, phrases, ``"stem"*`` prefixes, AND/OR/NOT).
On PostgreSQL the same expression becomes a boolean SQL condition over the generated columns of
``search_docs`` (pg twin of migration 0400): ``text_tsv`` and ``lemmas_tsv`` ('simple': already
folded forms and lemmas) and ``translation_tsv`` ('english': Porter stemming like FTS5's porter).
Phrases use ``phraseto_tsquery`` (words in order, adjacent), prefixes ``word:*``. ``fts_sql`` ranks
with a weighted sum of ``ts_rank_cd``; the search path (``lexical``) ranks with ``bm25_sql``, FTS5's
BM25 formula (IDF per phrase, column weights, k1 = 1.2, b = 0.75, the row's token count), where a
phrase's frequency is its rarest word's count, so hit order stays close to SQLite's.

    cond, cond_params, rank, rank_params = fts_sql(expr, weights=(1.0, 1.0, 0.8))
    rows = case.query(f"SELECT d.turn_id, {rank} AS r FROM search_docs d WHERE {cond} ORDER BY r DESC",
                      [*rank_params, *cond_params])
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from listeningpost.search.fulltext import FullText, register_fulltext

COLUMNS = ("text", "lemmas", "translation")
CONFIG = {"text": "simple", "lemmas": "simple", "translation": "english"}

_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"]|"")*")|(?P<op>[(){}:*])|(?P<word>[^\s(){}:*"]+))')


class FtsSyntaxError(ValueError):
    pass


@dataclass
class _Leaf:
    text: str
    prefix: bool
    columns: tuple[str, ...]


@dataclass
class _Node:
    op: str  # AND, OR, NOT (binary: left AND NOT right)
    children: list = field(default_factory=list)


def _tokens(expr: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    expr = expr.strip()
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            raise FtsSyntaxError(f"cannot read the search expression at {expr[pos:pos + 20]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(expr) and expr[pos].isspace():
            pos += 1
    return out


class _Parser:
    """FTS5 precedence: NOT binds tightest, then AND (explicit or implicit), then OR."""

    def __init__(self, expr: str):
        self.toks = _tokens(expr)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise FtsSyntaxError("unexpected end of the search expression")
        self.i += 1
        return tok

    def parse(self):
        node = self.or_(COLUMNS)
        if self.peek() is not None:
            raise FtsSyntaxError(f"unexpected {self.peek()[1]!r}")
        return node

    def or_(self, cols):
        parts = [self.and_(cols)]
        while self.peek() == ("word", "OR"):
            self.take()
            parts.append(self.and_(cols))
        return parts[0] if len(parts) == 1 else _Node("OR", parts)

    def and_(self, cols):
        parts = [self.not_(cols)]
        while True:
            tok = self.peek()
            if tok == ("word", "AND"):
                self.take()
            elif tok is None or tok in (("op", ")"), ("word", "OR"), ("word", "NOT")):
                break
            parts.append(self.not_(cols))
        return parts[0] if len(parts) == 1 else _Node("AND", parts)

    def not_(self, cols):
        node = self.primary(cols)
        while self.peek() == ("word", "NOT"):
            self.take()
            node = _Node("NOT", [node, self.primary(cols)])
        return node

    def primary(self, cols):
        kind, text = self.take()
        if (kind, text) == ("op", "("):
            node = self.or_(cols)
            if self.take() != ("op", ")"):
                raise FtsSyntaxError("missing )")
            return node
        if (kind, text) == ("op", "{"):
            names = []
            while self.peek() != ("op", "}"):
                names.append(self.take()[1])
            self.take()
            return self._filtered(tuple(names))
        if kind == "word" and self.peek() == ("op", ":"):
            return self._filtered((text,))
        if kind in ("str", "word"):
            word = text[1:-1].replace('""', '"') if kind == "str" else text
            prefix = self.peek() == ("op", "*")
            if prefix:
                self.take()
            return _Leaf(word, prefix, cols)
        raise FtsSyntaxError(f"unexpected {text!r}")

    def _filtered(self, names: tuple[str, ...]):
        unknown = [n for n in names if n not in COLUMNS]
        if unknown:
            raise FtsSyntaxError(f"no such column: {', '.join(unknown)}")
        if self.take() != ("op", ":"):
            raise FtsSyntaxError("expected : after a column filter")
        return self.primary(names)


def _tsquery(leaf: _Leaf, column: str) -> tuple[str, str]:
    """SQL for the leaf's tsquery on one column, and its parameter."""
    cfg = CONFIG[column]
    if leaf.prefix:
        words = leaf.text.split()
        quoted = " <-> ".join("'" + w.replace("'", "''").replace("\\", "\\\\") + "'" for w in words) + ":*"
        return f"to_tsquery('{cfg}', ?)", quoted
    return f"phraseto_tsquery('{cfg}', ?)", leaf.text


def fts_sql(expr: str, weights: tuple[float, float, float] = (1.0, 1.0, 1.0), alias: str = "d"
            ) -> tuple[str, list[str], str, list[str]]:
    """(condition, its params, rank expression, its params) for an FTS5 MATCH expression."""
    tree = _Parser(expr).parse()
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
        if node.op == "NOT":
            left, lp = cond(node.children[0], positive)
            right, rp = cond(node.children[1], False)
            return f"({left} AND NOT {right})", lp + rp
        sqls, params = [], []
        for child in node.children:
            s, p = cond(child, positive)
            sqls.append(s)
            params += p
        return "(" + f" {node.op} ".join(sqls) + ")", params

    sql, params = cond(tree, True)
    rank = "(" + " + ".join(rank_terms) + ")" if rank_terms else "0"
    return sql, params, rank, rank_params


K1, B = 1.2, 0.75  # FTS5's bm25 constants


def _leaves(node, positive: bool = True) -> list[_Leaf]:
    if isinstance(node, _Leaf):
        return [node] if positive else []
    if node.op == "NOT":
        return _leaves(node.children[0], positive)
    return [leaf for child in node.children for leaf in _leaves(child, positive)]


def bm25_sql(case, expr: str, weights, alias: str = "d") -> tuple[str, list[str]]:
    """FTS5's bm25 over the positive phrases of ``expr`` (higher is better), as a SQL expression.

    Like FTS5: IDF from the rows matching each phrase, a phrase's frequency summed over its columns
    with the column weights, and length normalisation by the row's token count (all columns)."""
    weight = dict(zip(COLUMNS, weights))
    n_rows, avg_len = case.one("SELECT COUNT(*), COALESCE(AVG(ntok), 0) FROM search_docs")
    avg_len = float(avg_len) or 1.0
    terms, params = [], []
    for leaf in _leaves(_Parser(expr).parse()):
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


def lexical(case, match: str | None, exclude: str | None, where, depth: int, weights, from_docs: str,
            total_cap: int) -> tuple[list[tuple[int, float]], int]:
    """The search package's lexical step on PostgreSQL: (turn id, score) best first, and the total.

    ``where`` is the search package's compiled filter (``.sql`` with ``?`` params, ``.params``)."""
    params: list = []
    if match:
        cond, cond_params, _, _ = fts_sql(match, weights)
        rank, rank_params = bm25_sql(case, match, weights)
        params += cond_params
    else:
        cond, rank, rank_params = "TRUE", "0", []
    if exclude:
        ex_cond, ex_params, _, _ = fts_sql(exclude)
        cond = f"{cond} AND NOT {ex_cond}"
        params += ex_params
    base = f"FROM {from_docs} WHERE {cond} AND {where.sql}"
    params += list(where.params)
    order = "r DESC, d.turn_id" if match else "d.call_id, d.turn_id"
    rows = case.query(f"SELECT d.turn_id, {rank} AS r {base} ORDER BY {order} LIMIT ?",
                      [*rank_params, *params, depth]) if depth else []
    total = case.one(f"SELECT COUNT(*) FROM (SELECT 1 {base} LIMIT {int(total_cap)}) AS hits", params)[0]
    return [(r[0], float(r[1])) for r in rows], total


def excluded_turns(case, exclude: str) -> set[int]:
    cond, params, _, _ = fts_sql(exclude)
    return {r[0] for r in case.query(f"SELECT d.turn_id FROM search_docs d WHERE {cond}", params)}


register_fulltext("postgresql", FullText(lexical=lexical, excluded_turns=excluded_turns))
