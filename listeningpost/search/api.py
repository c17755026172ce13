"""The one search API, used by `lpost search` and the web app.

    from listeningpost.search.api import search
    result = search(case, 'танк NOT "в лесу" lang:ru', filters={"publisher": ["SBU"]},
                    mode="hybrid", limit=20, offset=0, translit=False)
    result.total            # matching turns (lexical, counted up to TOTAL_CAP: see total_exact);
                            # in semantic mode the number of ranked turns
    result.hits[0]          # Hit(call_id, turn_id, speaker, start_s, end_s, text, snippet_html,
                            #     translation, score, link, call_external_id, call_title, idx, lexical_rank,
                            #     semantic_rank)
    result.facets           # {"publisher": [{"value", "count"}], "lang", "speaker", "published",
                            #  "claim", "theme", "entity": {TYPE: [{"value", "count"}]}, "status"}
    result.to_dict()        # JSON-ready (schema listeningpost.search/1)

``query`` uses the language in ``listeningpost.search.query`` (words match any inflection, "exact
phrases", OR, NOT, field:value filters). ``filters`` takes the same fields as a dict of lists (or
single strings) and is AND-ed with filters written in the query. ``mode``: ``lexical`` (bm25 of the
case's search backend, ``listeningpost.search.backends``: FTS5 on SQLite, tsvector on PostgreSQL),
``semantic`` (multilingual-e5 cosine; English finds Russian/Ukrainian), ``hybrid`` (reciprocal rank
fusion of both; the default). ``snippet_html`` is escaped text with the matched words in ``<mark>``.
Raises ``SearchError`` for a query or filter it cannot run.
"""

from __future__ import annotations

import html
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from sqlalchemy import func, select

from listeningpost.search.backends import SearchError, backend_for
from listeningpost.search.facets import FilterError, build_filters, compute_facets, join_filtered
from listeningpost.search.index import best_english, refresh_dirty
from listeningpost.search.query import Compiled, QueryError, compile_query, parse
from listeningpost.store.case import Case
from listeningpost.store.sql import in_ids
from listeningpost.store.tables import calls, search_dirty, search_docs as docs, turns
from listeningpost.text import fts

SCHEMA = "listeningpost.search/1"
Mode = Literal["hybrid", "lexical", "semantic"]
RRF_K = 60                 # reciprocal rank fusion constant (Cormack et al. 2009)
FUSE_DEPTH = 100           # ranks taken from each list for fusion
FACET_CAP = 1000           # facets count over at most this many best hits
TOTAL_CAP = 10000          # lexical matches are counted up to this ("10000+"); keeps common words fast
EXACT_SUBSET = 20000       # filtered semantic search scores candidates exactly up to this many
SNIPPET_WORDS = 40
BM25_WEIGHTS = (1.0, 1.0, 0.8)  # text, lemmas, translation
SHORT_TURN_WORDS = 4       # turns shorter than this lose up to SHORT_TURN_PENALTY cosine
SHORT_TURN_PENALTY = 0.02  # (tuned on bench/search_queries.jsonl: semantic recall@10 0.69 -> 0.72)


@dataclass
class Hit:
    call_id: int
    turn_id: int
    speaker: str | None
    start_s: float | None
    end_s: float | None
    text: str
    snippet_html: str
    translation: str | None
    score: float
    link: str
    call_external_id: str | None = None
    call_title: str | None = None
    idx: int | None = None
    lexical_rank: int | None = None
    semantic_rank: int | None = None


@dataclass
class SearchResult:
    query: str
    mode: str
    hits: list[Hit]
    total: int
    facets: dict[str, Any] = field(default_factory=dict)
    filters: dict[str, list[str]] = field(default_factory=dict)
    offset: int = 0
    limit: int = 20
    total_exact: bool = True      # False: total is TOTAL_CAP and there are more matches
    facets_exact: bool = True     # False: facets count the FACET_CAP best hits only

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["schema"] = SCHEMA
        return data


def _norm_filters(filters: dict[str, Any] | None) -> dict[str, list[str]]:
    return {key: [str(v) for v in value] if isinstance(value, (list, tuple, set)) else [str(value)]
            for key, value in (filters or {}).items() if not (value is None or value == "" or value == [])}


