"""Typed records passed between stages (the in-memory shape of what the case stores)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Word:
    text: str
    start: float | None = None
    end: float | None = None
    probability: float | None = None


@dataclass
class Turn:
    text: str
    speaker: str | None = None
    start: float | None = None
    end: float | None = None
    language: str | None = None
    language_prob: float | None = None
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    low_confidence: bool = False
    words: list[Word] = field(default_factory=list)
    #: parallel human translations supplied with the transcript: {"en": "...", "de": "..."}
    translations: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportedCall:
    """One conversation read from a transcript file."""

    turns: list[Turn]
    external_id: str | None = None
    title: str | None = None
    category: str | None = None
    language: str | None = None
    #: provenance found inside the file (publisher, source_url, published_date, title, notes, ...)
    provenance: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class MediaInfo:
    duration: float | None
    channels: int | None
    sample_rate: int | None
    codec: str | None
    container: str | None
    has_video: bool = False
    bit_rate: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
