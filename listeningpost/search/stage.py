"""Stage "index": lexical docs (lemmas) and sentence embeddings for one call.

Runs after speech/translate/analyze but requires none of them: it indexes whatever the call has.
Cheap and idempotent: unchanged turns are skipped (``sig``), and only chunks whose text changed are
embedded. Lemmatising and embedding happen in ``compute`` (worker); ``save`` writes both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete

from listeningpost.pipeline import Stage, coerce_option, register
from listeningpost.search import index, vectors
from listeningpost.store.case import Case
from listeningpost.store.tables import search_dirty

INDEX_VERSION = 1


@dataclass
class IndexItem:
    docs: list[index.TurnDoc]
    pending: list[vectors.Chunk]
    embedder: str | None


@dataclass
class IndexResult:
    docs: list[index.TurnDoc]
    rows: list[index.DocRow]
    embedded: list[tuple[vectors.Chunk, Any]]


@register("index")
class IndexStage(Stage):
    name = "index"
    requires = ()

    def __init__(self, embedder: str | None = None, semantic: bool | str = True, translations: bool | str | None = None):
        self.embedder = embedder
        # --opt index.semantic=false arrives as a string
        self.semantic = coerce_option(semantic, True)
        # None: the case setting search.translation_vectors (default on)
        self.translations = None if translations is None else coerce_option(translations, True)

    def _embedder_name(self, case: Case | None = None) -> str:
        if self.embedder:
            return self.embedder
        return vectors.case_embedder_name(case) if case is not None else vectors.DEFAULT_EMBEDDER

    def _translations(self, case: Case) -> bool:
        return vectors.case_embeds_translations(case) if self.translations is None else self.translations

    def settings(self) -> dict[str, Any]:
        return {
            "engine": "fts5+pymorphy3" + ("+embeddings" if self.semantic else ""),
            "model": vectors.model_id_for(self._embedder_name()) if self.semantic else None,
            "chunk_words": vectors.CHUNK_WORDS,
            "translation_vectors": self.translations,
            "version": INDEX_VERSION,
        }

    def load(self, case: Case, call_id: int) -> IndexItem:
        docs = index.load_docs(case, [call_id])
        name = self._embedder_name(case) if self.semantic else None
        pending = vectors.pending_chunks(case, docs, vectors.model_id_for(name), self._translations(case)) if name else []
        return IndexItem(docs, pending, name)

    def compute(self, item: IndexItem) -> IndexResult:
        rows = [index.build_row(d) for d in item.docs]
        embedded = vectors.embed_chunks(vectors.get_embedder(item.embedder), item.pending) \
            if item.embedder and item.pending else []
        return IndexResult(item.docs, rows, embedded)

    def save(self, case: Case, call_id: int, result: IndexResult, run_id: int) -> None:
        index.write_docs(case, call_id, result.rows)
        if self.semantic:
            model_id = vectors.model_id_for(self._embedder_name(case))
            vectors.write_vectors(case, result.docs, result.embedded, model_id, self._translations(case))
        case.db.execute(delete(search_dirty).where(search_dirty.c.call_id == call_id))
