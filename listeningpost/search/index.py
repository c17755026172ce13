"""Lexical index: one ``search_docs`` row per turn, mirrored into the FTS5 table ``search_fts``.

Columns: ``text`` (exact word forms, for "phrases"), ``lemmas`` (inflection-free words), and
``translation`` (English, Porter-stemmed). Writing is per call and incremental: a turn whose
indexed form (``sig``) did not change is left alone. Triggers (migration 0400) drop docs of deleted or
edited turns and mark their calls in ``search_dirty``; ``refresh_dirty`` re-indexes those calls.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable

from listeningpost.store.case import Case
from listeningpost.text import fts


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


def load_docs(case: Case, call_ids: Iterable[int]) -> list[TurnDoc]:
    """Turns of the calls with their best English translation (human, then analyst-edited, then machine)."""
    ids = list(call_ids)
    docs: list[TurnDoc] = []
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        marks = ",".join("?" * len(part))
        rows = case.query(
            f"SELECT t.id, t.call_id, t.text, t.language, t.speaker, c.language AS call_lang,"
            f" (SELECT tr.text FROM translations tr WHERE tr.turn_id=t.id AND tr.lang='en'"
            f"   ORDER BY tr.engine='human' DESC, tr.edited DESC, tr.id DESC LIMIT 1) AS en"
            f" FROM turns t JOIN calls c ON c.id=t.call_id WHERE t.call_id IN ({marks}) ORDER BY t.call_id, t.idx",
            part,
        )
        docs.extend(
            TurnDoc(r["id"], r["call_id"], r["text"] or "", r["language"] or r["call_lang"], r["speaker"], r["en"] or "")
            for r in rows
        )
    return docs


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
    current = {r[0]: r[1] for r in db.execute("SELECT turn_id, sig FROM search_docs WHERE call_id=?", (call_id,))}
    live = {r[0] for r in db.execute("SELECT id FROM turns WHERE call_id=?", (call_id,))}
    wanted = {r.turn_id: r for r in rows if r.turn_id in live}
    stale = [tid for tid, sig in current.items() if tid not in wanted or wanted[tid].sig != sig]
    db.executemany("DELETE FROM search_docs WHERE turn_id=?", [(t,) for t in stale])
    fresh = [r for tid, r in wanted.items() if current.get(tid) != r.sig]
    db.executemany(
        "INSERT OR REPLACE INTO search_docs(turn_id, call_id, text, lemmas, translation, lang, speaker, sig)"
        " VALUES (?,?,?,?,?,?,?,?)",
        [(r.turn_id, r.call_id, r.text, r.lemmas, r.translation, r.lang, r.speaker, r.sig) for r in fresh],
    )
    return len(fresh)


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
            case.db.executemany("DELETE FROM search_dirty WHERE call_id=?", [(c,) for c in part])
    return stats


def refresh_dirty(case: Case, embedder=None, limit: int = 200) -> dict[str, int]:
    """Re-index calls whose turns/translations changed since they were indexed (cheap when none)."""
    ids = [r[0] for r in case.query("SELECT call_id FROM search_dirty LIMIT ?", (limit,))]
    if not ids:
        return {"calls": 0, "docs": 0, "vectors": 0}
    gone = [c for c in ids if case.one("SELECT 1 FROM calls WHERE id=?", (c,)) is None]
    if gone:
        with case.transaction():
            case.db.executemany("DELETE FROM search_docs WHERE call_id=?", [(c,) for c in gone])
            case.db.executemany("DELETE FROM search_dirty WHERE call_id=?", [(c,) for c in gone])
    return index_calls(case, [c for c in ids if c not in gone], embedder)


def reindex(case: Case, embedder=None, rebuild: bool = False) -> dict[str, int]:
    """Index every call. ``rebuild`` drops the lexical index first (vectors are kept and reused
    when the embedded text is unchanged)."""
    from listeningpost.search import vectors

    if rebuild:
        with case.transaction():
            case.db.execute("DELETE FROM search_docs")
            case.db.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    ids = [r[0] for r in case.query("SELECT id FROM calls ORDER BY id")]
    stats = index_calls(case, ids, embedder)
    with case.transaction():
        # calls deleted meanwhile: drop what is left of them (index_calls cleared the others' marks)
        case.db.execute("DELETE FROM search_docs WHERE call_id NOT IN (SELECT id FROM calls)")
        case.db.execute("DELETE FROM search_dirty WHERE call_id NOT IN (SELECT id FROM calls)")
        case.db.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    if embedder is not None:
        vectors.vector_index(case, embedder).sync()
    return stats
