"""Translate a gold file (default ../shared/eval/mt_dev.jsonl) with one engine and print chrF,
glossary accuracy and speed -- the figures `lpost eval` reports, without the rest of the pipeline.

    python bench/translate_mt_dev.py --engine llm [--model PATH] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

from listeningpost.evaluation.translation import score
from listeningpost.records import Turn
from listeningpost.store.case import Case, now
from listeningpost.store.layers import replace_turns
from listeningpost.store.views import call_document
from listeningpost.translate.stream import translate_case

DEFAULT_GOLD = Path(__file__).resolve().parents[2] / "shared" / "eval" / "mt_dev.jsonl"


def add_gold_call(case: Case, item: dict) -> int:
    sha = hashlib.sha256(item["id"].encode()).hexdigest()
    with case.transaction() as db:
        src = db.execute(
            "INSERT INTO sources(sha256, original_name, archive_path, size, kind, format, added_at) VALUES (?,?,?,?,?,?,?)",
            (sha, item["id"], f"archive/{sha}.json", 0, "transcript", "json-gold", now()),
        ).lastrowid
        call_id = db.execute("INSERT INTO calls(source_id, external_id, language, created_at) VALUES (?,?,?,?)",
                             (src, item["id"], item.get("lang", "ru"), now())).lastrowid
        replace_turns(case, call_id, [Turn(t.get("text") or "", speaker=t.get("speaker")) for t in item["turns"]],
                      None, "import")
    return call_id


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold", nargs="?", default=str(DEFAULT_GOLD))
    ap.add_argument("--engine", default=None)
    ap.add_argument("--model", default=None)
    ap.add_argument("--limit", type=int, default=None, help="first N gold items only")
    ap.add_argument("--ids", default=None, help="comma-separated gold ids (suffix match) only")
    ap.add_argument("--opt", action="append", default=[], help="engine option KEY=VALUE (e.g. chunk_chars=120)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    items = [json.loads(line) for line in open(args.gold, encoding="utf-8") if line.strip()][: args.limit]
    if args.ids:
        wanted = args.ids.split(",")
        items = [it for it in items if any(it["id"].endswith(w) for w in wanted)]
    with tempfile.TemporaryDirectory() as tmp:
        case = Case.open(Path(tmp) / "case")
        ids = [add_gold_call(case, it) for it in items]
        chars = sum(len(t.get("text") or "") for it in items for t in it["turns"])
        t0 = time.perf_counter()
        options = dict(o.split("=", 1) for o in args.opt)
        report = translate_case(case, engine=args.engine, model=args.model, call_ids=ids, **options)
        elapsed = time.perf_counter() - t0
        t1 = time.perf_counter()
        again = translate_case(case, engine=args.engine, model=args.model, call_ids=ids, only_missing=False, **options)
        cached_elapsed = time.perf_counter() - t1
        result = score([(it, call_document(case, cid)) for it, cid in zip(items, ids)])["translation"]
        case.close()
    result.update(calls=len(items), source_chars=chars, seconds=round(elapsed, 1),
                  chars_per_second=round(chars / elapsed, 1), failed=report["failed"],
                  rerun_seconds=round(cached_elapsed, 2), rerun_from_cache=again["cached"])
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        per_call = result.pop("per_call")
        for k, v in per_call.items():
            print(f"{k}\tchrF {v['chrf']:.1f}\tglossary {v['glossary_rendered']}/{v['glossary_terms']}")
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
