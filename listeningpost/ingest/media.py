"""Probe audio/video with PyAV and fingerprint it with Chromaprint for near-duplicate detection."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator

import numpy as np

from listeningpost.records import MediaInfo

MEDIA_EXTENSIONS = {
    ".wav", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".mp4", ".webm", ".flac", ".amr", ".aac", ".wma",
    ".mkv", ".mov", ".avi", ".3gp", ".mka", ".gsm", ".au",
}
#: seconds of audio fingerprinted (re-posts are compared over this much of the recording)
FINGERPRINT_SECONDS = 900
#: a re-encoded copy scores ~0.95+, an unrelated recording ~0.6 (measured, MODELS.md section 7)
NEAR_DUPLICATE_THRESHOLD = 0.85
MIN_OVERLAP_ITEMS = 16  # ~2 s of Chromaprint items


class MediaError(Exception):
    """The file is not readable audio/video; the message says why, for the user."""


def probe(path: Path) -> MediaInfo:
    import av

    from listeningpost.audio import stream_seconds

    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.InvalidDataError as exc:
        raise MediaError("not a readable audio or video file (invalid data)") from exc
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise MediaError(f"not a readable audio or video file ({exc.__class__.__name__}: {exc})") from exc
    try:
        if (audio := next((s for s in container.streams if s.type == "audio"), None)) is None:
            raise MediaError("no audio stream in the file")
        has_video = any(s.type == "video" and not _is_cover_art(s) for s in container.streams)
        ctx = audio.codec_context
        info = MediaInfo(duration=stream_seconds(container, audio), channels=ctx.channels if ctx else None,
                         sample_rate=ctx.sample_rate if ctx else None, codec=ctx.name if ctx else None,
                         container=container.format.name if container.format else None, has_video=has_video,
                         bit_rate=container.bit_rate or None)
        _check_decodable(container, audio)
    finally:
        container.close()
    if not info.sample_rate:
        raise MediaError("audio stream has no sample rate (corrupt header)")
    return info


def _is_cover_art(stream) -> bool:
    return bool(getattr(stream, "disposition", 0) and "attached_pic" in str(stream.disposition).lower())


def _check_decodable(container, stream) -> None:
    """Decode the first audio frames: a file whose header parses but whose data doesn't is corrupt."""
    import av

    try:
        for i, frame in enumerate(container.decode(stream)):
            if frame.samples > 0:
                return
            if i > 50:
                break
    except (av.error.FFmpegError, ValueError) as exc:
        raise MediaError(f"audio data cannot be decoded ({exc})") from exc
    raise MediaError("no decodable audio in the file (empty or truncated)")


def decode_pcm16(path: Path, sample_rate: int = 16000, max_seconds: float | None = None) -> Iterator[bytes]:
    """Stream mono 16-bit PCM at ``sample_rate`` (bounded memory: one frame at a time)."""
    import av

    from listeningpost.audio import resampled

    container = av.open(str(path), metadata_errors="ignore")
    try:
        stream = next(s for s in container.streams if s.type == "audio")
        budget = int(max_seconds * sample_rate) if max_seconds else None
        for frame, outs in resampled(container, stream, "s16", "mono", sample_rate):
            if frame is None:
                return  # the resampler's few buffered samples are not fingerprinted (they never were)
            for out in outs:
                data = out.astype(np.int16).tobytes()
                if budget is not None:
                    data = data[: budget * 2]
                    budget -= len(data) // 2
                yield data
                if budget is not None and budget <= 0:
                    return
    except av.error.FFmpegError:
        # a truncated tail still yields the audio decoded so far
        return
    finally:
        container.close()


def fingerprint(path: Path) -> np.ndarray:
    """Chromaprint raw fingerprint (uint32 per ~0.124 s) of the first FINGERPRINT_SECONDS."""
    import acoustid
    import chromaprint

    # acoustid.fingerprint drives libchromaprint through ctypes on PCM we decode ourselves
    # (fpcalc exits rc=3 on many files, see MODELS.md section 7).
    encoded = acoustid.fingerprint(16000, 1, decode_pcm16(path), maxlength=FINGERPRINT_SECONDS)
    raw, _version = chromaprint.decode_fingerprint(encoded)
    return np.asarray(raw, dtype=np.int64).astype(np.uint32)


def index_hashes(fp: np.ndarray) -> list[int]:
    """The distinct top-20-bit values of a fingerprint: a re-encoded copy keeps many of them exactly
    (a few low bits flip), an unrelated recording shares few."""
    return sorted({int(v) for v in (fp >> 12).tolist()})


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Best bit agreement of two fingerprints over candidate alignments (0..1).

    Candidate offsets come from exactly matching items (as AcoustID does), so a copy with an
    intro or a cut start still aligns; offset 0 is always tried.
    """
    if len(a) < MIN_OVERLAP_ITEMS or len(b) < MIN_OVERLAP_ITEMS:
        return 0.0
    positions: dict[int, list[int]] = {}
    for j, value in enumerate(b.tolist()):
        positions.setdefault(value, []).append(j)
    votes = Counter(i - j for i, value in enumerate(a.tolist()) for j in positions.get(value, ()))
    offsets = {0} | {o for o, _ in votes.most_common(5)}
    return max(_bit_similarity(a, b, off) for off in offsets)


def _bit_similarity(a: np.ndarray, b: np.ndarray, offset: int) -> float:
    # a[i] aligns with b[i - offset]
    start_a, start_b = max(offset, 0), max(-offset, 0)
    n = min(len(a) - start_a, len(b) - start_b)
    if n < MIN_OVERLAP_ITEMS:
        return 0.0
    xor = np.bitwise_xor(a[start_a : start_a + n], b[start_b : start_b + n])
    differing = np.unpackbits(xor.view(np.uint8)).sum()
    return float(1.0 - differing / (32.0 * n))
