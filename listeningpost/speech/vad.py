"""Voice activity detection with the Silero v6 ONNX model that ships inside faster-whisper (no torch).

Speech spans are grouped into clips of at most 30 s (Whisper's window); the audio between spans is
zeroed, so non-speech (music, noise) never reaches the recogniser while times stay those of the source.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from faster_whisper import vad as fw_vad
from faster_whisper.vad import VadOptions, get_vad_model

from listeningpost.audio import SAMPLE_RATE


@dataclass
class VadConfig:
    threshold: float = 0.5
    #: lower the threshold for weak-but-present speech (8 kHz GSM phone audio scores 0.2-0.5)
    adaptive: bool = True
    min_threshold: float = 0.15
    adaptive_factor: float = 0.3
    min_speech_ms: int = 250
    min_silence_ms: int = 500
    speech_pad_ms: int = 200
    max_clip_s: float = 30.0


Span = tuple[int, int]  # sample indices, end exclusive
WINDOW = 512  # samples per Silero decision at 16 kHz


def speech_spans(audio: np.ndarray, config: VadConfig) -> list[Span]:
    """Speech regions of mono 16 kHz audio, each shorter than one clip."""
    if audio.size < SAMPLE_RATE // 10:
        return []
    probs = speech_probabilities(audio)
    options = VadOptions(
        threshold=adaptive_threshold(probs, config) if config.adaptive else config.threshold,
        min_speech_duration_ms=config.min_speech_ms, min_silence_duration_ms=config.min_silence_ms,
        speech_pad_ms=config.speech_pad_ms, max_speech_duration_s=config.max_clip_s - 1.0,
    )
    return [(s["start"], s["end"]) for s in _timestamps(audio, probs, options)]


def speech_probabilities(audio: np.ndarray) -> np.ndarray:
    """Silero speech probability per 512-sample window, padded exactly as faster-whisper's
    ``get_speech_timestamps`` pads (so its span logic can reuse them). The padded copy also keeps
    the caller's audio intact: the model writes into its input."""
    padded = np.pad(audio, (0, WINDOW - audio.shape[0] % WINDOW))
    return np.asarray(get_vad_model()(padded))


_REUSE = threading.Lock()


def _timestamps(audio: np.ndarray, probs: np.ndarray, options: VadOptions) -> list[dict]:
    """faster-whisper's span logic (thresholds, padding, minimum lengths, splitting at 30 s) run
    on probabilities computed once: Silero is the costly part, and the adaptive threshold needs
    the probabilities before the spans can be cut. Its function takes no probabilities, so the
    model it looks up is briefly replaced by one that returns them."""
    with _REUSE:
        original = fw_vad.get_vad_model
        fw_vad.get_vad_model = lambda: (lambda padded: probs)
        try:
            return fw_vad.get_speech_timestamps(audio, options, sampling_rate=SAMPLE_RATE)
        finally:
            fw_vad.get_vad_model = original


def adaptive_threshold(probs: np.ndarray, config: VadConfig) -> float:
    """Silero scores telephone-band, noisy speech far lower than clean speech, while noise and
    music stay under ~0.15. When the window's high speech scores (97th percentile) are clearly
    above that noise level but below the default threshold, the threshold follows them down."""
    probs = np.asarray(probs).ravel()
    if probs.size == 0:
        return config.threshold
    high = float(np.percentile(probs, 97))
    if high < 0.3 or high > 0.7:
        return config.threshold  # nothing speech-like, or clear speech: the default threshold
    return float(np.clip(config.adaptive_factor * high, config.min_threshold, config.threshold))


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
    return last_start if last_start >= min_keep else n_samples


@dataclass
class ActivityConfig:
    """Signal-presence detection on 10 ms frame energies, relative to the recording's floor.

    Where a channel is digitally quiet between a speaker's takes (a stereo line carries only its
    own party; gated or edited mono), a take -- its breaths and room tone included -- stands far
    above that floor; where line noise runs all through, only loud speech does."""

    margin_db: float = 25.0          # above the floor (5th percentile of frame energies)
    #: in stereo, a channel this far below the other is echo/crosstalk, not its own speaker
    crosstalk_db: float = 30.0
    close_gap_s: float = 0.3
    min_region_s: float = 0.2


FRAME = SAMPLE_RATE // 100


def frame_energy_db(audio: np.ndarray) -> np.ndarray:
    """Energy in dB per 10 ms frame; ``audio`` is (channels, samples) -> (channels, frames)."""
    n = audio.shape[1] // FRAME
    frames = audio[:, : n * FRAME].astype(np.float64).reshape(audio.shape[0], n, FRAME)
    return 10 * np.log10(np.mean(frames ** 2, axis=2) + 1e-12)


def activity_regions(audio: np.ndarray, config: ActivityConfig | None = None) -> list[list[tuple[float, float]]]:
    """Active regions (seconds) per channel of (channels, samples) audio."""
    config = config or ActivityConfig()
    energy = frame_energy_db(audio)
    if energy.shape[1] == 0:
        return [[] for _ in range(audio.shape[0])]
    floor = np.percentile(energy, 5, axis=1, keepdims=True)
    active = energy > floor + config.margin_db
    if audio.shape[0] > 1:
        active &= energy > energy.max(axis=0, keepdims=True) - config.crosstalk_db
    return [_regions(row, config) for row in active]


def _regions(active: np.ndarray, config: ActivityConfig) -> list[tuple[float, float]]:
    edges = np.diff(np.concatenate([[0], active.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    merged: list[list[int]] = []
    gap = int(config.close_gap_s * 100)
    for s, e in zip(starts, ends):
        if merged and s - merged[-1][1] <= gap:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    keep = int(config.min_region_s * 100)
    return [(float(s) / 100, float(e) / 100) for s, e in merged if e - s >= keep]
