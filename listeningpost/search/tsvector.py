"""The PostgreSQL search backend: a match tree as a condition on the tsvector columns of ``search_docs``.

The same match tree the FTS5 backend renders as a MATCH string (``listeningpost.search.query``)
becomes a boolean SQL condition over the generated columns of ``search_docs`` (pg twin of migration
0400, ``listeningpost/scale/pg_migrations``): ``text_tsv`` and ``lemmas_tsv`` ('simple': already
folded forms and lemmas) and ``translation_tsv`` ('english': Porter stemming like FTS5's porter).
Words use ``phraseto_tsquery`` (in order, adjacent), prefixes ``word:*``. ``fts_sql`` ranks with a
weighted sum of ``ts_rank_cd``; the search path (``lexical``) ranks with ``bm25_sql``, FTS5's BM25
formula (IDF per phrase, column weights, k1 = 1.2, b = 0.75, the row's token count), where a
phrase's frequency is its rarest word's count, so hit order stays close to SQLite's.

    cond, rank = fts_sql(compiled.match, weights=(1.0, 1.0, 0.8))
    rows = case.query(select(search_docs.c.turn_id, rank.label("r")).where(cond).order_by(desc("r")))

Conditions are Core expressions (PostgreSQL functions and the generated columns, which
``store.tables`` leaves out); nothing here imports the PostgreSQL driver.
"""

from __future__ import annotations

import math
import operator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import reduce
from typing import Iterator

from sqlalchemy import BigInteger, Float, Integer, Text, and_, cast, false, func, literal, literal_column, not_, or_, \
    select, true
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.elements import Grouping

from listeningpost.search.backends import BACKENDS
from listeningpost.search.query import COLUMNS, AllOf, AnyOf, InColumns, Without, Words
from listeningpost.store.tables import search_docs as docs

CONFIG = {"text": "simple", "lemmas": "simple", "translation": "english"}
K1, B = 1.2, 0.75  # FTS5's bm25 constants
# the generated columns of search_docs on PostgreSQL (not in store.tables: SQLite has none)
TSV = {col: literal_column(f"search_docs.{col}_tsv") for col in COLUMNS}
NTOK = literal_column("search_docs.ntok", Integer)


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


def _number(x: float) -> ColumnElement:
    """A constant written into the SQL (as the formula reads; numeric literals on PostgreSQL)."""
    return literal_column(repr(float(x)), Float)


def _divided(a: ColumnElement, b: ColumnElement) -> ColumnElement:
    """``a / b`` as written (no CAST of ``b``: the formula's literals keep PostgreSQL's numeric arithmetic)."""
    return a.op("/")(b).self_group()


def _tsquery(leaf: _Leaf, column: str) -> ColumnElement:
    """The leaf's tsquery on one column."""
    cfg = literal_column(f"'{CONFIG[column]}'")
    if leaf.prefix:
        words = leaf.text.split()
        quoted = " <-> ".join("'" + w.replace("'", "''").replace("\\", "\\\\") + "'" for w in words) + ":*"
        return func.to_tsquery(cfg, literal(quoted, Text))
    return func.phraseto_tsquery(cfg, literal(leaf.text, Text))


def _matches(leaf: _Leaf) -> ColumnElement:
    return or_(*(TSV[col].op("@@", is_comparison=True)(_tsquery(leaf, col)) for col in leaf.columns))


