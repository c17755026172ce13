"""Audio decoding, the one place that turns media into samples (PyAV).

``stream_blocks``/``decode``: any audio/video to 16 kHz float32, keeping stereo channels, streamed
in blocks so a 3-hour recording never sits in memory whole (speech, voices, Whisper translation).
``resampled``: the decode-and-resample loop under it, at any format, layout and rate, also used
for the fingerprint PCM (ingest) and the redacted audio export.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import struct

import av
import numpy as np

SAMPLE_RATE = 16000


class AudioError(Exception):
    """The media cannot be decoded (corrupt, truncated, no audio stream)."""


@dataclass
class AudioInfo:
    duration: float | None
    channels: int
    sample_rate: int | None
    codec: str | None


def probe(path: str | Path) -> AudioInfo:
    try:
        with av.open(str(path)) as container:
            stream = _audio_stream(container, path)
            ctx = stream.codec_context
            return AudioInfo(stream_seconds(container, stream), ctx.channels or 1, ctx.sample_rate, ctx.name)
    except (av.error.FFmpegError, OSError) as exc:
        raise AudioError(f"cannot open {Path(path).name}: {exc}") from exc


def stream_seconds(container, stream) -> float | None:
    """The stream's duration, else the container's estimate (None when neither is known)."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return container.duration / av.time_base if container.duration else None


def _audio_stream(container, path):
    if not container.streams.audio:
        raise AudioError(f"{Path(path).name} has no audio stream")
    return container.streams.audio[0]


def resampled(container, stream, fmt: str, layout: str, rate: int) -> Iterator[tuple[object, list[np.ndarray]]]:
    """Decode ``stream`` of an open PyAV ``container`` and resample it: (source frame, its output
    arrays as ``to_ndarray`` gives them) for every decoded frame -- the list may be empty while the
    resampler buffers -- then (None, the resampler's flushed tail). FFmpeg errors propagate."""
    resampler = av.AudioResampler(format=fmt, layout=layout, rate=rate)
    for frame in container.decode(stream):
        yield frame, [out.to_ndarray() for out in resampler.resample(frame)]
    yield None, [out.to_ndarray() for out in resampler.resample(None)]


def stream_blocks(path: str | Path, start_s: float | None = None, end_s: float | None = None,
                  block_s: float = 60.0, channels: int | None = None) -> Iterator[np.ndarray]:
    """Yield consecutive blocks of shape (channels, n) at 16 kHz float32, from ``start_s`` to
    ``end_s`` (seconds in the source). Channels: the source's (1 or 2; more are mixed to stereo)
    unless ``channels`` forces 1 or 2."""
    block = int(block_s * SAMPLE_RATE)
    start = max(0.0, start_s or 0.0)
    limit = None if end_s is None else int(round((end_s - start) * SAMPLE_RATE))
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise AudioError(f"cannot open {Path(path).name}: {exc}") from exc
    with container:
        stream = _audio_stream(container, path)
        n_ch = channels or min(2, stream.codec_context.channels or 1)
        layout = "stereo" if n_ch == 2 else "mono"
        if start > 0:
            container.seek(int(start / stream.time_base), stream=stream, backward=True, any_frame=False)
        pending: list[np.ndarray] = []
        have = emitted = 0
        skip_until = int(round(start * SAMPLE_RATE))  # absolute sample index where the call begins
        position = None  # absolute sample index of the next resampled sample
        try:
            for frame, outs in resampled(container, stream, "fltp", layout, SAMPLE_RATE):
                if frame is None:  # the resampler's tail
                    for out in outs:
                        pending.append(out.astype(np.float32, copy=False))
                        have += pending[-1].shape[1]
                    break
                if position is None:
                    position = int(round(float(frame.pts * stream.time_base) * SAMPLE_RATE)) if frame.pts is not None else 0
                for out in outs:
                    data = out.astype(np.float32, copy=False)
                    if position < skip_until:
                        cut = min(data.shape[1], skip_until - position)
                        position += cut
                        data = data[:, cut:]
                    else:
                        position += data.shape[1]
                    if limit is not None:
                        data = data[:, : max(0, limit - emitted - have)]
                    if data.shape[1]:
                        pending.append(data)
                        have += data.shape[1]
                    while have >= block:
                        joined = np.concatenate(pending, axis=1)
                        yield joined[:, :block]
                        pending, have, emitted = [joined[:, block:]], have - block, emitted + block
                if limit is not None and emitted + have >= limit:
                    break
        except av.error.FFmpegError as exc:
            raise AudioError(f"decoding {Path(path).name} failed at {(emitted + have) / SAMPLE_RATE + start:.1f} s"
                             f" (damaged or truncated): {exc}") from exc
        if have:
            tail = np.concatenate(pending, axis=1)
            if limit is not None:
                tail = tail[:, : max(0, limit - emitted)]
            if tail.shape[1]:
                yield tail


def decode(path: str | Path, start_s: float | None = None, end_s: float | None = None,
           channels: int | None = None) -> np.ndarray:
    """Whole (short) file as (channels, n) float32 at 16 kHz."""
    if not (blocks := list(stream_blocks(path, start_s, end_s, block_s=600.0, channels=channels))):
        return np.zeros((channels or 1, 0), dtype=np.float32)
    return np.concatenate(blocks, axis=1)


def wav_declared_seconds(path: str | Path) -> float | None:
    """Duration a RIFF/WAVE header declares (FFmpeg estimates WAV length from the file size, so a
    cut-off WAV looks complete to it); None for other files or streaming headers."""
    with open(path, "rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        byte_rate = None
        while True:
            chunk = fh.read(8)
            if len(chunk) < 8:
                return None
            size = struct.unpack("<I", chunk[4:])[0]
            if chunk[:4] == b"fmt ":
                fmt = fh.read(size)
                byte_rate = struct.unpack("<I", fmt[8:12])[0] if len(fmt) >= 12 else None
                fh.seek(size % 2, 1)
            elif chunk[:4] == b"data":
                if not byte_rate or size in (0, 0xFFFFFFFF):
                    return None
                return size / byte_rate
            else:
                fh.seek(size + size % 2, 1)


def check_complete(path: str | Path, decoded_s: float, start_s: float | None, end_s: float | None) -> None:
    """Raise when far less audio decoded than the file declares (a truncated file)."""
    probed = probe(path).duration
    if end_s is not None and probed is not None and abs(end_s - probed) < 0.5:
        end_s = None  # the call is the whole file: its end is only FFmpeg's estimate
    if (declared := wav_declared_seconds(path) or probed) is None:
        return
    expected = (min(end_s, declared) if end_s is not None else declared) - (start_s or 0.0)
    if expected > 0 and decoded_s < expected - max(1.0, 0.05 * expected):
        raise AudioError(f"{Path(path).name} is truncated or damaged: the header says {expected:.1f} s,"
                         f" only {decoded_s:.1f} s could be decoded")


def is_true_stereo(audio: np.ndarray, threshold: float = 0.98) -> bool:
    """Stereo whose channels carry different signals (one speaker per channel), not copied mono."""
    if audio.shape[0] < 2 or audio.shape[1] == 0:
        return False
    left, right = audio[0].astype(np.float64), audio[1].astype(np.float64)
    energy = np.array([np.mean(left ** 2), np.mean(right ** 2)])
    if energy.min() < 1e-9 * max(energy.max(), 1e-12) or energy.max() < 1e-10:
        return False  # one channel silent: effectively mono
    corr = float(np.dot(left, right) / np.sqrt(np.dot(left, left) * np.dot(right, right)))
    return corr < threshold
