"""Calls per second for the whole analyze stage (text layer, entities, claims, themes) on 2 cores.

Input: the real transcripts in ../shared/data/transcripts (radio_analyzer + prigozhin), run through
``analyze_turns`` in a pool of worker processes (as `lpost process --workers 2` does), once without and
once with embeddings. Workers are warmed up (models loaded) before timing. Goal: >= 10 calls/s with
embeddings. Usage: python bench/analyze_speed.py [--workers 2] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from multiprocessing import Pool
from pathlib import Path

SHARED = Path(os.environ.get("LPOST_SHARED", Path(__file__).resolve().parents[2] / "shared"))


def _calls() -> list[list[dict]]:
    calls = []
    for path in sorted((SHARED / "data" / "transcripts").glob("*/*.json")):
        turns = [{"text": t["text"], "speaker": t.get("speaker"), "start_s": t.get("start_s")}
                 for t in json.loads(path.read_text(encoding="utf-8"))["turns"] if t.get("text")]
        if turns:
            calls.append(turns)
    return calls


_EMB = False


def _init(embeddings: bool) -> None:
    global _EMB
    _EMB = embeddings
    # one compute thread per worker process: workers already fill the cores, and OpenMP threads
    # spinning against each other on 2 shared cores made embedding ~10x slower
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    _work([{"text": "Сегодня наших 6 трёхсотых, нас обстреливают, мама, хочу домой."}])  # load models


def _work(turns: list[dict]) -> int:
    from listeningpost.analyze.stage import analyze_turns
    from listeningpost.analyze.themes import ThemeOptions

    out = analyze_turns(turns, ThemeOptions(embeddings=_EMB))
    return len(out["claims"])


def measure(calls: list[list[dict]], workers: int, embeddings: bool) -> tuple[float, int]:
    with Pool(workers, initializer=_init, initargs=(embeddings,)) as pool:
        pool.map(_init, [embeddings] * workers)  # every worker warm
        t0 = time.perf_counter()
        n_claims = sum(pool.map(_work, calls, chunksize=1))
        return len(calls) / (time.perf_counter() - t0), n_claims


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    calls = _calls() * args.repeat
    words = sum(len(t["text"].split()) for c in calls for t in c)
    print(f"{len(calls)} calls, {words / len(calls):.0f} words per call, {args.workers} workers, "
          f"load average {os.getloadavg()[0]:.1f}")
    base, _ = measure(calls, args.workers, embeddings=False)
    print(f"without embeddings: {base:.1f} calls/s")
    emb, _ = measure(calls, args.workers, embeddings=True)
    print(f"with embeddings:    {emb:.1f} calls/s ({emb / base:.2f} x the rate without; goal >= 10 calls/s)")


if __name__ == "__main__":
    main()
