"""Calls per second for the whole analyze stage (text layer, entities, claims, themes) on 2 cores.

Input: the real transcripts in ../shared/data/transcripts (radio_analyzer + prigozhin), run through
``analyze_turns`` in a pool of worker processes with one math thread each (as `lpost process --workers 2`
does), or with ``--workers 1`` in this process with the default thread policy (as `lpost process` and
`lpost eval` do by default), once without and once with embeddings. Workers are warmed up (models
loaded) before timing. Besides the wall-clock rate (which depends on what else runs on the machine) it
prints the CPU time per call (all threads of the worker) and the rate that CPU time allows on free
cores (calls side by side / CPU seconds per call). Goal: >= 10 calls/s with embeddings on 2 cores.
Usage: python bench/analyze_speed.py [--workers 2] [--repeat 2]
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


def _init(embeddings: bool, threads: int | None = None) -> None:
    global _EMB
    _EMB = embeddings
    if threads:  # the job executor's policy: the worker processes share the cores
        from listeningpost.threads import thread_env

        for var, value in thread_env(threads).items():
            os.environ.setdefault(var, value)
    _work([{"text": "Сегодня наших 6 трёхсотых, нас обстреливают, мама, хочу домой."}])  # load models


def _work(turns: list[dict]) -> tuple[int, float]:
    """Claims found and the CPU seconds the call took (all threads of this process)."""
    from listeningpost.analyze.stage import analyze_turns
    from listeningpost.analyze.themes import ThemeOptions

    cpu = time.process_time()
    out = analyze_turns(turns, ThemeOptions(embeddings=_EMB))
    return len(out["claims"]), time.process_time() - cpu


def measure(calls: list[list[dict]], workers: int, embeddings: bool) -> tuple[float, float]:
    """(calls per second, mean CPU seconds per call)."""
    if workers <= 1:  # in this process, as the inline executor runs it
        _init(embeddings)
        t0 = time.perf_counter()
        done = [_work(c) for c in calls]
    else:
        from listeningpost.threads import thread_count

        threads = thread_count(workers=workers)
        with Pool(workers, initializer=_init, initargs=(embeddings, threads)) as pool:
            pool.starmap(_init, [(embeddings, threads)] * workers)  # every worker warm
            t0 = time.perf_counter()
            done = pool.map(_work, calls, chunksize=1)
    return len(calls) / (time.perf_counter() - t0), sum(cpu for _, cpu in done) / len(calls)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    calls = _calls() * args.repeat
    words = sum(len(t["text"].split()) for c in calls for t in c)
    cores = os.cpu_count() or 1
    lanes = min(args.workers, cores)  # calls analysed side by side
    print(f"{len(calls)} calls, {words / len(calls):.0f} words per call, {args.workers} workers, {cores} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    base, base_cpu = measure(calls, args.workers, embeddings=False)
    print(f"without embeddings: {base:.1f} calls/s; CPU {base_cpu * 1000:.0f} ms per call "
          f"({lanes / base_cpu:.1f} calls/s on {lanes} free cores)")
    emb, emb_cpu = measure(calls, args.workers, embeddings=True)
    print(f"with embeddings:    {emb:.1f} calls/s ({emb / base:.2f} x the rate without); CPU {emb_cpu * 1000:.0f} ms "
          f"per call ({lanes / emb_cpu:.1f} calls/s on {lanes} free cores; goal >= 10 calls/s)")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