def search(
    case: Case,
    query: str = "",
    filters: dict[str, Any] | None = None,
    mode: Mode = "hybrid",
    limit: int = 20,
    offset: int = 0,
    translit: bool = False,
    facets: bool = True,
    embedder: str | None = None,
) -> SearchResult:
    if mode not in ("hybrid", "lexical", "semantic"):
        raise SearchError(f"mode is hybrid, lexical or semantic, not {mode!r}")
    _refresh(case)
    parsed = parse(query)
    merged = _norm_filters(filters)
    for key, values in parsed.filters.items():
        merged.setdefault(key, []).extend(values)
    try:
        compiled = compile_query(parsed, translit=translit)
        where = build_filters(merged)
    except (QueryError, FilterError) as exc:
        raise SearchError(str(exc)) from exc

    need = offset + limit
    lexical: list[tuple[int, float]] = []
    semantic: list[tuple[int, float]] = []
    total = 0
    use_semantic = mode != "lexical" and bool(compiled.semantic_text.strip())
    if mode != "semantic" or not use_semantic:
        lexical, total = _lexical(case, compiled, where, need if mode == "lexical" else max(FUSE_DEPTH, need))
    if use_semantic:
        semantic = _semantic(case, compiled, where, max(FUSE_DEPTH, need) if mode == "hybrid" else need, embedder)

    if mode == "lexical" or not use_semantic:
        ranked = lexical
    elif mode == "semantic":
        ranked = semantic
        total = len(semantic)
    else:
        ranked = _fuse(lexical, semantic)
        total = max(total, len(ranked))
    lex_rank = {t: i + 1 for i, (t, _) in enumerate(lexical)}
    sem_rank = {t: i + 1 for i, (t, _) in enumerate(semantic)}
    page = ranked[offset:offset + limit]
    hits = _hydrate(case, page, compiled, lex_rank, sem_rank)
    facet_ids: list[int] = []
    if facets:
        lex_ids = [t for t, _ in lexical]
        if mode != "semantic" and total > len(lexical):
            lex_ids = [t for t, _ in _lexical(case, compiled, where, FACET_CAP)[0]]
        facet_ids = list(dict.fromkeys(lex_ids + [t for t, _ in semantic]))
    return SearchResult(
        query=query, mode=mode, hits=hits, total=total,
        facets=compute_facets(case, facet_ids[:FACET_CAP]) if facets else {},
        filters=merged, offset=offset, limit=limit,
        total_exact=total < TOTAL_CAP, facets_exact=len(facet_ids) <= FACET_CAP and total <= FACET_CAP,
    )


def _refresh(case: Case) -> None:
    """Index calls changed since the last index run (edits, new translations) before searching;
    skipped when another process holds the write lock (the index stage will catch up)."""
    if case.one(select(search_dirty.c.call_id).limit(1)) is None:
        return
    try:
        with backend_for(case).short_lock_wait(case):
            refresh_dirty(case)
    except sqlite3.OperationalError:
        pass


def _lexical(case: Case, compiled: Compiled, where, depth: int) -> tuple[list[tuple[int, float]], int]:
    return backend_for(case).lexical(case, compiled.match, compiled.exclude, where, depth, BM25_WEIGHTS,
                                     join_filtered, TOTAL_CAP)


def _semantic(case: Case, compiled: Compiled, where, k: int, embedder_name: str | None) -> list[tuple[int, float]]:
    """Nearest turns, re-ranked with a prior against one-to-three-word turns ("Да.", "Нету."), whose
    e5 vectors sit close to almost any query."""
    found = _nearest(case, compiled, where, 2 * k, embedder_name)
    if not found:
        return []
    # words in the turn: the spaces between its lemmas, plus one
    words = func.length(docs.c.lemmas) - func.length(func.replace(docs.c.lemmas, " ", "")) + 1
    lengths = dict(case.query(select(docs.c.turn_id, words).where(in_ids(docs.c.turn_id, [t for t, _ in found]))))
    rescored = [(t, s - SHORT_TURN_PENALTY * max(0, SHORT_TURN_WORDS - lengths.get(t, SHORT_TURN_WORDS)) / (SHORT_TURN_WORDS - 1))
                for t, s in found]
    return sorted(rescored, key=lambda ts: -ts[1])[:k]


