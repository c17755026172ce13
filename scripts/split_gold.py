#!/usr/bin/env python3
"""Write the tune/test gold files of eval/split.json into a folder (issue 13).

dev_gold.jsonl lives in ../shared/eval and carries no statement that it may be copied into this
repository, so its records are not committed here: this script assembles the split files at run time
from ../shared/eval/dev_gold.jsonl (or $LPOST_SHARED/eval/dev_gold.jsonl) and eval/unseen_gold.jsonl.

    python scripts/split_gold.py OUT_DIR [--dev-gold PATH] [--unseen PATH] [--split PATH]

writes OUT_DIR/tune_gold.jsonl, OUT_DIR/test_gold.jsonl, the two parts of the tune set
(OUT_DIR/tune_dev_gold.jsonl: dev_gold calls; OUT_DIR/tune_new_gold.jsonl: new annotations) and the two
parts of the test set:
OUT_DIR/test_new_gold.jsonl (never seen by anyone tuning the rules) and OUT_DIR/test_seen_gold.jsonl
(held-out dev_gold calls that earlier sessions tuned on). Every id of split.json must be found exactly
once; every gold id must be in exactly one part. Prints counts only (no annotation content).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def default_dev_gold() -> Path:
    shared = os.environ.get("LPOST_SHARED")
    base = Path(shared) if shared else REPO.parent / "shared"
    return base / "eval" / "dev_gold.jsonl"


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--dev-gold", type=Path, default=None)
    ap.add_argument("--unseen", type=Path, default=REPO / "eval" / "unseen_gold.jsonl")
    ap.add_argument("--split", type=Path, default=REPO / "eval" / "split.json")
    a = ap.parse_args(argv)
    dev_path = a.dev_gold or default_dev_gold()
    if not dev_path.is_file():
        print(f"split_gold: {dev_path} not found (set LPOST_SHARED or --dev-gold)", file=sys.stderr)
        return 2
    split = json.loads(a.split.read_text(encoding="utf-8"))
    dev, unseen = read_jsonl(dev_path), read_jsonl(a.unseen)
    by_id: dict[str, dict] = {}
    origin: dict[str, str] = {}
    for name, recs in (("dev_gold", dev), ("unseen_gold", unseen)):
        for r in recs:
            if r["id"] in by_id:
                print(f"split_gold: duplicate id {r['id']}", file=sys.stderr)
                return 1
            by_id[r["id"]], origin[r["id"]] = r, name
    tune, test = split["tune"], split["test"]
    assigned = tune + test
    problems = [f"unknown id {i}" for i in assigned if i not in by_id]
    problems += [f"id in both parts or twice: {i}" for i in sorted(set(assigned)) if assigned.count(i) > 1]
    problems += [f"id in no part: {i}" for i in by_id if i not in assigned]
    if problems:
        print("split_gold: " + "; ".join(problems), file=sys.stderr)
        return 1
    a.out_dir.mkdir(parents=True, exist_ok=True)
    parts = {
        "tune_gold.jsonl": [by_id[i] for i in tune],
        "tune_dev_gold.jsonl": [by_id[i] for i in tune if origin[i] == "dev_gold"],
        "tune_new_gold.jsonl": [by_id[i] for i in tune if origin[i] == "unseen_gold"],
        "test_gold.jsonl": [by_id[i] for i in test],
        "test_new_gold.jsonl": [by_id[i] for i in test if origin[i] == "unseen_gold"],
        "test_seen_gold.jsonl": [by_id[i] for i in test if origin[i] == "dev_gold"],
    }
    for name, recs in parts.items():
        write_jsonl(a.out_dir / name, recs)
        print(f"{name}: {len(recs)} calls, {sum(len(r.get('turns') or []) for r in recs)} turns, "
              f"{sum(len(r.get('entities') or []) for r in recs)} entities, "
              f"{sum(len(r.get('claims') or []) for r in recs)} claims, "
              f"{sum(len(r.get('themes') or []) for r in recs)} themes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
