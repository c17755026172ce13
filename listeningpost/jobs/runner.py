"""The job runner: one (stage, call) job row per item, driven through an executor.

State changes are single transactions: claiming marks a job ``running``; saving the results and
marking it ``done`` happen in one transaction. A kill -9 leaves jobs ``running`` with no results;
the next run (which holds the case's runner lock) resets them to ``pending``. Nothing is lost and
nothing is saved twice.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from listeningpost.jobs.executors import Executor, Outcome, describe_error
from listeningpost.pipeline import Stage
from listeningpost.store.case import Case, now
from listeningpost.store.layers import finish_run, start_run

JOB_STATES = ("pending", "running", "done", "failed")


class RunnerBusy(RuntimeError):
    pass


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
        if case.db_url:  # PostgreSQL: coordinators on other machines share the database, not this file
            with case.backend.runner_lock(case, RunnerBusy):
                yield
        else:
            yield
    finally:
        os.close(fd)


def _required_done(case: Case, stage: Stage, call_id: int) -> bool:
    from listeningpost.pipeline import make_stage

    for name in stage.requires:
        row = case.one("SELECT status FROM jobs WHERE stage=? AND call_id=?", (name, call_id))
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
    ids = call_ids if call_ids is not None else [r[0] for r in case.query("SELECT id FROM calls ORDER BY id")]
    with case.transaction():
        case.db.execute("UPDATE jobs SET status='pending', updated_at=? WHERE stage=? AND status='running'",
                        (now(), stage.name))
        for call_id in ids:
            if not stage.applies_to(case, call_id):
                continue
            row = case.one("SELECT status, settings_hash FROM jobs WHERE stage=? AND call_id=?", (stage.name, call_id))
            if row is None:
                case.db.execute(
                    "INSERT INTO jobs(stage, call_id, status, settings_hash, updated_at) VALUES (?,?,?,?,?)",
                    (stage.name, call_id, "pending", settings_hash, now()),
                )
            elif row["status"] in ("done", "failed") and (force or row["settings_hash"] != settings_hash):
                case.db.execute(
                    "UPDATE jobs SET status='pending', error=NULL, settings_hash=?, updated_at=? WHERE stage=? AND call_id=?",
                    (settings_hash, now(), stage.name, call_id),
                )


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
    sql = "SELECT call_id FROM jobs WHERE stage=? AND status='pending'"
    pending = [r[0] for r in case.query(sql + " ORDER BY call_id", (stage.name,))]
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
    settings = stage.settings()
    with case.transaction():
        report.run_id = start_run(case, stage.name, settings)
    settings_hash = stage.settings_hash()

    def loader(call_id: int) -> Callable[[], Any]:
        def load() -> Any:
            with case.transaction():
                case.db.execute(
                    "UPDATE jobs SET status='running', attempts=attempts+1, updated_at=? WHERE stage=? AND call_id=?",
                    (now(), stage.name, call_id),
                )
            return stage.load(case, call_id)

        return load

    finished = 0
    for outcome in executor.run(stage, ((c, loader(c)) for c in ready)):
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
                case.db.execute(
                    "UPDATE jobs SET status='done', error=NULL, run_id=?, settings_hash=?, updated_at=?"
                    " WHERE stage=? AND call_id=?",
                    (report.run_id, settings_hash, now(), stage.name, call_id),
                )
            report.done += 1
            return
        except Exception as exc:  # a save that fails leaves no partial rows (rolled back)
            outcome = Outcome(call_id, False, error="saving results failed: " + describe_error(exc))
    with case.transaction():
        case.db.execute(
            "UPDATE jobs SET status='failed', error=?, run_id=?, updated_at=? WHERE stage=? AND call_id=?",
            (outcome.error, report.run_id, now(), stage.name, call_id),
        )
    report.failed += 1
    report.errors.append({"call": call_id, "error": outcome.error})


def status(case: Case) -> dict[str, Any]:
    """Counts per stage and every failed item with its reason (`lpost status --json`)."""
    stages: dict[str, dict[str, int]] = {}
    for r in case.query("SELECT stage, status, COUNT(*) AS n FROM jobs GROUP BY stage, status"):
        stages.setdefault(r["stage"], {s: 0 for s in JOB_STATES})[r["status"]] = r["n"]
    failed = [
        {"stage": r["stage"], "call": r["call_id"], "error": r["error"], "attempts": r["attempts"], "at": r["updated_at"]}
        for r in case.query("SELECT * FROM jobs WHERE status='failed' ORDER BY stage, call_id")
    ]
    ingest_failed = [
        {"path": r["path"], "error": r["error"], "at": r["at"]}
        for r in case.query("SELECT * FROM ingest_failures ORDER BY id DESC LIMIT 200")
    ]
    counts = case.one("SELECT (SELECT COUNT(*) FROM sources), (SELECT COUNT(*) FROM calls), (SELECT COUNT(*) FROM turns)")
    return {
        "sources": counts[0], "calls": counts[1], "turns": counts[2],
        "stages": stages, "failed": failed, "ingest_failed": ingest_failed,
    }


def reset_failed(case: Case, stages: list[str] | None = None) -> int:
    with case.transaction():
        if stages:
            marks = ",".join("?" * len(stages))
            cur = case.db.execute(
                f"UPDATE jobs SET status='pending', updated_at=? WHERE status='failed' AND stage IN ({marks})",
                (now(), *stages),
            )
        else:
            cur = case.db.execute("UPDATE jobs SET status='pending', updated_at=? WHERE status='failed'", (now(),))
    return cur.rowcount
