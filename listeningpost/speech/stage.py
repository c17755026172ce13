"""Stage "speech": transcribe calls that have media into speaker turns with word timestamps.

`lpost process --stages speech [--model large-v3] [--language uk] [--speakers 3]
[--opt speech.beam_size=2 --opt speech.device=cuda ...]`; ``--opt speech.engine=NAME`` picks a
registered ASR engine (``listeningpost.speech.asr.ENGINES``, default faster-whisper). Analyst-edited
turns survive re-runs (``replace_turns`` keeps them and drops machine turns overlapping them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from listeningpost.pipeline import Stage, coerce_option, register
from listeningpost.speech.asr import AsrOptions, check_engine
from listeningpost.speech.diarize import DiarizeConfig
from listeningpost.speech.core import SpeechOptions, SpeechResult, run
from listeningpost.speech.vad import VadConfig
from listeningpost.store import tables
from listeningpost.store.case import Case
from listeningpost.store.layers import replace_turns


@dataclass
class SpeechItem:
    path: str
    start_s: float | None
    end_s: float | None
    options: dict[str, Any]


def build_options(model: str | None = None, language: str | None = None, speakers: int | str | None = None,
                  **extra: Any) -> SpeechOptions:
    """SpeechOptions from stage arguments; ``extra`` keys are fields of AsrOptions, VadConfig,
    DiarizeConfig (prefix ``vad_``/``diarize_`` when ambiguous) or SpeechOptions."""
    options = SpeechOptions()
    if model:
        options.asr.model = model
    if language:
        options.asr.language = None if language in ("auto", "none") else language
    if speakers is not None:
        options.diarize.speakers = int(speakers)
    targets = [("vad_", options.vad), ("diarize_", options.diarize), ("", options.asr), ("", options)]
    for key, value in extra.items():
        for prefix, target in targets:
            name = key.removeprefix(prefix)
            if key.startswith(prefix) and hasattr(target, name) and name not in ("asr", "vad", "diarize"):
                setattr(target, name, coerce_option(value, getattr(target, name)))
                break
        else:
            raise ValueError(f"unknown speech option {key!r}")
    check_engine(options.asr.engine)
    return options


@register("speech")
class SpeechStage(Stage):
    name = "speech"

    def __init__(self, model: str | None = None, language: str | None = None, speakers: int | str | None = None,
                 **extra: Any):
        self.options = build_options(model, language, speakers, **extra)

    def settings(self) -> dict[str, Any]:
        asr = self.options.asr
        options = self.options.to_dict()
        # the engine is recorded once, at the top: the settings (and their hash) of a
        # faster-whisper run stay what they were before engines were pluggable
        del options["asr"]["engine"]
        return {"engine": asr.engine, "model": asr.model, **options}

    def applies_to(self, case: Case, call_id: int) -> bool:
        row = case.one(select(tables.calls.c.has_media).where(tables.calls.c.id == call_id))
        return bool(row and row["has_media"])

    def load(self, case: Case, call_id: int) -> SpeechItem:
        calls, sources = tables.calls, tables.sources
        row = case.one(select(calls.c.start_s, calls.c.end_s, sources.c.archive_path)
                       .select_from(calls.join(sources, sources.c.id == calls.c.source_id)).where(calls.c.id == call_id))
        return SpeechItem(str(case.archive_file(row)), row["start_s"], row["end_s"], self.options.to_dict())

    def compute(self, item: SpeechItem) -> SpeechResult:
        return run(item.path, SpeechOptions.from_dict(item.options), item.start_s, item.end_s)

    def save(self, case: Case, call_id: int, result: SpeechResult, run_id: int) -> None:
        replace_turns(case, call_id, result.turns, run_id, origin="asr")
        calls = tables.calls
        case.db.execute(update(calls).where(calls.c.id == call_id).values(
            language=func.coalesce(result.language, calls.c.language), duration_s=result.duration_s))


__all__ = ["SpeechStage", "SpeechItem", "build_options", "AsrOptions", "VadConfig", "DiarizeConfig"]
