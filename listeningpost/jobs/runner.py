"""The job runner: one (stage, call) job row per item, driven through an executor.

State changes are single transactions: claiming marks a job ``running``; saving the results and
marking it ``done`` happen in one transaction. A kill -9 leaves jobs ``running`` with no results;
the next run (which holds the case's runner lock) resets them to ``pending``. Nothing is lost and
nothing is saved twice.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Iterator

from sqlalchemy import func, insert, select, update

from listeningpost.jobs.executors import Executor, Outcome, describe_error
from listeningpost.pipeline import Stage
from listeningpost.store.case import Case, now
from listeningpost.store.layers import finish_run, start_run
from listeningpost.store.tables import calls, ingest_failures, jobs, sources, turns

JOB_STATES = ("pending", "running", "done", "failed")
_IN_LIST_MAX = 500  # ids per ``IN (...)`` list: well under either database's parameter limit


class RunnerBusy(RuntimeError):
    pass


def _job(stage: str, call_id: int):
    """The WHERE clause of one (stage, call) job row."""
    return (jobs.c.stage == stage) & (jobs.c.call_id == call_id)


@dataclass
class StageReport:
    stage: str
    done: int = 0
    failed: int = 0
    skipped: int = 0
    run_id: int | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def runner_lock(case: Case) -> Iterator[None]:
    """One runner per case at a time (a second `lpost process` would double-claim items)."""
    path = case.root / ".runner.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise RunnerBusy(f"another `lpost process` is running on {case.root}") from exc
        # PostgreSQL: coordinators on other machines share the database, not this file
        with case.backend.runner_lock(case, RunnerBusy) if case.db_url else nullcontext():
            yield
    finally:
        os.close(fd)


def _required_done(case: Case, stage: Stage, call_id: int) -> bool:
    from listeningpost.pipeline import make_stage

    for name in stage.requires:
        row = case.one(select(jobs.c.status).where(_job(name, call_id)))
        if row is None:
            # the required stage does not apply to this call (e.g. speech for a transcript)
            try:
                if not make_stage(name).applies_to(case, call_id):
                    continue
            except KeyError:
                continue
            return False
        if row["status"] != "done":
            return False
    return True


def enqueue(case: Case, stage: Stage, call_ids: list[int] | None = None, force: bool = False) -> None:
    """Create pending jobs for calls the stage applies to; re-queue finished jobs whose settings changed."""
    settings_hash = stage.settings_hash()
    ids = call_ids if call_ids is not None else [r[0] for r in case.query(select(calls.c.id).order_by(calls.c.id))]
    with case.transaction():
        case.db.execute(update(jobs).where((jobs.c.stage == stage.name) & (jobs.c.status == "running"))
                        .values(status="pending", updated_at=now()))
        existing = {r["call_id"]: r for r in case.query(
            select(jobs.c.call_id, jobs.c.status, jobs.c.settings_hash).where(jobs.c.stage == stage.name))}
        new, requeue = [], []
        for call_id in dict.fromkeys(ids):  # a call named twice gets one job
            if not stage.applies_to(case, call_id):
                continue
            row = existing.get(call_id)
            if row is None:
                new.append({"stage": stage.name, "call_id": call_id, "status": "pending",
                            "settings_hash": settings_hash, "updated_at": now()})
            elif row["status"] in ("done", "failed") and (force or row["settings_hash"] != settings_hash):
                requeue.append(call_id)
        case.db.executemany(insert(jobs), new)
        for start in range(0, len(requeue), _IN_LIST_MAX):
            case.db.execute(update(jobs).where((jobs.c.stage == stage.name)
                                               & jobs.c.call_id.in_(requeue[start:start + _IN_LIST_MAX]))
                            .values(status="pending", error=None, settings_hash=settings_hash, updated_at=now()))


def run_stage(
    case: Case,
    stage: Stage,
    executor: Executor,
    call_ids: list[int] | None = None,
    force: bool = False,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> StageReport:
    """Process every pending job of ``stage``; returns counts and the failures."""
    report = StageReport(stage.name)
    enqueue(case, stage, call_ids, force)
    pending = [r[0] for r in case.query(select(jobs.c.call_id).where((jobs.c.stage == stage.name)
                                                                      & (jobs.c.status == "pending"))
                                        .order_by(jobs.c.call_id))]
    if call_ids is not None:
        wanted = set(call_ids)
        pending = [c for c in pending if c in wanted]
    ready = [c for c in pending if _required_done(case, stage, c)]
    report.skipped = len(pending) - len(ready)
    total = len(ready)
    if on_progress:
        on_progress(stage.name, 0, total)
    if not ready:
        return report
    with case.transaction():
        report.run_id = start_run(case, stage.name, stage.settings())
    settings_hash = stage.settings_hash()

    def load(call_id: int) -> Any:
        with case.transaction():
            case.db.execute(update(jobs).where(_job(stage.name, call_id))
                            .values(status="running", attempts=jobs.c.attempts + 1, updated_at=now()))
        return stage.load(case, call_id)

    finished = 0
    for outcome in executor.run(stage, ((c, partial(load, c)) for c in ready)):
        _finish(case, stage, outcome, report, settings_hash)
        finished += 1
        if on_progress:
            on_progress(stage.name, finished, total)
    if report.done:
        stage.after_run(case)
    status = "done" if not report.failed else ("partial" if report.done else "failed")
    with case.transaction():
        finish_run(case, report.run_id, status, f"{report.failed} item(s) failed" if report.failed else None)
    return report


def _finish(case: Case, stage: Stage, outcome: Outcome, report: StageReport, settings_hash: str) -> None:
    call_id = outcome.key
    if outcome.ok:
        try:
            with case.transaction():
                stage.save(case, call_id, outcome.result, report.run_id)
                case.db.execute(update(jobs).where(_job(stage.name, call_id))
                                .values(status="done", error=None, run_id=report.run_id,
                                        settings_hash=settings_hash, updated_at=now()))
            report.done += 1
            return
        except Exception as exc:  # a save that fails leaves no partial rows (rolled back)
            outcome = Outcome(call_id, False, error="saving results failed: " + describe_error(exc))
    with case.transaction():
        case.db.execute(update(jobs).where(_job(stage.name, call_id))
                        .values(status="failed", error=outcome.error, run_id=report.run_id, updated_at=now()))
    report.failed += 1
    report.errors.append({"call": call_id, "error": outcome.error})


def progress(case: Case) -> dict[str, dict[str, int]]:
    """Number of jobs per stage and status (the states no job is in are left out)."""
    out: dict[str, dict[str, int]] = {}
    per_status = select(jobs.c.stage, jobs.c.status, func.count().label("n")).group_by(jobs.c.stage, jobs.c.status)
    for r in case.query(per_status):
        out.setdefault(r["stage"], {})[r["status"]] = r["n"]
    return out


def recent_ingest_failures(case: Case, limit: int = 200) -> list[Any]:
    """The files ingest could not read, newest first."""
    return case.query(select(ingest_failures).order_by(ingest_failures.c.id.desc()).limit(limit))


def status(case: Case) -> dict[str, Any]:
    """Counts per stage and every failed item with its reason (`lpost status --json`)."""
    stages = {stage: {s: 0 for s in JOB_STATES} | counts for stage, counts in progress(case).items()}
    failed = [
        {"stage": r["stage"], "call": r["call_id"], "error": r["error"], "attempts": r["attempts"], "at": r["updated_at"]}
        for r in case.query(select(jobs).where(jobs.c.status == "failed").order_by(jobs.c.stage, jobs.c.call_id))
    ]
    ingest_failed = [{"path": r["path"], "error": r["error"], "at": r["at"]} for r in recent_ingest_failures(case)]
    counts = case.one(select(*(select(func.count()).select_from(t).scalar_subquery() for t in (sources, calls, turns))))
    return {
        "sources": counts[0], "calls": counts[1], "turns": counts[2],
        "stages": stages, "failed": failed, "ingest_failed": ingest_failed,
    }


def reset_failed(case: Case, stages: list[str] | None = None) -> int:
    with case.transaction():
        stmt = update(jobs).where(jobs.c.status == "failed").values(status="pending", updated_at=now())
        if stages:
            stmt = stmt.where(jobs.c.stage.in_(stages))
        cur = case.db.execute(stmt)
    return cur.rowcount


def retry_job(case: Case, job_id: int) -> Any:
    """Put one failed job back to ``pending``; returns its row (None when there is no such job)."""
    job = case.one(select(jobs).where(jobs.c.id == job_id))
    if job is not None:
        case.db.execute(update(jobs).where((jobs.c.id == job_id) & (jobs.c.status == "failed"))
                        .values(status="pending", error=None, updated_at=now()))
    return job
