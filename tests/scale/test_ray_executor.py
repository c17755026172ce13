"""The Ray executor on a local two-node Ray cluster gives the same results as the local executor,
and a worker killed mid-run is replaced with no duplicate results."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from conftest import TRANSCRIPTS, need_shared
from scalefix import ray_cluster, snapshot  # noqa: F401  (fixture)
from listeningpost.ingest.ingest import ingest_paths
from listeningpost.jobs.executors import make_executor
from listeningpost.jobs.runner import run_stage, status
from listeningpost.pipeline import available_stages, make_stage
from listeningpost.store.case import Case

pytest.importorskip("ray")

N_CALLS = 4  # analyze costs seconds per call on 2 cores
N_KILL_CALLS = 8


def real_case(root: Path, n: int = N_CALLS) -> Case:
    case = Case.open(root)
    files = sorted(need_shared(TRANSCRIPTS / "radio_analyzer").glob("*.json"))[:n]
    ingest_paths(case, files)
    return case


def pipeline_stages() -> list[str]:
    """The analysis stages that exist in this checkout (speech and translate need large models)."""
    return [s for s in ("analyze", "index") if s in available_stages()]


def run_all(case: Case, executor, stages: list[str], **hooks) -> list:
    reports = []
    try:
        for name in stages:
            reports.append(run_stage(case, make_stage(name), executor, **hooks))
    finally:
        executor.close()
    return reports


def test_ray_matches_local_executor(ray_cluster, tmp_path):
    stages = pipeline_stages()
    if not stages:
        pytest.skip("no analysis stage is importable in this checkout")
    local = real_case(tmp_path / "local")
    run_all(local, make_executor("local", workers=1), stages)
    remote = real_case(tmp_path / "ray")
    ex = make_executor("ray", workers=2, address=ray_cluster)
    reports = run_all(remote, ex, stages)
    assert all(r.done == N_CALLS and r.failed == 0 for r in reports), reports
    assert ex.stats.workers_started == 2 * len(stages)
    expected, got = snapshot(local), snapshot(remote)
    assert expected["turns"] and (expected.get("search_docs") or expected["entities"])
    assert got == expected
    # progress and failures are recorded exactly as with the local executor
    assert status(remote)["stages"] == status(local)["stages"]


def test_worker_killed_mid_run_is_replaced_without_duplicates(ray_cluster, tmp_path):
    import jobstage
    from ray import cloudpickle

    # the test stage lives in tests/, which Ray workers cannot import: ship the class by value
    cloudpickle.register_pickle_by_value(jobstage)
    case = real_case(tmp_path / "case", N_KILL_CALLS)
    ex = make_executor("ray", workers=2, address=ray_cluster, per_worker=2)
    killed: list[int] = []

    def kill_busy_worker(stage: str, done: int, total: int) -> None:
        # after the first result each worker is sleeping inside its second item: kill one of them
        if done == 1 and not killed:
            busy = max(ex._slots, key=lambda s: s.in_flight)
            assert busy.in_flight > 0
            os.kill(busy.pid, signal.SIGKILL)
            killed.append(busy.pid)

    try:
        report = run_stage(case, jobstage.WordCountStage(delay=1.0), ex, on_progress=kill_busy_worker)
    finally:
        ex.close()
    assert killed and ex.stats.lost_pids == killed
    assert ex.stats.resubmitted >= 1 and ex.stats.workers_started == 3
    assert report.done == N_KILL_CALLS and report.failed == 0
    rows = case.query("SELECT call_id, score, evidence_json FROM themes WHERE theme='wordcount'")
    assert len(rows) == N_KILL_CALLS == len({r[0] for r in rows}), "a result was saved twice"
    for r in rows:
        words = " ".join(t[0] for t in case.query("SELECT text FROM turns WHERE call_id=:call_id ORDER BY idx", {"call_id": r[0]}))
        assert r[1] == len(words.split())
    # only items the killed worker finished before the kill (at most its first window) carry its pid;
    # the rest were re-submitted to live workers
    assert sum(int(r[2]) == killed[0] for r in rows) <= 2
    counts = status(case)["stages"]["wordcount"]
    assert counts == {"pending": 0, "running": 0, "done": N_KILL_CALLS, "failed": 0}


def test_failures_reported_as_with_local_executor(ray_cluster, tmp_path):
    import jobstage
    from ray import cloudpickle

    cloudpickle.register_pickle_by_value(jobstage)
    cases = {name: real_case(tmp_path / name) for name in ("local", "ray")}
    # a word of the second call's first turn: the calls containing it fail, the others succeed
    word = cases["local"].one("SELECT text FROM turns WHERE call_id=2 ORDER BY idx")[0].split()[0]
    reports = {}
    for name, ex in (("local", make_executor("local", workers=1)),
                     ("ray", make_executor("ray", workers=2, address=ray_cluster))):
        try:
            reports[name] = run_stage(cases[name], jobstage.WordCountStage(fail_on=word), ex)
        finally:
            ex.close()
    assert 0 < reports["ray"].failed < N_CALLS
    failed = {name: [{k: v for k, v in f.items() if k != "at"} for f in status(c)["failed"]] for name, c in cases.items()}
    assert failed["ray"] == failed["local"]
    assert all("(at jobstage.py:" in f["error"] for f in failed["ray"])


def test_gpu_stages_ask_for_a_gpu_per_actor():
    from listeningpost.scale.ray_executor import RayExecutor

    index = make_stage("index") if "index" in available_stages() else None

    class Configured:  # only settings() is read to size the actors
        def __init__(self, settings):
            self._settings = settings

        def settings(self):
            return self._settings

    ex = RayExecutor(workers=2)
    assert ex._resources(Configured({"engine": "x", "asr": {"device": "cuda:0"}})) == {"num_cpus": 1.0, "num_gpus": 1.0}
    assert ex._resources(Configured({"engine": "x", "device": "cpu"}))["num_gpus"] == 0.0
    assert RayExecutor(num_gpus=0.5, num_cpus=4)._resources(Configured({"device": "cuda"})) == {"num_cpus": 4, "num_gpus": 0.5}
    if index is not None:
        assert ex._resources(index)["num_gpus"] == 0.0