def fts_sql(tree, weights: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> tuple[ColumnElement, ColumnElement]:
    """(condition, rank expression) of a match tree over ``search_docs``."""
    weight = dict(zip(COLUMNS, weights))
    rank_terms: list[ColumnElement] = []

    def cond(node, positive: bool) -> ColumnElement:
        if isinstance(node, _Leaf):
            if positive:
                rank_terms.extend(_number(weight[col]) * func.ts_rank_cd(TSV[col], _tsquery(node, col), type_=Float)
                                  for col in node.columns)
            return _matches(node)
        op, children = node
        if op == "NOT":
            return and_(cond(children[0], positive), not_(cond(children[1], False)))
        parts = [cond(child, positive) for child in children]
        return or_(*parts) if op == "OR" else and_(*parts)

    condition = cond(_flatten(tree), True)
    return condition, _sum(rank_terms)


def _sum(terms: list[ColumnElement]) -> ColumnElement:
    return reduce(operator.add, terms) if terms else literal_column("0", Float)


def _leaves(node, positive: bool = True) -> list[_Leaf]:
    if isinstance(node, _Leaf):
        return [node] if positive else []
    op, children = node
    if op == "NOT":
        return _leaves(children[0], positive)
    return [leaf for child in children for leaf in _leaves(child, positive)]


def _term_frequency(leaf: _Leaf, column: str) -> ColumnElement:
    """How often the leaf's phrase occurs in the row's column (its rarest word's count)."""
    if leaf.prefix:
        words = array([literal(leaf.text.lower(), Text)])
    else:
        words = func.tsvector_to_array(func.to_tsvector(literal_column(f"'{CONFIG[column]}'"), literal(leaf.text, Text)))
    return func.lp_tf(TSV[column], words, true() if leaf.prefix else false(), type_=Integer)


def bm25_sql(case, tree, weights) -> ColumnElement:
    """FTS5's bm25 over the positive phrases of a match tree (higher is better), as a SQL expression.

    Like FTS5: IDF from the rows matching each phrase, a phrase's frequency summed over its columns
    with the column weights, and length normalisation by the row's token count (all columns)."""
    weight = dict(zip(COLUMNS, weights))
    n_rows, avg_len = case.one(select(func.count(), func.coalesce(func.avg(NTOK), 0)).select_from(docs))
    avg_len = float(avg_len) or 1.0
    terms = []
    for leaf in _leaves(_flatten(tree)):
        hits = case.one(select(func.count()).select_from(docs).where(_matches(leaf)))[0]
        idf = math.log((n_rows - hits + 0.5) / (hits + 0.5))
        idf = idf if idf > 0 else 1e-6
        freq = Grouping(_sum([_number(weight[col]) * _term_frequency(leaf, col) for col in leaf.columns]))
        length = (_number(1 - B) + _divided(_number(B) * NTOK, _number(avg_len))).self_group()
        terms.append(_divided(_number(idf) * freq * _number(K1 + 1), (freq + _number(K1) * length).self_group()))
    return _sum(terms)


@BACKENDS.register("postgresql")
class TsvectorBackend:
    def lexical(self, case, match, exclude, where, depth, weights, join_filtered, total_cap):
        if match is not None:
            cond, rank = fts_sql(match, weights)[0], bm25_sql(case, match, weights)
        else:
            cond, rank = true(), literal_column("0", Float)
        if exclude is not None:
            cond = and_(cond, not_(fts_sql(exclude)[0]))
        rank = rank.label("r")
        hits = join_filtered(select(docs.c.turn_id, rank).select_from(docs)).where(cond, where.clause)
        order = (rank.desc(), docs.c.turn_id) if match is not None else (docs.c.call_id, docs.c.turn_id)
        rows = case.query(hits.order_by(*order).limit(depth)) if depth else []
        counted = join_filtered(select(docs.c.turn_id).select_from(docs)).where(cond, where.clause).limit(total_cap)
        total = case.one(select(func.count()).select_from(counted.subquery("hits")))[0]
        return [(r[0], float(r[1])) for r in rows], total

    def excluded_turns(self, case, exclude) -> set[int]:
        return {r[0] for r in case.query(select(docs.c.turn_id).where(fts_sql(exclude)[0]))}

    def rebuild(self, case) -> None:
        """Nothing to do: the tsvector columns are generated from the row."""

    def optimize(self, case) -> None:
        """Nothing to do: PostgreSQL's GIN indexes are kept up to date by autovacuum."""

    def data_version(self, case) -> int:
        # changes whenever any transaction may have written (xids are handed out on first write)
        xmax = func.pg_snapshot_xmax(func.pg_current_snapshot())
        return case.one(select(cast(cast(xmax, Text), BigInteger)))[0]

    @contextmanager
    def short_lock_wait(self, case) -> Iterator[None]:
        yield  # writers queue for the case's write lock (store.case), as before
