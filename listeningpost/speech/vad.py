"""Voice activity detection with the Silero v6 ONNX model that ships inside faster-whisper (no torch).

Speech spans are grouped into clips of at most 30 s (Whisper's window); the audio between spans is
zeroed, so non-speech (music, noise) never reaches the recogniser while times stay those of the source.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from listeningpost.speech.audio import SAMPLE_RATE


@dataclass
class VadConfig:
    threshold: float = 0.5
    min_speech_ms: int = 250
    min_silence_ms: int = 500
    speech_pad_ms: int = 200
    max_clip_s: float = 30.0

    def to_dict(self) -> dict:
        return asdict(self)


Span = tuple[int, int]  # sample indices, end exclusive


def speech_spans(audio: np.ndarray, config: VadConfig) -> list[Span]:
    """Speech regions of mono 16 kHz audio, each shorter than one clip."""
    if audio.size < SAMPLE_RATE // 10:
        return []
    options = VadOptions(
        threshold=config.threshold,
        min_speech_duration_ms=config.min_speech_ms,
        min_silence_duration_ms=config.min_silence_ms,
        speech_pad_ms=config.speech_pad_ms,
        max_speech_duration_s=config.max_clip_s - 1.0,
    )
    return [(s["start"], s["end"]) for s in get_speech_timestamps(audio, options, sampling_rate=SAMPLE_RATE)]


def group_clips(spans: list[Span], max_clip_s: float = 30.0) -> list[Span]:
    """Consecutive spans joined into clips no longer than ``max_clip_s`` (gaps included)."""
    limit = int(max_clip_s * SAMPLE_RATE)
    clips: list[list[int]] = []
    for start, end in spans:
        if clips and end - clips[-1][0] <= limit:
            clips[-1][1] = end
        else:
            clips.append([start, min(end, start + limit)])
    return [(s, e) for s, e in clips]


def gate(audio: np.ndarray, spans: list[Span]) -> np.ndarray:
    """Copy of ``audio`` with everything outside ``spans`` set to zero."""
    out = np.zeros_like(audio)
    for start, end in spans:
        out[start:end] = audio[start:end]
    return out


def last_pause(spans: list[Span], n_samples: int, min_keep: int) -> int:
    """Where to cut a streaming window: the end of the last span that finishes before the window's
    last speech (so no span is cut), at least ``min_keep`` samples in; else the whole window."""
    if not spans:
        return n_samples
    last_start, last_end = spans[-1]
    if last_end < n_samples - SAMPLE_RATE // 2:
        return n_samples  # window ends in silence
    cut = last_start
    return cut if cut >= min_keep else n_samples
