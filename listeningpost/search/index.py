"""Lexical index: one ``search_docs`` row per turn, mirrored into the FTS5 table ``search_fts``.

Columns: ``text`` (exact word forms, for "phrases"), ``lemmas`` (inflection-free words), and
``translation`` (English, Porter-stemmed). Writing is per call and incremental: a turn whose
indexed form (``sig``) did not change is left alone. Triggers (migration 0400) drop docs of deleted or
edited turns and mark their calls in ``search_dirty``; ``refresh_dirty`` re-indexes those calls.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import bindparam, delete, select
from sqlalchemy.sql import ColumnElement

from listeningpost.search.backends import backend_for
from listeningpost.store.case import Case
from listeningpost.store.layers import turn_ids
from listeningpost.store.sql import in_ids, insert_for
from listeningpost.store.tables import calls, search_dirty, search_docs, translations, turns
from listeningpost.text import fts

DOC_COLUMNS = ("turn_id", "call_id", "text", "lemmas", "translation", "lang", "speaker", "sig")


@dataclass
class TurnDoc:
    """What the index reads from a turn (picklable: the stage ships it to a worker)."""

    turn_id: int
    call_id: int
    text: str
    lang: str | None
    speaker: str | None
    translation: str = ""


@dataclass
class DocRow:
    turn_id: int
    call_id: int
    text: str
    lemmas: str
    translation: str
    lang: str | None
    speaker: str | None
    sig: str


def doc_sig(doc: TurnDoc) -> str:
    blob = "\x1f".join([doc.text, doc.lang or "", doc.speaker or "", doc.translation])
    return hashlib.blake2b(blob.encode(), digest_size=12).hexdigest()


def best_english(turn_id: Any) -> ColumnElement:
    """The turn's English translation to show and index: human first, then analyst-edited, then the
    newest machine one (a scalar subquery, correlated to ``turn_id``)."""
    tr = translations
    return (select(tr.c.text).where(tr.c.turn_id == turn_id, tr.c.lang == "en")
            .order_by((tr.c.engine == "human").desc(), tr.c.edited.desc(), tr.c.id.desc()).limit(1)
            .scalar_subquery())


def load_docs(case: Case, call_ids: Iterable[int]) -> list[TurnDoc]:
    """Turns of the calls with their best English translation (human, then analyst-edited, then machine)."""
    rows = case.query(
        select(turns.c.id, turns.c.call_id, turns.c.text, turns.c.language, turns.c.speaker,
               calls.c.language.label("call_lang"), best_english(turns.c.id).label("en"))
        .join(calls, calls.c.id == turns.c.call_id).where(in_ids(turns.c.call_id, call_ids))
        .order_by(turns.c.call_id, turns.c.idx))
    return [TurnDoc(r["id"], r["call_id"], r["text"] or "", r["language"] or r["call_lang"], r["speaker"], r["en"] or "")
            for r in rows]


def build_row(doc: TurnDoc) -> DocRow:
    lang = doc.lang if doc.lang in ("ru", "uk") else fts.guess_lang(doc.text)
    return DocRow(
        turn_id=doc.turn_id, call_id=doc.call_id, text=fts.fold(doc.text),
        lemmas=fts.lemmatize(doc.text, lang), translation=doc.translation, lang=doc.lang,
        speaker=doc.speaker, sig=doc_sig(doc),
    )


def write_docs(case: Case, call_id: int, rows: list[DocRow]) -> int:
    """Make the call's docs equal ``rows`` (changed ones re-inserted); returns how many were written.
    Call inside ``case.transaction()``; rows of turns that no longer exist are skipped."""
    db = case.db
    current = {r[0]: r[1] for r in db.execute(
        select(search_docs.c.turn_id, search_docs.c.sig).where(search_docs.c.call_id == call_id))}
    live = turn_ids(case, call_id)
    wanted = {r.turn_id: r for r in rows if r.turn_id in live}
    stale = [tid for tid, sig in current.items() if tid not in wanted or wanted[tid].sig != sig]
    db.executemany(delete(search_docs).where(search_docs.c.turn_id == bindparam("stale")), [{"stale": t} for t in stale])
    fresh = [r for tid, r in wanted.items() if current.get(tid) != r.sig]
    db.executemany(_replace_docs(db), [{k: getattr(r, k) for k in DOC_COLUMNS} for r in fresh])
    return len(fresh)


def _replace_docs(db: Any):
    """INSERT into search_docs, replacing the row of the same turn (SQLite's ``INSERT OR REPLACE``)."""
    stmt = insert_for(db)(search_docs)
    return stmt.on_conflict_do_update(index_elements=["turn_id"],
                                      set_={k: stmt.excluded[k] for k in DOC_COLUMNS if k != "turn_id"})


def _drop_dirty(case: Case, call_ids: list[int]) -> None:
    case.db.execute(delete(search_dirty).where(search_dirty.c.call_id.in_(call_ids)))


def index_calls(case: Case, call_ids: Iterable[int], embedder=None) -> dict[str, int]:
    """Lexical (and, given an embedder, semantic) index of the calls, then clear their dirty marks."""
    from listeningpost.search import vectors

    ids = list(call_ids)
    stats = {"calls": 0, "docs": 0, "vectors": 0}
    for start in range(0, len(ids), 200):
        part = ids[start:start + 200]
        docs = load_docs(case, part)
        by_call: dict[int, list[DocRow]] = {c: [] for c in part}
        for doc in docs:
            by_call[doc.call_id].append(build_row(doc))
        with_tr = vectors.case_embeds_translations(case)
        pending = vectors.pending_chunks(case, docs, embedder.model_id, with_tr) if embedder else []
        embedded = vectors.embed_chunks(embedder, pending) if pending else []
        with case.transaction():
            for call_id, rows in by_call.items():
                stats["docs"] += write_docs(case, call_id, rows)
                stats["calls"] += 1
            if embedder:
                stats["vectors"] += vectors.write_vectors(case, docs, embedded, embedder.model_id, with_tr)
            _drop_dirty(case, part)
    return stats


def refresh_dirty(case: Case, embedder=None, limit: int = 200) -> dict[str, int]:
    """Re-index calls whose turns/translations changed since they were indexed (cheap when none)."""
    ids = [r[0] for r in case.query(select(search_dirty.c.call_id).limit(limit))]
    existing = {r[0] for r in case.query(select(calls.c.id).where(calls.c.id.in_(ids)))}
    gone = [c for c in ids if c not in existing]
    if gone:
        with case.transaction():
            case.db.execute(delete(search_docs).where(search_docs.c.call_id.in_(gone)))
            _drop_dirty(case, gone)
    return index_calls(case, [c for c in ids if c not in gone], embedder)


def reindex(case: Case, embedder=None, rebuild: bool = False) -> dict[str, int]:
    """Index every call. ``rebuild`` drops the lexical index first (vectors are kept and reused
    when the embedded text is unchanged)."""
    from listeningpost.search import vectors

    backend = backend_for(case)
    if rebuild:
        with case.transaction():
            case.db.execute(delete(search_docs))
            backend.rebuild(case)
    ids = [r[0] for r in case.query(select(calls.c.id).order_by(calls.c.id))]
    stats = index_calls(case, ids, embedder)
    with case.transaction():
        # calls deleted meanwhile: drop what is left of them (index_calls cleared the others' marks)
        case.db.execute(delete(search_docs).where(search_docs.c.call_id.not_in(select(calls.c.id))))
        case.db.execute(delete(search_dirty).where(search_dirty.c.call_id.not_in(select(calls.c.id))))
        backend.optimize(case)
    if embedder is not None:
        vectors.vector_index(case, embedder).sync()
    return stats
