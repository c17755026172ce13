"""The job runner on real transcripts: resumable, idempotent, failures isolated, kill -9 safe."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import TRANSCRIPTS, kill_9_when, need_shared
from jobstage import WordCountStage
from listeningpost.ingest.ingest import ingest_paths
from listeningpost.jobs.executors import InlineExecutor, LocalExecutor
from listeningpost.jobs.runner import reset_failed, run_stage, status

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture
def real_case(case):
    ingest_paths(case, [need_shared(TRANSCRIPTS / "radio_analyzer")])
    return case


def word_counts(case) -> dict[int, float]:
    rows = case.query("SELECT call_id, score FROM themes WHERE theme='wordcount'")
    assert len(rows) == len({r[0] for r in rows}), "duplicate result rows"
    return {r[0]: r[1] for r in rows}


def expected_counts(case) -> dict[int, int]:
    return {
        c[0]: len(" ".join(r[0] for r in case.query("SELECT text FROM turns WHERE call_id=:call_id ORDER BY idx", {"call_id": c[0]})).split())
        for c in case.query("SELECT id FROM calls")
    }


def test_runs_every_call_once_and_is_idempotent(real_case):
    report = run_stage(real_case, WordCountStage(), InlineExecutor())
    assert report.done == 21 and report.failed == 0
    assert word_counts(real_case) == expected_counts(real_case)
    again = run_stage(real_case, WordCountStage(), InlineExecutor())
    assert again.done == 0 and again.run_id is None
    run = real_case.one("SELECT * FROM runs WHERE id=:id", {"id": report.run_id})
    assert run["stage"] == "wordcount" and run["status"] == "done" and json.loads(run["settings_json"])["version"] == "1"


def test_changed_settings_requeue(real_case):
    run_stage(real_case, WordCountStage(), InlineExecutor())
    report = run_stage(real_case, WordCountStage(version="2"), InlineExecutor())
    assert report.done == 21
    assert word_counts(real_case) == expected_counts(real_case)


def test_one_bad_item_fails_alone_then_retry(real_case):
    # "вертушк" occurs in exactly some real calls: those fail, the rest finish
    failing = {r[0] for r in real_case.query("SELECT DISTINCT call_id FROM turns WHERE text LIKE '%вертушк%'")}
    assert failing
    report = run_stage(real_case, WordCountStage(fail_on="вертушк"), InlineExecutor())
    assert report.failed == len(failing) and report.done == 21 - len(failing)
    st = status(real_case)
    assert st["stages"]["wordcount"]["failed"] == len(failing)
    assert {f["call"] for f in st["failed"]} == failing
    assert all("refusing text" in f["error"] for f in st["failed"])
    assert reset_failed(real_case, ["wordcount"]) == len(failing)
    again = run_stage(real_case, WordCountStage(fail_on="вертушк"), InlineExecutor())
    assert (again.done, again.failed) == (0, len(failing))  # same settings: only the failed ones re-run
    fixed = run_stage(real_case, WordCountStage(), InlineExecutor())
    assert fixed.done == 21  # changed settings re-queue every call
    assert word_counts(real_case) == expected_counts(real_case)


def test_process_pool_matches_inline(real_case, tmp_path):
    ex = LocalExecutor(workers=2)
    try:
        report = run_stage(real_case, WordCountStage(), ex)
    finally:
        ex.close()
    assert report.done == 21
    assert word_counts(real_case) == expected_counts(real_case)
    pids = {r[0] for r in real_case.query("SELECT evidence_json FROM themes WHERE theme='wordcount'")}
    assert str(os.getpid()) not in pids  # computed in worker processes


RUN_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
import jobstage
from listeningpost.cli import app
app()
"""


@pytest.mark.sqlite_only  # reads case.sqlite directly
def test_kill_9_mid_run_resumes_without_duplicates(real_case):
    cmd = [sys.executable, "-c", RUN_SCRIPT.format(tests=str(TESTS)), "process", "--stages", "wordcount",
           "--opt", "wordcount.delay=0.3", "--case", str(real_case.root)]
    def done_jobs() -> int:
        db = sqlite3.connect(real_case.db_path, timeout=5)
        try:
            return db.execute("SELECT COUNT(*) FROM jobs WHERE status='done'").fetchone()[0]
        finally:
            db.close()

    done = kill_9_when(cmd, done_jobs, 5, timeout=60)
    assert 0 < done < 21
    db = sqlite3.connect(real_case.db_path)
    assert db.execute("SELECT COUNT(*) FROM jobs WHERE status='running'").fetchone()[0] <= 1
    res = subprocess.run(cmd[:-4] + ["--case", str(real_case.root), "--json"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    resumed = json.loads(res.stdout)["stages"][0]
    assert resumed["done"] == 21 - done
    assert word_counts(real_case) == expected_counts(real_case)
    assert db.execute("SELECT COUNT(*) FROM jobs WHERE stage='wordcount' AND status='done'").fetchone()[0] == 21