def _nearest(case: Case, compiled: Compiled, where, k: int, embedder_name: str | None) -> list[tuple[int, float]]:
    from listeningpost.search import vectors

    embedder = vectors.get_embedder(embedder_name or vectors.case_embedder_name(case))
    index = vectors.vector_index(case, embedder)
    qvec = embedder.embed_query(compiled.semantic_text)
    excluded: set[int] = set()
    if compiled.exclude is not None:
        excluded = backend_for(case).excluded_turns(case, compiled.exclude)
    if where.where:
        passing = join_filtered(select(docs.c.turn_id).select_from(docs)).where(where.clause)
        candidates = [r[0] for r in case.query(passing.limit(EXACT_SUBSET + 1))]
        if len(candidates) <= EXACT_SUBSET:
            found = index.search(qvec, k + len(excluded), turn_ids=[t for t in candidates if t not in excluded])
            return [(t, s) for t, s in found if t not in excluded][:k]
        # a broad filter: approximate search, widened (by the pass rate seen) until enough hits pass
        want = k * 4
        while True:
            found = index.search(qvec, want)
            ok = {r[0] for r in case.query(passing.where(in_ids(docs.c.turn_id, [t for t, _ in found])))}
            kept = [(t, s) for t, s in found if t in ok and t not in excluded]
            if len(kept) >= k or len(found) < want:
                return kept[:k]
            rate = max(len(kept), 1) / max(len(found), 1)
            want = int(min(max(want * 2, 1.5 * k / rate), want * 16))
    found = index.search(qvec, k + len(excluded))
    return [(t, s) for t, s in found if t not in excluded][:k]


def _fuse(*lists: list[tuple[int, float]]) -> list[tuple[int, float]]:
    scores: dict[int, float] = {}
    for ranked in lists:
        for rank, (turn_id, _) in enumerate(ranked[:FUSE_DEPTH]):
            scores[turn_id] = scores.get(turn_id, 0.0) + 1.0 / (RRF_K + rank + 1)
    return sorted(scores.items(), key=lambda kv: -kv[1])


# -- hits ----------------------------------------------------------------------------------------
def _hydrate(case: Case, page: list[tuple[int, float]], compiled: Compiled, lex_rank, sem_rank) -> list[Hit]:
    if not page:
        return []
    ids = [t for t, _ in page]
    shown = (select(turns.c.id, turns.c.call_id, turns.c.idx, turns.c.speaker, turns.c.start_s, turns.c.end_s,
                    turns.c.text, calls.c.external_id, calls.c.title, best_english(turns.c.id).label("en"))
             .join(calls, calls.c.id == turns.c.call_id))
    rows = {r["id"]: r for r in case.query(shown.where(in_ids(turns.c.id, ids)))}
    return [Hit(call_id=r["call_id"], turn_id=turn_id, speaker=r["speaker"], start_s=r["start_s"],
                end_s=r["end_s"], text=r["text"], snippet_html=snippet_html(r["text"], compiled),
                translation=r["en"], score=round(float(score), 6),
                link=f"/calls/{r['call_id']}#t={r['start_s'] or 0:g}", call_external_id=r["external_id"],
                call_title=r["title"], idx=r["idx"],
                lexical_rank=lex_rank.get(turn_id), semantic_rank=sem_rank.get(turn_id))
            for turn_id, score in page if (r := rows.get(turn_id)) is not None]


def _marked_spans(text: str, compiled: Compiled) -> list[tuple[int, int]]:
    tokens = list(fts.WORD_RE.finditer(text))
    folded = [fts.fold(m.group(0)) for m in tokens]
    marked = set()
    for i, m in enumerate(tokens):
        word, low = m.group(0), folded[i]
        if low in compiled.forms or any(low.startswith(p) for p in compiled.prefixes):
            marked.add(i)
        elif compiled.lemmas and fts.is_cyrillic(word) and fts.lemma(word, fts.guess_lang(word)) in compiled.lemmas:
            marked.add(i)
    for phrase in compiled.phrases:
        n = len(phrase)
        for i in range(len(folded) - n + 1):
            if folded[i:i + n] == phrase:
                marked.update(range(i, i + n))
    return [(tokens[i].start(), tokens[i].end()) for i in sorted(marked)]


def snippet_html(text: str, compiled: Compiled, words: int = SNIPPET_WORDS) -> str:
    """Escaped text with matches in <mark>; long turns are cut to a window around the first match."""
    spans = _marked_spans(text, compiled)
    lo, hi = 0, len(text)
    tokens = list(fts.WORD_RE.finditer(text))
    if len(tokens) > words:
        first = next((i for i, m in enumerate(tokens) if spans and m.start() == spans[0][0]), 0)
        a = max(0, first - words // 3)
        b = min(len(tokens), a + words)
        lo = tokens[a].start() if a > 0 else 0
        hi = tokens[b - 1].end() if b < len(tokens) else len(text)
    out, pos = [], lo
    for s, e in spans:
        if s < lo or e > hi:
            continue
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:hi]))
    return ("… " if lo > 0 else "") + "".join(out) + (" …" if hi < len(text) else "")
