"""Executor throughput on this machine and a worked estimate for 10,000 hours of audio on a cluster.

Measures, on the real data in ../shared, the local executor (1 worker = in-process, 2 = process pool)
and the Ray executor (a private Ray instance on this machine, 1 and 2 actors):

* a heavy stage: ``speech`` over the real audio clips when that stage is installed (audio-hours per
  hour from the media durations), else ``analyze`` over real transcripts;
* a cheap stage (``index`` without embeddings) over real transcripts: with almost no compute, the
  wall time per item is the executor's own cost; the overhead is reported against the in-process run.

Every run starts from a copy of the same freshly ingested case, through ``run_stage`` exactly as
``lpost process`` does. Model loading happens once per worker and is included (it is part of what a
run costs); Ray start-up is reported separately. Then the per-item costs feed a worked estimate of
the cluster size and cost for 10,000 hours of audio with a GPU ASR model (assumptions printed).

Usage: python bench/scale.py [--calls 8] [--clips 10] [--skip-ray] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LPOST_SHARED", REPO.parent / "shared"))
AUDIO_EXT = {".wav", ".flac", ".mp3", ".ogg", ".m4a"}

# -- assumptions for the estimate (not measured here: no GPU on this machine) -------------------------
ASSUME = {
    "gpu": "NVIDIA L4 24 GB (or A10G)",
    "asr_model": "faster-whisper large-v3, float16, batched (BatchedInferencePipeline, batch 16)",
    # public faster-whisper benchmarks: large-v2 batched does 13 min of audio in ~17 s on an
    # RTX 3070 Ti (~45x real time); we take 40x on an L4 for large-v3 including VAD and diarization
    "gpu_realtime_factor": 40.0,
    "gpu_usd_per_hour": 0.80,          # on-demand L4 instance, typical 2025 cloud list price
    "cpu_usd_per_core_hour": 0.04,     # general-purpose vCPU, on-demand
    "utilisation": 0.80,               # GPUs busy 80% of the wall time (start-up, stragglers, retries)
    "target_wall_hours": 24.0,
    "mean_call_minutes": 3.0,          # published intercepts run 1-10 minutes; 3 is the typical length
    "model_load_s": 15.0,              # large-v3 load per GPU actor
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build_case(root: Path, files: list[Path]) -> float:
    """Ingest ``files`` into a new case; returns the total media duration in seconds (0 if none)."""
    from listeningpost.ingest.ingest import ingest_paths
    from listeningpost.store.case import Case

    case = Case.open(root)
    report = ingest_paths(case, files)
    bad = [i for i in report.items if i.status == "failed"]
    if bad:
        raise SystemExit(f"ingest failed: {bad[:3]}")
    seconds = 0.0
    for r in case.query("SELECT media_json FROM sources WHERE media_json IS NOT NULL"):
        seconds += float(json.loads(r[0]).get("duration") or 0.0)
    case.close()
    return seconds


def run_once(base: Path, work: Path, stage_name: str, stage_opts: dict, executor: str, workers: int,
             ray_address: str | None = None, **exec_opts) -> dict:
    from listeningpost.jobs.executors import make_executor
    from listeningpost.jobs.runner import run_stage
    from listeningpost.pipeline import make_stage
    from listeningpost.store.case import Case

    folder = work / f"{stage_name}-{executor}-{workers}-{len(exec_opts)}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(base, folder)
    case = Case.open(folder)
    opts = dict(exec_opts, **({"address": ray_address} if ray_address else {}))
    ex = make_executor(executor, workers=workers, **opts)
    stamps: list[float] = []
    t0 = time.perf_counter()
    try:
        report = run_stage(case, make_stage(stage_name, **stage_opts), ex,
                           on_progress=lambda _s, done, _t: stamps.append(time.perf_counter()) if done else None)
    finally:
        ex.close()
    wall = time.perf_counter() - t0
    case.close()
    if report.failed:
        raise SystemExit(f"{stage_name} on {executor}/{workers}: {report.errors[:2]}")
    # steady state: from the first result to the last (worker start-up and model loading excluded)
    steady = (stamps[-1] - stamps[0]) / (len(stamps) - 1) if len(stamps) > 1 else wall
    label = executor + ("-seq" if exec_opts.get("per_worker") == 1 else "")
    return {"stage": stage_name, "executor": label, "workers": workers, "items": report.done, "wall_s": wall,
            "first_result_s": stamps[0] - t0 if stamps else wall, "steady_s_per_item": steady}


def split_costs(base: Path, work: Path, stage_name: str, stage_opts: dict) -> dict:
    """Coordinator (load + save) and worker (compute) seconds per item, in this process."""
    from listeningpost.jobs.runner import _finish, StageReport
    from listeningpost.jobs.executors import Outcome
    from listeningpost.pipeline import make_stage
    from listeningpost.store.case import Case

    folder = work / f"{stage_name}-split"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(base, folder)
    case = Case.open(folder)
    stage = make_stage(stage_name, **stage_opts)
    ids = [r[0] for r in case.query("SELECT id FROM calls ORDER BY id")]
    stage.compute(stage.load(case, ids[0]))  # models loaded outside the timing
    load = compute = save = 0.0
    report = StageReport(stage_name, run_id=None)
    for call_id in ids:
        t = time.perf_counter()
        item = stage.load(case, call_id)
        load += time.perf_counter() - t
        t = time.perf_counter()
        result = stage.compute(item)
        compute += time.perf_counter() - t
        t = time.perf_counter()
        case.db.execute("INSERT OR IGNORE INTO jobs(stage, call_id, status, updated_at) VALUES (?, ?, 'running', '')",
                        (stage_name, call_id))
        _finish(case, stage, Outcome(call_id, True, result), report, stage.settings_hash())
        save += time.perf_counter() - t
    case.close()
    n = len(ids)
    return {"load_s": load / n, "compute_s": compute / n, "save_s": save / n}


def table(rows: list[dict], audio_s: float | None) -> list[str]:
    lines = [f"{'executor':<8} {'workers':>7} {'items':>5} {'wall s':>8} {'1st result s':>12} {'calls/s':>8}"
             f" {'audio-h/h':>9} {'steady s/item':>13}"]
    for r in rows:
        ah = f"{audio_s / r['wall_s']:.2f}" if audio_s else "n/a"
        lines.append(f"{r['executor']:<8} {r['workers']:>7} {r['items']:>5} {r['wall_s']:>8.2f} {r['first_result_s']:>12.2f}"
                     f" {r['items'] / r['wall_s']:>8.2f} {ah:>9} {r['steady_s_per_item']:>13.4f}")
    return lines


def estimate(ray_overhead_s: float, coordinator_s: float, cpu_stage_s: float, cpu_stage: str) -> list[str]:
    a = ASSUME
    hours = 10_000.0
    calls = hours * 60 / a["mean_call_minutes"]
    gpu_hours = hours / a["gpu_realtime_factor"]
    gpus = math.ceil(gpu_hours / (a["target_wall_hours"] * a["utilisation"]))
    load_hours = gpus * a["model_load_s"] / 3600
    overhead_gpu_hours = calls * ray_overhead_s / 3600  # worst case: overhead not hidden by the window
    gpu_total = gpu_hours / a["utilisation"] + load_hours + overhead_gpu_hours
    cpu_core_hours = calls * cpu_stage_s / 3600
    cpu_cores = math.ceil(cpu_core_hours / a["target_wall_hours"])
    rate_needed = calls / (a["target_wall_hours"] * 3600)
    coordinator_rate = 1 / coordinator_s if coordinator_s > 0 else float("inf")
    cost = gpu_total * a["gpu_usd_per_hour"] + cpu_core_hours * a["cpu_usd_per_core_hour"]
    return [
        "Estimate: 10,000 hours of audio, GPU ASR (assumptions, not measured here):",
        *(f"  {k} = {v}" for k, v in a.items()),
        f"  calls = 10,000 h / {a['mean_call_minutes']} min = {calls:,.0f}",
        f"  ASR GPU-hours = 10,000 / {a['gpu_realtime_factor']:.0f}x = {gpu_hours:,.0f}; at {a['utilisation']:.0%}"
        f" utilisation and a {a['target_wall_hours']:.0f} h deadline -> {gpus} GPUs",
        f"  + model loads {load_hours:.2f} GPU-h + Ray round trip per item (measured {ray_overhead_s * 1000:.1f} ms"
        f" x {calls:,.0f} calls) {overhead_gpu_hours:.2f} GPU-h -> {gpu_total:,.0f} GPU-hours billed",
        f"  CPU stages ({cpu_stage}, measured {cpu_stage_s:.2f} s/call on one core here): {cpu_core_hours:,.0f}"
        f" core-hours -> {cpu_cores} cores for {a['target_wall_hours']:.0f} h",
        f"  coordinator (single writer, measured load+save {coordinator_s * 1000:.1f} ms/call = {coordinator_rate:,.0f} calls/s)"
        f" vs needed {rate_needed:.2f} calls/s: {'fine' if coordinator_rate > 3 * rate_needed else 'the bottleneck: batch saves'}",
        f"  cost ~ {gpu_total:,.0f} GPU-h x ${a['gpu_usd_per_hour']:.2f} + {cpu_core_hours:,.0f} core-h x"
        f" ${a['cpu_usd_per_core_hour']:.2f} = ${cost:,.0f}",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=29, help="transcripts for the CPU runs (29 = all)")
    ap.add_argument("--clips", type=int, default=10, help="audio clips for the speech runs")
    ap.add_argument("--skip-ray", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()

    from listeningpost.pipeline import available_stages

    transcripts = sorted((SHARED / "data" / "transcripts").glob("*/*.json"))[: args.calls]
    clips = sorted(p for p in (SHARED / "data" / "audio").rglob("*") if p.suffix.lower() in AUDIO_EXT)[: args.clips]
    heavy = "speech" if "speech" in available_stages() and clips else "analyze"
    work = Path(tempfile.mkdtemp(prefix="lpost-bench-scale-"))
    out: dict = {"machine": f"{os.cpu_count()} cores", "assumptions": ASSUME}
    ray_address = None
    try:
        bases = {"heavy": work / "base-heavy", "cheap": work / "base-cheap", "cpu": work / "base-cpu"}
        few = transcripts[:6]  # analyze costs seconds per call on 2 cores
        audio_s = build_case(bases["heavy"], clips if heavy == "speech" else few)
        build_case(bases["cheap"], transcripts)
        build_case(bases["cpu"], few)
        configs = [("local", 1), ("local", 2)] + ([] if args.skip_ray else [("ray", 1), ("ray", 2)])
        if not args.skip_ray:
            import ray

            t = time.perf_counter()
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
            out["ray_start_s"] = time.perf_counter() - t
        workloads = [("heavy", heavy, {}), ("cheap", "index", {"semantic": False})]
        for label, stage, opts in workloads:
            rows = []
            for executor, workers in configs:
                log(f"{stage}: {executor} x{workers} ...")
                rows.append(run_once(bases[label], work, stage, opts, executor, workers))
            if label == "cheap" and not args.skip_ray:
                # one item in flight: the round trip is not hidden behind the next item
                rows.append(run_once(bases[label], work, stage, opts, "ray", 1, per_worker=1))
            out[label] = {"stage": stage, "runs": rows, "audio_s": audio_s if label == "heavy" and heavy == "speech" else None}
        log("per-item split ...")
        out["split_cheap"] = split_costs(bases["cheap"], work, "index", {"semantic": False})
        out["split_heavy"] = split_costs(bases["heavy"], work, heavy, {})
        # the CPU analysis every call needs after ASR (measured on transcripts)
        out["split_cpu"] = out["split_heavy"] if heavy == "analyze" else split_costs(bases["cpu"], work, "analyze", {})
    finally:
        if not args.skip_ray:
            import ray

            ray.shutdown()
        shutil.rmtree(work, ignore_errors=True)

    lines = [f"Scale bench on this machine ({out['machine']}); every run includes its workers' model loading."]
    if "ray_start_s" in out:
        lines.append(f"Ray start-up (private instance, not counted below): {out['ray_start_s']:.1f} s")
    for label in ("heavy", "cheap"):
        w = out[label]
        audio = w["audio_s"]
        lines.append("")
        lines.append(f"{w['stage']} over {w['runs'][0]['items']} real "
                     + (f"audio clips ({audio / 60:.1f} min of audio)" if audio else "transcripts") + ":")
        lines.extend(table(w["runs"], audio))
    cheap = {(r["executor"], r["workers"]): r["steady_s_per_item"] for r in out["cheap"]["runs"]}
    ref = cheap[("local", 1)]
    lines.append("")
    lines.append("calls/s and audio-h/h: whole run incl. worker start-up and model loading; steady s/item: first to"
                 " last result.")
    lines.append(f"Per-item overhead vs in-process, steady state (cheap stage, {ref * 1000:.1f} ms/item in-process):")
    for key, per in cheap.items():
        if key != ("local", 1):
            lines.append(f"  {key[0]} x{key[1]}: {(per - ref) * 1000:+.1f} ms/item")
    split = out["split_cheap"]
    coordinator = split["load_s"] + split["save_s"]
    lines.append(f"Coordinator per item (index): load {split['load_s'] * 1000:.1f} ms, save {split['save_s'] * 1000:.1f} ms;"
                 f" compute {split['compute_s'] * 1000:.1f} ms")
    hs = out["split_heavy"]
    lines.append(f"Coordinator per item ({heavy}): load {hs['load_s'] * 1000:.1f} ms, save {hs['save_s'] * 1000:.1f} ms;"
                 f" compute {hs['compute_s']:.2f} s")
    # worst case for the estimate: the round trip of a lone item (normally hidden by the window)
    ray_overhead = max(0.0, cheap.get(("ray-seq", 1), ref) - ref)
    lines.append("")
    lines.extend(estimate(ray_overhead, max(coordinator, hs["load_s"] + hs["save_s"]),
                          out["split_cpu"]["compute_s"], "analyze"))
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
