"""Stage "translate": every turn of a call into English with the chosen engine.

`lpost process --stages translate [--engine llm|nmt|whisper] [--model ...]`. Rows an analyst edited
(translations.edited = 1) are never overwritten; human translations supplied at ingest
(engine = 'human') are left alone and shown first by the read view.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from listeningpost.pipeline import Stage, register
from listeningpost.store import tables
from listeningpost.store.case import Case
from listeningpost.translate.core import Job, TurnInput, TurnResult, prepare_cached, run_jobs, save_results
from listeningpost.translate.engines import TranslationEngine, make_engine
from listeningpost.translate.glossary import default_glossary

#: engines loaded in this (worker) process, by settings
_ENGINES: dict[str, TranslationEngine] = {}


@dataclass
class TranslateItem:
    settings: dict[str, Any]
    jobs: list[Job]


def engine_for(settings: dict[str, Any]) -> TranslationEngine:
    key = json.dumps(settings, sort_keys=True, default=str)
    if key not in _ENGINES:
        _ENGINES[key] = make_engine(settings["engine"], settings.get("model_arg"), **settings.get("options", {}))
    return _ENGINES[key]


def turn_inputs(case: Case, call_id: int, engine: str, lang: str = "en", skip_human: bool = False,
                only_missing: bool = False) -> list[TurnInput]:
    """Turns to translate: non-empty, not analyst-edited for this engine (with ``skip_human``: without
    a human translation; with ``only_missing``: without any translation by this engine yet)."""
    calls, turns, translations = tables.calls, tables.turns, tables.translations
    call = case.one(select(calls.c.start_s, calls.c.has_media, calls.c.language, tables.sources.c.archive_path)
                    .join(tables.sources, tables.sources.c.id == calls.c.source_id).where(calls.c.id == call_id))
    audio = str(case.archive_file(call)) if call and call["has_media"] else None
    offset = (call["start_s"] or 0.0) if call else 0.0

    def translated(*where):
        return select(translations.c.id).where(translations.c.turn_id == turns.c.id, translations.c.lang == lang,
                                               *where).exists()

    rows = case.query(
        select(turns.c.id, turns.c.text, turns.c.language, turns.c.low_confidence, turns.c.start_s, turns.c.end_s,
               translated(translations.c.engine == engine, translations.c.edited == 1).label("locked"),
               translated(translations.c.engine == "human").label("has_human"),
               translated(translations.c.engine == engine).label("done"))
        .where(turns.c.call_id == call_id).order_by(turns.c.idx)
    )
    default_lang = call["language"] if call and call["language"] in ("ru", "uk") else "ru"
    out, previous = [], ""
    for r in rows:
        context, previous = previous, (r["text"] or "").strip() or previous
        if r["locked"] or not (r["text"] or "").strip() or (skip_human and r["has_human"]) or (only_missing and r["done"]):
            continue
        start = r["start_s"] + offset if r["start_s"] is not None else None
        end = r["end_s"] + offset if r["end_s"] is not None else None
        out.append(TurnInput(r["id"], r["text"], r["language"] if r["language"] in ("ru", "uk") else default_lang,
                             bool(r["low_confidence"]), start, end, audio, context))
    return out


class TranslateStage(Stage):
    name = "translate"
    #: calls ingested as audio wait for their transcript (speech does not apply to transcripts)
    requires = ("speech",)

    # skip_human: a turn that already has a human translation is shown with it, so by default no
    # machine time is spent on it (--opt translate.skip_human=false to compare engines with humans).
    # skip_human_calls: a call with a human translation in any language (e.g. Radio-Analyzer's German)
    # is left out entirely; the demo uses it to stay short, a later run without it translates the rest.
    def __init__(self, engine: str | None = None, model: str | None = None, lang: str = "en",
                 skip_human: bool = True, skip_human_calls: bool = False, **options: Any):
        self.engine = make_engine(engine, model, **options)   # lazy: no model is loaded here
        self.model_arg = model
        self.lang = lang
        self.skip_human = skip_human
        self.skip_human_calls = skip_human_calls
        self.options = options
        self.glossary = default_glossary()

    def settings(self) -> dict[str, Any]:
        return {
            "engine": self.engine.name, "model": self.engine.model_name, "model_arg": self.model_arg,
            "variant": self.engine.variant(), "glossary": self.glossary.version, "lang": self.lang,
            "skip_human": self.skip_human, "options": self.options,
        }  # skip_human_calls only picks calls, it changes no output: not part of the settings

    def applies_to(self, case: Case, call_id: int) -> bool:
        calls, turns, translations = tables.calls, tables.turns, tables.translations
        if self.engine.name == "whisper":
            row = case.one(select(calls.c.has_media).where(calls.c.id == call_id))
            if not row or not row["has_media"]:
                return False
        if self.skip_human_calls and case.one(
                select(translations.c.id).join(turns, turns.c.id == translations.c.turn_id)
                .where(turns.c.call_id == call_id, translations.c.engine == "human").limit(1)):
            return False
        return case.one(select(turns.c.id).where(turns.c.call_id == call_id, func.trim(turns.c.text) != "")
                        .limit(1)) is not None

    def load(self, case: Case, call_id: int) -> TranslateItem:
        inputs = turn_inputs(case, call_id, self.engine.name, self.lang, self.skip_human)
        return TranslateItem(self.settings(), prepare_cached(case, self.engine, self.glossary, inputs))

    def compute(self, item: TranslateItem) -> list[TurnResult]:
        return list(run_jobs(engine_for(item.settings), item.jobs))

    def save(self, case: Case, call_id: int, result: list[TurnResult], run_id: int) -> None:
        save_results(case, self.engine, result, run_id, self.lang)


@register("translate")
def translate_stage(engine: str | None = None, model: str | None = None, **options: Any) -> TranslateStage:
    # `--opt translate.key=value` text is already typed by pipeline.coerce_options (make_stage)
    return TranslateStage(engine=engine, model=model, **options)
