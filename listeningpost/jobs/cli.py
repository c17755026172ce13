"""`lpost process`, `lpost status`, `lpost retry`."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, List, Optional

import typer

from listeningpost.cliutil import CaseOpt, JsonOpt, console, fail, open_case, out, print_json


def parse_stage_options(stages: list[str], opts: list[str], shared: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``--opt stage.key=value`` for one stage; shared options (--engine, --model, ...) go to the
    stages whose factory accepts them, and must not be ambiguous."""
    from listeningpost.pipeline import STAGES, load_stage_plugins

    load_stage_plugins()
    per_stage: dict[str, dict[str, Any]] = {s: {} for s in stages}
    for item in opts:
        if "=" not in item or "." not in item.split("=", 1)[0]:
            raise typer.BadParameter(f"--opt expects stage.key=value, got {item!r}")
        key, value = item.split("=", 1)
        stage, name = key.split(".", 1)
        if stage not in per_stage:
            raise typer.BadParameter(f"--opt for a stage not being run: {stage}")
        per_stage[stage][name.replace("-", "_")] = value
    for name, value in shared.items():
        if value is None:
            continue
        takers = [s for s in stages if s in STAGES and name in inspect.signature(STAGES[s]).parameters]
        if not takers:
            raise typer.BadParameter(f"no selected stage takes --{name}")
        if len(takers) > 1:
            raise typer.BadParameter(f"--{name} is ambiguous ({', '.join(takers)}): use --opt STAGE.{name}=VALUE")
        per_stage[takers[0]].setdefault(name, value)
    return per_stage


def process(
    stages: Optional[str] = typer.Option(None, "--stages", "-s", help="Comma-separated stages (default: all available)."),
    workers: int = typer.Option(1, "--workers", "-w", help="Worker processes (1 = in this process)."),
    executor: str = typer.Option("local", help="local or ray."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Ray cluster: auto or ray://HOST:PORT."),
    engine: Optional[str] = typer.Option(None, help="Engine for the stage that takes one (e.g. translate)."),
    model: Optional[str] = typer.Option(None, help="Model for the one selected stage that takes one."),
    language: Optional[str] = typer.Option(None, help="Force the language (speech)."),
    speakers: Optional[int] = typer.Option(None, help="Number of speakers (speech diarization)."),
    opt: List[str] = typer.Option([], "--opt", help="Stage option: STAGE.KEY=VALUE (repeatable)."),
    call: List[str] = typer.Option([], "--call", help="Only these calls (repeatable)."),
    force: bool = typer.Option(False, help="Re-run items already done (analyst edits are kept)."),
    case: Optional[Path] = CaseOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Run pipeline stages over the case (resumable: only what is not done yet)."""
    from listeningpost.jobs.executors import make_executor
    from listeningpost.pipeline import available_stages

    c = open_case(case)
    names = [s.strip() for s in stages.split(",")] if stages else available_stages()
    unknown = [s for s in names if s not in available_stages()]
    if unknown:
        fail(f"unknown stage(s): {', '.join(unknown)}; available: {', '.join(available_stages())}")
    try:
        options = parse_stage_options(names, opt, {"engine": engine, "model": model, "language": language,
                                                    "speakers": speakers})
    except typer.BadParameter as exc:
        fail(str(exc))
    call_ids = [c.resolve_call(x) for x in call] or None
    exec_opts = {"address": ray_address} if ray_address else {}
    try:
        ex = make_executor(executor, workers=workers, **exec_opts)
    except (KeyError, RuntimeError) as exc:
        fail(str(exc))
    reports = run_stages(c, ex, names, options, call_ids, force, as_json)
    summary = [{"stage": r.stage, "done": r.done, "failed": r.failed, "waiting": r.skipped,
                "run_id": r.run_id, "errors": r.errors} for r in reports]
    if as_json:
        print_json({"stages": summary})
    else:
        for r in summary:
            out.print(f"{r['stage']}: {r['done']} done, {r['failed']} failed"
                      + (f", {r['waiting']} waiting for earlier stages" if r["waiting"] else ""))
            for e in r["errors"][:20]:
                out.print(f"  call {e['call']}: {e['error']}", markup=False)
    if any(r["failed"] for r in summary):
        raise typer.Exit(1)


def run_stages(c, ex, stages: list[str], options: dict[str, dict[str, Any]] | None = None,
               call_ids: list[int] | None = None, force: bool = False, as_json: bool = False,
               display=console) -> list:
    """Run the stages one after the other under the case's runner lock, with a progress display on
    ``display``; the executor is closed afterwards. Fails (exit 2) when another runner holds the case."""
    from listeningpost.jobs.runner import RunnerBusy, run_stage, runner_lock
    from listeningpost.pipeline import make_stage
    from listeningpost.progress import StageProgress

    reports = []
    try:
        # every stage is made (and its options checked) before any of them runs
        made = [make_stage(name, **(options or {}).get(name, {})) for name in stages]
    except ValueError as exc:  # e.g. --opt analyze.engine=unknown
        ex.close()
        fail(str(exc))
    try:
        with runner_lock(c), StageProgress(display, disabled=as_json) as progress:
            for stage in made:
                reports.append(run_stage(c, stage, ex, call_ids, force, on_progress=progress))
    except RunnerBusy as exc:
        fail(str(exc))
    finally:
        ex.close()
    return reports


def status(case: Optional[Path] = CaseOpt, as_json: bool = JsonOpt) -> None:
    """Counts per stage and the failed items with their reasons."""
    from rich.table import Table

    from listeningpost.jobs.runner import JOB_STATES, status as case_status

    data = case_status(open_case(case))
    if as_json:
        print_json(data)
        return
    out.print(f"{data['sources']} sources, {data['calls']} calls, {data['turns']} turns")
    table = Table("stage", *JOB_STATES)
    for stage, counts in data["stages"].items():
        table.add_row(stage, *(str(counts[s]) for s in JOB_STATES))
    out.print(table)
    for f in data["failed"]:
        out.print(f"[red]failed[/red] {f['stage']} call {f['call']}: ", end="")
        out.print(f["error"] or "", markup=False)
    for f in data["ingest_failed"]:
        out.print("[red]ingest failed[/red] ", end="")
        out.print(f"{f['path']}: {f['error']}", markup=False)


def retry(
    failed: bool = typer.Option(True, "--failed/--no-failed", help="Retry failed items (the default)."),
    stages: Optional[str] = typer.Option(None, "--stages", "-s", help="Only these stages."),
    workers: int = typer.Option(1, "--workers", "-w"),
    case: Optional[Path] = CaseOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Re-queue failed items and run them again."""
    from listeningpost.jobs.executors import make_executor
    from listeningpost.jobs.runner import reset_failed
    from listeningpost.pipeline import available_stages

    c = open_case(case)
    names = [s.strip() for s in stages.split(",")] if stages else available_stages()
    n = reset_failed(c, names) if failed else 0
    ex = make_executor("local", workers=workers)
    reports = run_stages(c, ex, names, as_json=as_json)
    summary = {"requeued": n, "stages": [{"stage": r.stage, "done": r.done, "failed": r.failed,
                                           "errors": r.errors} for r in reports]}
    if as_json:
        print_json(summary)
    else:
        out.print(f"re-queued {n} failed item(s)")
        for r in summary["stages"]:
            out.print(f"{r['stage']}: {r['done']} done, {r['failed']} failed")
    if any(r["failed"] for r in summary["stages"]):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(process)
    app.command()(status)
    app.command()(retry)
