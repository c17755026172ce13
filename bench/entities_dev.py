"""Entity P/R/F1 on a gold file with the gold turns as input (the tuning loop for analysis A).

    python bench/entities_dev.py [../shared/eval/dev_gold.jsonl] [--misses] [--no-natasha]
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from listeningpost.analyze.document import build_document
from listeningpost.analyze.entities import extract_entities
from listeningpost.evaluation.extraction import score_entities

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev_gold.jsonl"


def main(argv: list[str]) -> None:
    args = [a for a in argv if not a.startswith("--")]
    path = Path(args[0]) if args else DEFAULT
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    pairs = []
    t0 = time.perf_counter()
    for item in items:
        doc = build_document([t for t in item.get("turns", []) if t.get("text")])
        extract_entities(doc, use_natasha="--no-natasha" not in argv)
        pairs.append((item, {"entities": [asdict(e) for e in doc.entities]}))
    elapsed = time.perf_counter() - t0
    result = score_entities(pairs)
    print(f"{len(items)} calls in {elapsed:.2f} s ({len(items) / elapsed:.1f} calls/s, incl. model load)")
    print(f"ALL          P {result['precision']:.3f}  R {result['recall']:.3f}  F1 {result['f1']:.3f}")
    for etype, r in result["per_type"].items():
        print(f"{etype:13s}P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}  gold {r['gold']:3d}  pred {r['pred']:3d}")
    if "--misses" in argv:
        for cid, d in result["per_call"].items():
            if d["missed"] or d["false"]:
                print(cid, "\n   missed:", d["missed"], "\n   false: ", d["false"])


if __name__ == "__main__":
    main(sys.argv[1:])
