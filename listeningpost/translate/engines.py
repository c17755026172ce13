"""Translation engine interface and registry.

An engine turns a batch of segments (one per turn) into English strings. Everything around it --
glossary protection and post-check, caching, per-turn failure isolation, flags -- is engine-agnostic
and lives in ``core.py``. Engines are created in worker processes and cached there.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from listeningpost.registry import Registry

#: engine used when none is given: the only translation model that installs offline (MODELS.md §2)
DEFAULT_ENGINE = "llm"


@dataclass
class Segment:
    """What an engine translates: one turn's (protected) text, its language, and optionally audio."""

    text: str
    lang: str = "ru"
    audio_path: str | None = None
    start: float | None = None
    end: float | None = None
    #: (source form, English rendering) of the glossary terms found, for engines that take instructions
    hints: list[tuple[str, str]] = field(default_factory=list)
    #: the previous turn's source text, for engines that read context (not translated)
    context: str = ""


class TranslationEngine(ABC):
    #: name stored in translations.engine
    name: str = ""
    #: 'inline' (term -> English rendering in the source), 'placeholder' (opaque token, restored),
    #: or 'none' (the engine does not read our text, e.g. Whisper on audio)
    glossary_mode: str = "inline"
    #: output is a draft (test-grade model): flagged so the UI warns
    draft: bool = False
    batch_size: int = 8

    def __init__(self, model: str | None = None):
        self.model = model

    @property
    def model_name(self) -> str | None:
        """Model label stored in translations.model and in the cache key."""
        return self.model

    def variant(self) -> str:
        """Output-determining options beyond engine and model (prompt version...), for the cache key."""
        return ""

    def cache_text(self, segment: Segment) -> str:
        """What the output depends on, for the cache key (the text; audio engines override)."""
        return segment.text

    @abstractmethod
    def translate(self, segments: list[Segment]) -> list[str]:
        """English for each segment, same order. May raise; the caller then retries one by one."""

    def close(self) -> None:
        """Release model memory."""


class BeamEngine(TranslationEngine):
    """An engine that decodes with a beam search (NMT, Whisper): the beam width is part of the cache key."""

    def __init__(self, model: str | None = None, beam_size: int = 4, threads: int | None = None):
        super().__init__(model)
        self.beam_size = beam_size
        self.threads = threads

    def variant(self) -> str:
        return f"beam{self.beam_size}"


ENGINES = Registry("translation engine", sort=True, sets_name=False)
register_engine = ENGINES.register


def make_engine(name: str | None = None, model: str | None = None, **options) -> TranslationEngine:
    # imported here so each engine's heavy dependencies load only when that engine is used
    from listeningpost.translate import llm, nmt, whisper  # noqa: F401  (register themselves)

    return ENGINES.lookup(name or DEFAULT_ENGINE)(model=model, **options)
