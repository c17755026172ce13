"""Retrieval quality of `listeningpost.search` on the real transcripts.

Queries: bench/search_queries.jsonl (English and Russian, written by reading the dev transcripts in
../shared/data/transcripts; relevant turns marked "external_id#turn_index"). Prints recall@10 and MRR
for lexical, semantic and hybrid search, overall and per query language.

    .venv/bin/python bench/search_quality.py [--case DIR] [--k 10] [--json]

Without --case it ingests radio_analyzer + prigozhin into a temporary case and indexes it (the
embeddings take about a minute and a half on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LPOST_SHARED", REPO.parent / "shared"))
QUERIES = REPO / "bench" / "search_queries.jsonl"


def build_case(root: Path):
    from listeningpost.ingest.ingest import ingest_paths
    from listeningpost.search import index, vectors
    from listeningpost.store.case import Case

    case = Case.open(root)
    if case.one("SELECT COUNT(*) FROM calls")[0] == 0:
        ingest_paths(case, [SHARED / "data/transcripts/radio_analyzer", SHARED / "data/transcripts/prigozhin"])
    t0 = time.perf_counter()
    stats = index.reindex(case, vectors.get_embedder())
    print(f"indexed: {stats} in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    return case


def turn_keys(case) -> dict[int, str]:
    rows = case.query("SELECT t.id, c.external_id, t.idx FROM turns t JOIN calls c ON c.id = t.call_id")
    return {r[0]: f"{r[1]}#{r[2]}" for r in rows}


def evaluate(case, queries: list[dict], k: int) -> dict:
    from listeningpost.search.api import search

    keys = turn_keys(case)
    known = set(keys.values())
    missing = [rel for q in queries for rel in q["relevant"] if rel not in known]
    if missing:
        raise SystemExit(f"relevant turns not in the case: {missing[:5]}")
    report: dict = {}
    for mode in ("lexical", "semantic", "hybrid"):
        per_lang: dict[str, list[tuple[float, float]]] = {}
        times = []
        for q in queries:
            t0 = time.perf_counter()
            res = search(case, q["query"], mode=mode, limit=k, facets=False)
            times.append(time.perf_counter() - t0)
            ranked = [keys[h.turn_id] for h in res.hits]
            relevant = set(q["relevant"])
            recall = len(relevant & set(ranked[:k])) / len(relevant)
            rr = next((1.0 / (i + 1) for i, key in enumerate(ranked[:k]) if key in relevant), 0.0)
            per_lang.setdefault(q["lang"], []).append((recall, rr))
            per_lang.setdefault("all", []).append((recall, rr))
        report[mode] = {
            lang: {"queries": len(v), f"recall@{k}": round(sum(r for r, _ in v) / len(v), 3),
                   "mrr": round(sum(m for _, m in v) / len(v), 3)}
            for lang, v in per_lang.items()
        }
        report[mode]["mean_ms"] = round(1000 * sum(times) / len(times), 1)
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", type=Path, help="case folder to (re)use; default: a temporary one")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    queries = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        case = build_case(args.case or Path(tmp) / "case")
        report = evaluate(case, queries, args.k)
        case.close()
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{len(queries)} queries ({sum(q['lang'] == 'en' for q in queries)} en, {sum(q['lang'] == 'ru' for q in queries)} ru)")
    print(f"{'mode':<10}{'lang':<6}{'recall@' + str(args.k):>10}{'MRR':>8}")
    for mode, by_lang in report.items():
        for lang in ("all", "en", "ru"):
            if lang in by_lang:
                v = by_lang[lang]
                print(f"{mode:<10}{lang:<6}{v['recall@' + str(args.k)]:>10.3f}{v['mrr']:>8.3f}")
        print(f"{mode:<10}mean latency {by_lang['mean_ms']} ms")


if __name__ == "__main__":
    main()
