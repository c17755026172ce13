"""`lpost eval GOLD.jsonl [--json]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Optional

import typer

from listeningpost.cliutil import JsonOpt, console, fail, out, print_json


def eval_(
    gold: Path = typer.Argument(..., help="Gold file (JSONL, ../shared/eval/FORMAT.md)."),
    stages: Optional[str] = typer.Option(None, "--stages", "-s", help="Stages to run (default: what the gold needs)."),
    engine: Optional[str] = typer.Option(None, help="Translation engine to evaluate."),
    model: Optional[str] = typer.Option(None, help="Model for the one stage that takes it (else --opt STAGE.model=...)."),
    opt: List[str] = typer.Option([], "--opt", help="Stage option STAGE.KEY=VALUE (repeatable)."),
    workers: int = typer.Option(1, "--workers", "-w"),
    limit: Optional[int] = typer.Option(None, help="Only the first N gold items."),
    keep_case: Optional[Path] = typer.Option(None, "--keep-case", help="Keep the evaluation case in this folder."),
    as_json: bool = JsonOpt,
) -> None:
    """Score the pipeline against a gold file: WER/CER, DER, chrF, entity/claim/theme P/R/F1."""
    from listeningpost.evaluation.runner import EvalError, EvalOptions, evaluate, load_gold, needed_stages
    from listeningpost.jobs.cli import parse_stage_options
    from listeningpost.progress import StageProgress

    if not gold.is_file():
        fail(f"no such gold file: {gold}")
    try:
        names = [s.strip() for s in stages.split(",")] if stages else needed_stages(load_gold(gold, limit))
        stage_options = parse_stage_options(names, opt, {"engine": engine, "model": model})
        with StageProgress(console, disabled=as_json) as progress:
            result = evaluate(gold, EvalOptions(stages=names, stage_options=stage_options, workers=workers,
                                                limit=limit, case_dir=keep_case), on_progress=progress)
    except (EvalError, typer.BadParameter) as exc:
        fail(str(exc))
    if as_json:
        print_json(result)
        return
    _print_result(result)


def _print_result(result: dict[str, Any]) -> None:
    out.print(f"{result['calls']} calls, stages: {', '.join(result['stages']) or 'none'}")
    for section in ("asr", "diarization", "translation", "entities", "claims", "themes"):
        if section in result:
            figures = {k: v for k, v in result[section].items() if not isinstance(v, dict)}
            out.print(f"{section}: " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                                 for k, v in figures.items()))
    for f in result.get("failed", []):
        out.print(f"failed {f['stage']} call {f['call']}: {f['error']}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_)
