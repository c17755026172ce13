"""Speech stage speed and memory against plain faster-whisper, on the same audio and weights.

Audio: the 14 real clips of ../shared/eval/asr_dev.jsonl joined into one recording (1.5 s of
silence between clips; ~3.5 min), so that batching has something to batch, as in a real call.
Runs, in this process, with the default Whisper base weights:

* ``pipeline``  -- ``listeningpost.speech.run`` (VAD-gated clips, batched decoding shared out among
  model replicas on CPU, language ID, diarization, phantom filters);
* ``fw_vad``    -- plain sequential ``WhisperModel.transcribe`` as MODELS.md's baseline (beam 5,
  temperature 0, condition_on_previous_text off, vad_filter on);
* ``fw_vad_words`` -- the same with ``word_timestamps=True``: the same kind of output as the
  pipeline (which always aligns words);
* ``fw_default``-- plain sequential ``WhisperModel.transcribe`` with faster-whisper's defaults
  (temperature fallback, conditioning on previous text, no VAD).

The plain runs load faster-whisper as a user would (one model, ``--threads`` threads); the
pipeline, on CPU, shares its clips among two single-thread replicas of the same weights file.
Each figure is the best of ``--repeat`` interleaved runs (the machine may be shared).

Prints real-time factor, WER, speed ratios and peak memory. ``--long-hours H`` also streams an
H-hour recording (a real clip every 5 min over low noise) through the pipeline and reports its
peak memory, to show memory does not grow with length. ``--device cuda --model large-v3`` for a GPU.

    python bench/asr_speed.py [--threads 2] [--long-hours 3] [--device cpu] [--model whisper-base]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

SHARED = Path(os.environ.get("LPOST_SHARED", Path(__file__).resolve().parents[2] / "shared"))
GAP_S = 1.5


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def joined_dev_audio(folder: Path) -> tuple[Path, str, float]:
    from listeningpost.evaluation.asr import normalise
    from listeningpost.audio import decode

    gold = SHARED / "eval" / "asr_dev.jsonl"
    parts, refs = [], []
    for line in gold.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        parts += [decode(gold.parent / item["audio"], channels=1)[0], np.zeros(int(GAP_S * 16000), np.float32)]
        refs.append(" ".join(t["text"] for t in item["turns"]))
    pcm = np.concatenate(parts)
    path = folder / "asr_dev_joined.wav"
    _write_wav(path, [pcm])
    return path, normalise(" ".join(refs)), len(pcm) / 16000


def _write_wav(path: Path, chunks) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        for chunk in chunks:
            out.writeframes((np.clip(chunk, -1, 1) * 32767).astype(np.int16).tobytes())


def long_recording(folder: Path, hours: float) -> Path:
    """H hours of low noise with a real speech clip every 5 minutes, written block by block."""
    from listeningpost.audio import decode

    clip = decode(SHARED / "data" / "audio" / "golos_001ce26c07c20eaa0d666b824c6c6924.wav", channels=1)[0]
    rng = np.random.default_rng(0)
    path = folder / "long.wav"

    def blocks():
        for _ in range(int(hours * 12)):
            block = (0.003 * rng.standard_normal(300 * 16000)).astype(np.float32)
            block[16000:16000 + len(clip)] += clip
            yield block

    _write_wav(path, blocks())
    return path


def wer(ref: str, hyp: str) -> float:
    from listeningpost.evaluation.asr import error_rates, normalise

    return error_rates([ref], [normalise(hyp)])[0]


def _record(figures: dict, name: str, seconds: float, error: float) -> None:
    best = figures.setdefault(name, {"seconds": seconds, "wer": error})
    best["seconds"] = min(best["seconds"], seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--model", default="whisper-base")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--cpu-workers", type=int, default=0, help="pipeline model replicas on CPU (0: auto)")
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--long-hours", type=float, default=0.0)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--plain-beam-size", type=int, default=5, help="beam of the plain faster-whisper runs")
    parser.add_argument("--skip-default", action="store_true", help="skip the slow fw_default run")
    args = parser.parse_args()

    from faster_whisper import WhisperModel

    from listeningpost import modelstore
    from listeningpost.speech.asr import _device, cpu_layout
    from listeningpost.speech.core import SpeechOptions, run

    options = SpeechOptions()
    options.asr.model, options.asr.device, options.asr.cpu_threads = args.model, args.device, args.threads
    options.asr.batch_size, options.asr.beam_size = args.batch_size, args.beam_size
    options.asr.cpu_workers = args.cpu_workers
    # the plain runs: faster-whisper as a user loads it, on the same weights file and threads
    device, compute = _device(options.asr)
    weights = modelstore.ensure_model(modelstore.whisper_model_name(args.model), download=True)
    model = WhisperModel(str(weights), device=device, compute_type=compute, cpu_threads=args.threads)
    workers, per_worker = cpu_layout(options.asr)
    figures: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path, reference, duration = joined_dev_audio(Path(tmp))
        run(path, options)  # warm-up (VAD session, encoder allocations)
        plain = {
            "fw_vad": dict(language="ru", beam_size=args.plain_beam_size, temperature=0.0,
                           condition_on_previous_text=False, vad_filter=True),
            "fw_vad_words": dict(language="ru", beam_size=args.plain_beam_size, temperature=0.0,
                                 condition_on_previous_text=False, vad_filter=True, word_timestamps=True),
            "fw_default": dict(language="ru", beam_size=args.plain_beam_size),
        }
        if args.skip_default:
            plain.pop("fw_default")
        # interleaved repeats, best time of each: the machine is shared, load changes by the minute
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = run(path, options)
            _record(figures, "pipeline", time.perf_counter() - start, wer(reference, " ".join(t.text for t in result.turns)))
            for name, kwargs in plain.items():
                start = time.perf_counter()
                segments, _ = model.transcribe(str(path), **kwargs)
                text = " ".join(s.text for s in segments)
                _record(figures, name, time.perf_counter() - start, wer(reference, text))

        print(f"audio: {duration:.1f} s (14 real clips joined), model {args.model}, device {args.device},"
              f" threads {args.threads}, beam {args.beam_size} (plain runs: {args.plain_beam_size}), batch {args.batch_size}")
        if device == "cpu":
            print(f"pipeline: {workers} model replica(s) x {per_worker} thread(s); plain runs: 1 x {args.threads}")
        base = figures["pipeline"]["seconds"]
        for name, fig in figures.items():
            ratio = fig["seconds"] / base
            print(f"{name:<12} RTF {fig['seconds'] / duration:6.3f}  WER {fig['wer']:.3f}  time {fig['seconds']:6.1f} s"
                  f"  pipeline speed-up x{ratio:.2f}")
        try:
            import whisper  # noqa: F401  (openai-whisper)
            print("openai-whisper: installed, but it cannot load CTranslate2 weights; not compared")
        except ImportError:
            print("openai-whisper: not installed (and it cannot load the CTranslate2 weights); not compared")
        print(f"peak memory after short runs: {peak_rss_mb():.0f} MB")

        if args.long_hours:
            long_path = long_recording(Path(tmp), args.long_hours)
            before = peak_rss_mb()
            start = time.perf_counter()
            result = run(long_path, options)
            print(f"long recording {args.long_hours:g} h: {time.perf_counter() - start:.0f} s, {len(result.turns)} turns,"
                  f" duration {result.duration_s / 3600:.2f} h, peak memory {before:.0f} -> {peak_rss_mb():.0f} MB"
                  f" (the file decoded whole would be {result.duration_s * 16000 * 4 / 2**20:.0f} MB of float32)")


if __name__ == "__main__":
    sys.exit(main())
