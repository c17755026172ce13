"""A speaker's voiceprint: the mean GE2E embedding of 1.6 s windows over their turns.

Every recording is first limited to the telephone band (300-3400 Hz): on the shared synthetic calls
the same voice scored 0.70 between a clean and a phone copy against 0.80 for two different voices
on the phone, i.e. the channel outweighed the speaker; band-limited, the same voice scores >= 0.81
and different voices <= 0.83 (bench/voice_linking.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.signal import butter, sosfilt

from listeningpost import audio
from listeningpost.speech import voice

ENGINE = "ge2e-telband/1"
WINDOW = voice.PARTIAL_FRAMES * voice.HOP   # samples in one embedding window (1.6 s)
STEP = WINDOW // 2                          # windows overlap by half
MIN_SPEECH_S = 2.0                          # less speech gives no usable print
MAX_WINDOWS = 240                           # a long speaker is sampled evenly: bounded time per call


@dataclass(frozen=True)
class Voiceprint:
    call_id: int
    label: str
    vec: np.ndarray        # (256,) float32, L2-normalised
    windows: int
    speech_s: float


@lru_cache(maxsize=1)
def _telephone_band():
    return butter(6, [300, 3400], btype="band", fs=audio.SAMPLE_RATE, output="sos")


def spans_hash(spans_by_label: dict[str, list[tuple[float, float]]]) -> str:
    """What a call's prints depend on: every speaker's turn spans (a turn moved to another speaker
    changes it)."""
    blob = {label: [[round(s, 2), round(e, 2)] for s, e in spans] for label, spans in sorted(spans_by_label.items())}
    return hashlib.sha256(json.dumps(blob).encode()).hexdigest()[:16]


def windows_of(segment: np.ndarray) -> list[np.ndarray]:
    """1.6 s windows every 0.8 s; a short last piece is zero-padded only if it is at least half full."""
    out = []
    for i in range(0, max(1, len(segment) - WINDOW + STEP), STEP):
        chunk = segment[i:i + WINDOW]
        if len(chunk) < WINDOW // 2:
            break
        out.append(np.pad(chunk, (0, WINDOW - len(chunk))) if len(chunk) < WINDOW else chunk)
    return out


def embed_segments(segments: list[np.ndarray]) -> tuple[np.ndarray | None, int]:
    """Mean embedding of the windows of ``segments`` (16 kHz mono), or None with too little speech."""
    sos = _telephone_band()
    chunks = [w for seg in segments if len(seg) for w in windows_of(sosfilt(sos, seg).astype(np.float32))]
    if sum(len(s) for s in segments) < MIN_SPEECH_S * audio.SAMPLE_RATE or not chunks:
        return None, 0
    if len(chunks) > MAX_WINDOWS:
        chunks = [chunks[i] for i in np.linspace(0, len(chunks) - 1, MAX_WINDOWS).astype(int)]
    mels = np.stack([voice.mel_frames(c)[: voice.PARTIAL_FRAMES] for c in chunks])
    mean = voice.embed_batch(mels).mean(axis=0)
    return (mean / max(float(np.linalg.norm(mean)), 1e-9)).astype(np.float32), len(chunks)


def sample_spans(spans: list[tuple[float, float]], budget_s: float = MAX_WINDOWS * STEP / audio.SAMPLE_RATE
                 ) -> list[tuple[float, float]]:
    """Turns spread evenly over the call, about ``budget_s`` seconds in all (every turn if less)."""
    total = sum(e - s for s, e in spans)
    if total <= budget_s:
        return spans
    every = int(np.ceil(total / budget_s))
    return spans[::every]


def speaker_prints(path: str, offset: float, spans_by_label: dict[str, list[tuple[float, float]]],
                   call_id: int) -> list[Voiceprint]:
    """Voiceprints of a call's speakers; spans are seconds from the call start, ``offset`` the call's
    start in the file. Each turn is decoded on its own, so a 4-hour file never sits in memory."""
    out = []
    for label, spans in sorted(spans_by_label.items()):
        spans = [(s, e) for s, e in spans if e > s]
        segments = [audio.decode(path, offset + s, offset + e, channels=1)[0] for s, e in sample_spans(spans)]
        vec, n = embed_segments(segments)
        if vec is not None:
            out.append(Voiceprint(call_id, label, vec, n, round(sum(e - s for s, e in spans), 2)))
    return out
