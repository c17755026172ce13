"""Audio export of one call with the redacted spans bleeped.

Decoded with PyAV (``listeningpost.audio``), the spans listed in the redacted document
(``redaction.audio_spans``: the times of redacted words, or whole turns where there are no word
times) are replaced by a 1 kHz tone, and the result is written as a plain PCM WAV by the standard
library: no container tags, no encoder name, the same bytes for the same input.
"""

from __future__ import annotations

import io
import wave
from typing import Any

import av
import numpy as np
from sqlalchemy import select

from listeningpost.audio import resampled
from listeningpost.store import tables
from listeningpost.store.case import Case

TONE_HZ = 1000.0
TONE_LEVEL = 0.25  # of full scale


class MediaExportError(ValueError):
    pass


def decode(path: str, start: float | None = None, end: float | None = None) -> tuple[np.ndarray, int]:
    """(samples x channels int16, sample rate) of the audio stream between start and end seconds."""
    with av.open(path) as container:
        stream = next((s for s in container.streams if s.type == "audio"), None)
        if stream is None:
            raise MediaExportError("the source has no audio stream")
        rate = stream.codec_context.sample_rate
        layout = "stereo" if stream.codec_context.channels >= 2 else "mono"
        chunks = [out.reshape(-1, 2 if layout == "stereo" else 1)
                  for _frame, outs in resampled(container, stream, "s16", layout, rate) for out in outs]
    audio = np.concatenate(chunks) if chunks else np.zeros((0, 1), np.int16)
    a = int(round((start or 0.0) * rate))
    b = int(round(end * rate)) if end is not None else len(audio)
    return audio[a:b], rate


def bleep(audio: np.ndarray, rate: int, spans: list[tuple[float, float]]) -> np.ndarray:
    out = audio.copy()
    for start, end in spans:
        a, b = max(0, int(start * rate)), min(len(out), int(np.ceil(end * rate)))
        t = np.arange(max(b - a, 0)) / rate  # a span outside the audio is empty
        tone = (np.sin(2 * np.pi * TONE_HZ * t) * TONE_LEVEL * 32767).astype(np.int16)
        out[a:b] = tone[:, None]
    return out


def to_wav(audio: np.ndarray, rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(audio.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.ascontiguousarray(audio).astype("<i2").tobytes())
    return buf.getvalue()


def export_audio(case: Case, doc: dict[str, Any], fmt: str = "wav") -> bytes:
    if fmt != "wav":
        raise MediaExportError("audio exports are written as .wav")
    if not doc["has_media"]:
        raise MediaExportError(f"call {doc['id']} has no media")
    source = case.one(select(tables.sources).where(tables.sources.c.id == doc["source_id"]))
    call = case.one(select(tables.calls.c.start_s, tables.calls.c.end_s).where(tables.calls.c.id == doc["id"]))
    audio, rate = decode(str(case.archive_file(source)), call["start_s"], call["end_s"])
    spans = [tuple(s) for s in doc.get("redaction", {}).get("audio_spans", [])]
    return to_wav(bleep(audio, rate, spans), rate)
