"""Voice linking across calls: precision and recall of links, and the time for 1,000 speakers.

    .venv/bin/python bench/voice_linking.py [--diarized] [--shared ../shared]

Data (all real speech from ../shared): the 3 synthetic two-speaker calls of eval/synth_calls_dev.jsonl,
each as clean 16 kHz, telephone 8 kHz and stereo 8 kHz (9 recordings); their speaker A is the VoxForge
reader of data/audio/voxforge_ru_rhasspy (10 more single-speaker files), speaker B a second voice; plus
single-speaker clips of other voices (cmusphinx, golos, pisets, ru4sphinx, Tinkoff; Tinkoff sample 3 and
its A-law copy are one voice). Silero's two clips are left out: their speaker is not documented.

Speakers are cut at the gold turn boundaries (the linking alone), or with --diarized by the real
speech stage (VAD + diarization) in a temporary case, diarized labels mapped to gold voices by overlap.
A link is a pair of speakers of different recordings in one cluster; a true link joins the same voice.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from listeningpost import audio
from listeningpost.voices import link, prints

OTHER_VOICES = {"cmusphinx_ru_decoder-test_8k.wav": "cmusphinx", "golos_001ce26c07c20eaa0d666b824c6c6924.wav": "golos",
                "pisets_test_sound_ru.wav": "pisets", "ru4sphinx_firstruble_0101444606_16k.flac": "ru4sphinx",
                "no_reference/tinkoff_voicekit_sample_3.wav": "tinkoff3",
                "no_reference/tinkoff_voicekit_sample_3_alaw8k.wav": "tinkoff3",
                "no_reference/tinkoff_voicekit_stierlitz.wav": "stierlitz"}


def synth_calls(shared: Path) -> list[dict]:
    rows = [json.loads(x) for x in (shared / "eval/synth_calls_dev.jsonl").read_text().splitlines() if x.strip()]
    for r in rows:
        r["path"] = (shared / "eval" / r["audio"]).resolve()
    return rows


def single_speaker_files(shared: Path) -> list[tuple[Path, str]]:
    audio_dir = shared / "data/audio"
    files = [(p, "voxforge") for p in sorted((audio_dir / "voxforge_ru_rhasspy").glob("*.wav"))]
    return files + [(audio_dir / name, voice) for name, voice in OTHER_VOICES.items() if (audio_dir / name).exists()]


def gold_prints(shared: Path, synth_only: bool = False) -> tuple[list[prints.Voiceprint], list[str], float, float]:
    """Prints cut at the gold turns; also the seconds of speech embedded and the seconds it took."""
    out, truth, speech_s = [], [], 0.0
    t0 = time.perf_counter()
    for group, call in enumerate(synth_calls(shared)):
        spans: dict[str, list[tuple[float, float]]] = {}
        for t in call["turns"]:
            spans.setdefault(t["speaker"], []).append((t["start"], t["end"]))
        for vp in prints.speaker_prints(str(call["path"]), 0.0, spans, group):
            out.append(vp)
            truth.append("voxforge" if vp.label == "A" else "synthB")
            speech_s += vp.speech_s
    if not synth_only:
        for path, voice_name in single_speaker_files(shared):
            seconds = audio.decode(path, channels=1).shape[1] / audio.SAMPLE_RATE
            for vp in prints.speaker_prints(str(path), 0.0, {"A": [(0.0, seconds)]}, len(out) + 1000):
                out.append(vp)
                truth.append(voice_name)
                speech_s += vp.speech_s
    return out, truth, speech_s, time.perf_counter() - t0


def diarized_prints(shared: Path) -> tuple[list[prints.Voiceprint], list[str]]:
    from listeningpost.ingest.ingest import ingest_paths
    from listeningpost.jobs.executors import make_executor
    from listeningpost.jobs.runner import run_stage
    from listeningpost.pipeline import make_stage
    from listeningpost.store.case import Case
    from listeningpost.voices import store

    tmp = Path(tempfile.mkdtemp(prefix="lpost-voices-"))
    try:
        src = tmp / "in"
        src.mkdir()
        calls = {c["path"].name: c for c in synth_calls(shared)}
        for c in calls.values():
            shutil.copy(c["path"], src / c["path"].name)
        for path, _ in single_speaker_files(shared):
            shutil.copy(path, src / path.name)
        case = Case.open(tmp / "case")
        ingest_paths(case, [src])
        ex = make_executor("local")
        for name in ("speech", "voices"):
            run_stage(case, make_stage(name), ex)
        ex.close()
        voices = {p.name: v for p, v in single_speaker_files(shared)}
        out, truth = [], []
        for vp in store.all_prints(case):
            name = case.one("SELECT s.original_name FROM calls c JOIN sources s ON s.id=c.source_id WHERE c.id=?",
                            (vp.call_id,))["original_name"]
            if name in calls:
                truth.append(_overlap_voice(case, vp, calls[name]))
            else:
                truth.append(voices[name])
            out.append(vp)
        return out, truth
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _overlap_voice(case, vp: prints.Voiceprint, call: dict) -> str:
    got = {"voxforge": 0.0, "synthB": 0.0}
    for t in case.query("SELECT start_s, end_s FROM turns WHERE call_id=? AND speaker=?", (vp.call_id, vp.label)):
        for g in call["turns"]:
            shared = min(t["end_s"], g["end"]) - max(t["start_s"], g["start"])
            if shared > 0:
                got["voxforge" if g["speaker"] == "A" else "synthB"] += shared
    return max(got, key=got.get)


def sweep(ps: list[prints.Voiceprint], truth: list[str], label: str) -> None:
    vecs, groups = np.stack([p.vec for p in ps]), [p.call_id for p in ps]
    print(f"\n{label}: {len(ps)} speakers, {len(set(truth))} voices")
    print("threshold  precision  recall  links/true")
    for th in (0.76, 0.80, 0.82, 0.84, 0.86, 0.88, 0.90):
        s = link.pair_scores(truth, groups, link.links(vecs, groups, th))
        mark = "  <- default" if abs(th - link.DEFAULT_THRESHOLD) < 1e-9 else ""
        print(f"  {th:.2f}      {s['precision']:.3f}     {s['recall']:.3f}   {s['links']}/{s['true_links']}{mark}")


def scale_timing(embed_s_per_speech_s: float) -> None:
    """Clustering 100 and 1,000 speakers (50 voices, prints scattered around each), same process."""
    rng = np.random.default_rng(0)

    def fake(n: int) -> tuple[np.ndarray, list[int]]:
        centres = rng.normal(size=(50, 256))
        vecs = centres[rng.integers(0, 50, n)] + rng.normal(scale=0.3, size=(n, 256))
        return (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32), [i // 2 for i in range(n)]

    times = {}
    for n in (100, 1000):
        vecs, groups = fake(n)
        t0 = time.perf_counter()
        link.links(vecs, groups)
        times[n] = time.perf_counter() - t0
    print(f"\nclustering: 100 speakers {times[100]:.3f} s, 1,000 speakers {times[1000]:.2f} s"
          f" (ratio {times[1000] / times[100]:.0f}x for 10x the speakers)")
    per_speaker = 30.0 * embed_s_per_speech_s
    print(f"voiceprints: {embed_s_per_speech_s:.3f} s of compute per second of speech (1 thread);"
          f" 1,000 speakers with 30 s of speech each: {1000 * per_speaker / 60:.1f} min + clustering {times[1000]:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    ap.add_argument("--diarized", action="store_true", help="also through the real speech stage (a few minutes)")
    args = ap.parse_args()
    if not (args.shared / "eval/synth_calls_dev.jsonl").exists():
        sys.exit(f"no shared data at {args.shared}")
    ps, truth, _, _ = gold_prints(args.shared, synth_only=True)
    sweep(ps, truth, "synthetic calls only, gold turns (3 calls x 3 channels)")
    ps, truth, speech_s, took = gold_prints(args.shared)
    sweep(ps, truth, "synthetic calls + single-speaker recordings, gold turns")
    if args.diarized:
        dps, dtruth = diarized_prints(args.shared)
        sweep(dps, dtruth, "synthetic calls + single-speaker recordings, diarized by the speech stage")
    scale_timing(took / speech_s)


if __name__ == "__main__":
    main()
