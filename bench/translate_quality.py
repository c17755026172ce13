"""Translation quality per engine: chrF, fact recall and speed on real human-translated calls.

    .venv/bin/python bench/translate_quality.py [--models qwen,small] [--sets mt_dev,prigozhin] [--limit N]
                                                 [--json out.json]

Sets (read from ../shared, not copied):
* ``mt_dev``: eval/mt_dev.jsonl, 22 Radio-Analyzer calls with their human English, turn by turn;
* ``prigozhin``: data/transcripts/prigozhin, 12 statements with their human English (turns_english).
  The Radio-Analyzer German pivot translations are left out.

Each model translates every turn through the real translate stage (glossary, context, fact retry)
in a temporary case. Figures: chrF (sacrebleu, whole calls), glossary accuracy, fact recall (share of
the source's numbers, names, casualty codes and claim words found in the English, by
``translate.facts.check``; the human English is scored the same way as the reference point), the
share of lines flagged ``unfaithful``, and turns per second.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from listeningpost.evaluation.runner import EvalOptions, evaluate
from listeningpost.store.case import Case
from listeningpost.translate.facts import check

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def prigozhin_gold(shared: Path, out: Path) -> Path:
    """The Prigozhin statements as an eval gold file (turns + translation_en)."""
    rows = []
    for path in sorted((shared / "data/transcripts/prigozhin").glob("*.json")):
        d = json.loads(path.read_text())
        en = d.get("turns_english")
        if not en or len(en) != len(d["turns"]):
            continue
        rows.append({"id": "pz-" + path.stem, "lang": d.get("lang") or "ru",
                     "turns": [{"speaker": t.get("speaker") or "A", "text": t["text"]} for t in d["turns"]],
                     "translation_en": [e.get("text") if isinstance(e, dict) else e for e in en]})
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return out


def fact_recall(pairs: list[tuple[str, str]], lang: str = "ru") -> dict[str, Any]:
    """Share of source facts found in the English, and share of lines missing one."""
    facts = found = lines = flagged = 0
    for source, english in pairs:
        result = check(source, english or "", lang)
        if not result.facts:
            continue
        lines += 1
        facts += len(result.facts)
        found += len(result.facts) - len(result.missing)
        flagged += bool(result.missing)
    return {"fact_recall": round(found / facts, 4) if facts else None, "facts": facts,
            "lines_with_facts": lines, "unfaithful_share": round(flagged / lines, 4) if lines else None}


def machine_pairs(case_dir: Path) -> list[tuple[str, str]]:
    case = Case.open(case_dir)
    rows = case.query("SELECT t.text AS src, tr.text AS en FROM turns t JOIN translations tr ON tr.turn_id=t.id"
                      " WHERE tr.engine != 'human' AND tr.lang='en' ORDER BY t.call_id, t.idx")
    case.close()
    return [(r["src"], r["en"]) for r in rows]


def human_pairs(gold: Path, limit: int | None) -> list[tuple[str, str]]:
    rows = [json.loads(x) for x in gold.read_text().splitlines() if x.strip()][:limit]
    return [(t["text"], en or "") for r in rows for t, en in zip(r["turns"], r["translation_en"])]


def run_model(gold: Path, model: str, limit: int | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="lpost-mtbench-") as tmp:
        options = EvalOptions(stages=["translate"], limit=limit, case_dir=Path(tmp) / "case",
                              stage_options={"translate": {"engine": "llm", "model": model, "skip_human": False}})
        t0 = time.perf_counter()
        result = evaluate(gold, options)
        seconds = time.perf_counter() - t0
        pairs = machine_pairs(options.case_dir)
    tr = result.get("translation", {})
    return {"model": model, "chrf": tr.get("chrf"), "glossary_accuracy": tr.get("glossary_accuracy"),
            "turns": len(pairs), "seconds": round(seconds, 1),
            "turns_per_s": round(len(pairs) / seconds, 3) if seconds else None, **fact_recall(pairs),
            "failed": result.get("failed", [])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="qwen,small")
    ap.add_argument("--sets", default="mt_dev,prigozhin")
    ap.add_argument("--limit", type=int, default=None, help="first N calls of each set")
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()
    if not (args.shared / "eval/mt_dev.jsonl").exists():
        sys.exit(f"no shared data at {args.shared}")
    tmp = Path(tempfile.mkdtemp(prefix="lpost-mtgold-"))
    golds = {"mt_dev": args.shared / "eval/mt_dev.jsonl",
             "prigozhin": prigozhin_gold(args.shared, tmp / "prigozhin_gold.jsonl")}
    report: dict[str, Any] = {}
    for set_name in args.sets.split(","):
        gold = golds[set_name]
        human = fact_recall(human_pairs(gold, args.limit))
        report[set_name] = {"human": human, "models": []}
        print(f"\n{set_name}: human English fact recall {human['fact_recall']} "
              f"({human['facts']} facts in {human['lines_with_facts']} lines)", flush=True)
        print("model   chrF   glossary  fact recall  unfaithful  turns/s", flush=True)
        for model in args.models.split(","):
            r = run_model(gold, model, args.limit)
            report[set_name]["models"].append(r)
            print(f"{model:6s}  {r['chrf']:5.1f}  {r['glossary_accuracy']}     {r['fact_recall']}       "
                  f"{r['unfaithful_share']}      {r['turns_per_s']}  ({r['turns']} turns, {r['seconds']} s)",
                  flush=True)
            if args.json:
                args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
