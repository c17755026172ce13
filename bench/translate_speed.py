"""Translation speed figures (printed, not asserted): engine throughput on real turns, a cached
re-run against the first run in the same process, and glossary matching throughput.

    python bench/translate_speed.py [--engine llm] [--model PATH] [--turns 20]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from listeningpost.records import Turn
from listeningpost.store.case import Case, now
from listeningpost.store.layers import replace_turns
from listeningpost.translate.glossary import default_glossary
from listeningpost.translate.stream import translate_case

GOLD = Path(__file__).resolve().parents[2] / "shared" / "eval" / "mt_dev.jsonl"


def real_turns(limit: int) -> list[str]:
    texts = [t["text"] for line in open(GOLD, encoding="utf-8") for t in json.loads(line)["turns"] if t.get("text")]
    return [t for t in texts if len(t) < 300][:limit]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", default=None)
    ap.add_argument("--model", default=None)
    ap.add_argument("--turns", type=int, default=20)
    args = ap.parse_args()
    texts = real_turns(args.turns)
    chars = sum(map(len, texts))

    g = default_glossary()
    corpus = texts * max(1, 2000 // len(texts))
    t0 = time.perf_counter()
    found = sum(len(g.find(t)) for t in corpus)
    gl = time.perf_counter() - t0
    print(f"glossary: {len(corpus)} turns in {gl:.2f} s ({len(corpus) / gl:.0f} turns/s, {found} terms)")

    with tempfile.TemporaryDirectory() as tmp:
        case = Case.open(Path(tmp) / "case")
        with case.transaction() as db:
            src = db.execute("INSERT INTO sources(sha256, original_name, archive_path, size, kind, format, added_at)"
                             " VALUES ('bench', 'bench', 'archive/bench', 0, 'transcript', 'json', ?)", (now(),)).lastrowid
            call = db.execute("INSERT INTO calls(source_id, created_at) VALUES (?, ?)", (src, now())).lastrowid
            replace_turns(case, call, [Turn(t) for t in texts], None, "import")
        t0 = time.perf_counter()
        first = translate_case(case, engine=args.engine, model=args.model)
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = translate_case(case, engine=args.engine, model=args.model, only_missing=False)
        warm = time.perf_counter() - t0
        case.close()
    print(f"engine {first['engine']} / {first['model']}: {len(texts)} turns, {chars} chars in {cold:.1f} s"
          f" = {chars / cold:.1f} source chars/s, {cold / len(texts):.2f} s/turn")
    print(f"cached re-run: {warm:.3f} s ({again['cached']} from cache), {cold / max(warm, 1e-6):.0f}x faster than the first run")


if __name__ == "__main__":
    main()
