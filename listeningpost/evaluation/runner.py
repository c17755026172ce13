"""The `lpost eval` driver: gold items -> a case -> the stages the gold needs -> scorer sections."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import select

from listeningpost.evaluation import SCORER_MODULES
from listeningpost.ingest.ingest import ingest_paths
from listeningpost.jobs.executors import make_executor
from listeningpost.jobs.runner import run_stage
from listeningpost.pipeline import available_stages, make_stage
from listeningpost.plugins import import_optional
from listeningpost.store import tables
from listeningpost.store.case import Case
from listeningpost.store.views import call_document

#: gold field -> stage that produces what it scores
STAGE_FOR_FIELD = {"translation_en": "translate", "entities": "analyze", "claims": "analyze", "themes": "analyze"}


class EvalError(Exception):
    pass


@dataclass
class EvalOptions:
    stages: list[str] | None = None  # default: what the gold needs
    stage_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    workers: int = 1
    limit: int | None = None
    case_dir: Path | None = None  # keep the evaluation case here (default: a temp folder)


def load_gold(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{path.name} line {n}: invalid JSON ({exc.msg})") from exc
        if not isinstance(item, dict) or "id" not in item:
            raise EvalError(f"{path.name} line {n}: each line must be an object with an 'id'")
        items.append(item)
    if not items:
        raise EvalError(f"{path.name}: no gold items")
    return items[:limit] if limit else items


def needed_stages(items: list[dict[str, Any]]) -> list[str]:
    wanted = {"speech"} if any(i.get("audio") for i in items) else set()
    for item in items:
        wanted |= {stage for key, stage in STAGE_FOR_FIELD.items() if item.get(key)}
    order = available_stages()
    if missing := wanted - set(order):
        raise EvalError(f"the gold needs stage(s) not installed: {', '.join(sorted(missing))}")
    return [s for s in order if s in wanted]


def _ingest_gold(case: Case, gold_path: Path, items: list[dict[str, Any]], workdir: Path) -> dict[str, int]:
    """Gold id -> call id. Audio items ingest their recording; text items only their gold turns
    (never the gold translation or annotations, which would leak the answers)."""
    mapping: dict[str, int] = {}
    if text_items := [i for i in items if not i.get("audio")]:
        lines = [
            json.dumps({"id": i["id"], "lang": i.get("lang"),
                        "turns": [{"speaker": t.get("speaker"), "text": t.get("text"),
                                   "start": t.get("start"), "end": t.get("end")} for t in i.get("turns", [])]},
                       ensure_ascii=False)
            for i in text_items
        ]
        path = workdir / "gold_turns.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = ingest_paths(case, [path])
        _raise_failures(report)
        item = report.items[0]
        calls = item.calls if item.calls else [
            r[0] for r in case.query(select(tables.calls.c.id).where(tables.calls.c.source_id == item.source_id)
                                     .order_by(tables.calls.c.idx))]
        mapping.update({i["id"]: c for i, c in zip(text_items, calls)})
    for i in items:
        if i.get("audio"):
            audio = (gold_path.parent / i["audio"]).resolve()
            report = ingest_paths(case, [audio], {"language": i.get("lang")})
            _raise_failures(report)
            mapping[i["id"]] = report.items[0].calls[0]
    return mapping


def _raise_failures(report) -> None:
    if failed := [x for x in report.items if x.status == "failed"]:
        raise EvalError(f"cannot ingest {failed[0].path}: {failed[0].error}")


def evaluate(gold_path: Path, options: EvalOptions | None = None,
             on_progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    options = options or EvalOptions()
    items = load_gold(gold_path, options.limit)
    stages = options.stages or needed_stages(items)
    with tempfile.TemporaryDirectory(prefix="lpost-eval-") as tmp:
        case_dir = options.case_dir or Path(tmp) / "case"
        case = Case.open(case_dir)
        mapping = _ingest_gold(case, gold_path, items, Path(tmp))
        executor = make_executor("local", workers=options.workers)
        try:
            for name in stages:
                stage = make_stage(name, **options.stage_options.get(name, {}))
                run_stage(case, stage, executor, call_ids=sorted(set(mapping.values())), on_progress=on_progress)
        finally:
            executor.close()
        pairs = [(item, call_document(case, mapping[item["id"]])) for item in items]
        result: dict[str, Any] = {"calls": len(items), "stages": stages}
        jobs = tables.jobs
        if failed := case.query(select(jobs.c.stage, jobs.c.call_id, jobs.c.error).where(jobs.c.status == "failed")):
            result["failed"] = [{"stage": r[0], "call": r[1], "error": r[2]} for r in failed]
        for module_name in SCORER_MODULES:
            if (module := import_optional(module_name)) is not None:
                result.update(module.score(pairs))
        case.close()
    return result
