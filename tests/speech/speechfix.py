"""Helpers for the speech tests: write synthetic signals as WAV (scipy), real clip paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.io import wavfile

RATE = 16000


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    """float samples in [-1, 1], shape (n,) or (n, channels) -> 16-bit PCM WAV."""
    wavfile.write(path, rate, (np.clip(samples, -1, 1) * 32767).astype(np.int16))
    return path


def music(seconds: float, rate: int = RATE) -> np.ndarray:
    """A synthetic melody: decaying harmonic notes, two per second."""
    t = np.arange(int(seconds * rate)) / rate
    notes = 220 * 2 ** (np.array([0, 4, 7, 12, 7, 4, 2, 5, 9, 12]) / 12)
    out = np.zeros_like(t)
    step = rate // 2
    for i, start in enumerate(range(0, len(t), step)):
        seg = slice(start, min(start + step, len(t)))
        env = np.exp(-3 * np.linspace(0, 1, seg.stop - seg.start))
        out[seg] = sum(np.sin(2 * np.pi * notes[i % 10] * k * t[seg]) / k for k in range(1, 6)) * env
    return 0.2 * out / np.abs(out).max()


def read(path: Path) -> np.ndarray:
    from listeningpost.audio import decode

    return decode(path)
