"""`lpost translate` over a whole case of real transcripts, killed with SIGKILL half way: the rerun
translates only what is missing, every turn ends with exactly one translation, and none is lost."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TRANSCRIPTS, kill_9_when, need_shared
from listeningpost.ingest.ingest import ingest_paths

HERE = Path(__file__).resolve().parent
RUN = f"import sys; sys.path.insert(0, {str(HERE)!r}); import translate_fixtures; from listeningpost.cli import app; app()"


def _count(db_path: Path) -> int:
    db = sqlite3.connect(db_path, timeout=5)
    try:
        return db.execute("SELECT COUNT(*) FROM translations WHERE engine='slow-test'").fetchone()[0]
    finally:
        db.close()


@pytest.mark.sqlite_only  # reads case.sqlite directly while the run goes on
def test_kill_9_mid_translation_resumes(case):
    ingest_paths(case, [need_shared(TRANSCRIPTS / "radio_analyzer")])
    turns = case.one("SELECT COUNT(*) FROM turns WHERE trim(text) != ''")[0]
    cmd = [sys.executable, "-c", RUN, "translate", "--engine", "slow-test", "--batch", "4", "--case", str(case.root)]
    killed_at = kill_9_when(cmd, lambda: _count(case.db_path), 40)
    assert 0 < killed_at < turns
    res = subprocess.run(cmd + ["--json"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    report = json.loads(res.stdout)
    assert report["translated"] == turns - killed_at and report["failed"] == 0   # only the missing ones
    db = sqlite3.connect(case.db_path)
    rows = db.execute("SELECT t.text, tr.text FROM turns t JOIN translations tr ON tr.turn_id=t.id"
                      " WHERE tr.engine='slow-test'").fetchall()
    assert len(rows) == turns                                                      # one per turn, no duplicates
    # nothing half-written (the engine saw the glossary-protected text, so compare its shape)
    assert all(en.startswith("EN[") and en.endswith("]") and len(en) > 4 for _src, en in rows)
