"""Stage "translate": every turn of a call into English with the chosen engine.

`lpost process --stages translate [--engine llm|nmt|whisper] [--model ...]`. Rows an analyst edited
(translations.edited = 1) are never overwritten; human translations supplied at ingest
(engine = 'human') are left alone and shown first by the read view.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from listeningpost.pipeline import Stage, register
from listeningpost.store.case import Case
from listeningpost.translate.core import Job, TurnInput, TurnResult, cached_outputs, prepare, run_jobs, save_results
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
    call = case.one("SELECT c.start_s, c.has_media, s.archive_path FROM calls c JOIN sources s ON s.id=c.source_id"
                    " WHERE c.id=?", (call_id,))
    audio = str(case.archive_file(call)) if call and call["has_media"] else None
    offset = (call["start_s"] or 0.0) if call else 0.0
    rows = case.query(
        "SELECT t.id, t.text, t.language, t.low_confidence, t.start_s, t.end_s,"
        " EXISTS(SELECT 1 FROM translations x WHERE x.turn_id=t.id AND x.lang=? AND x.engine=? AND x.edited=1) AS locked,"
        " EXISTS(SELECT 1 FROM translations x WHERE x.turn_id=t.id AND x.lang=? AND x.engine='human') AS has_human,"
        " EXISTS(SELECT 1 FROM translations x WHERE x.turn_id=t.id AND x.lang=? AND x.engine=?) AS done"
        " FROM turns t WHERE t.call_id=? ORDER BY t.idx",
        (lang, engine, lang, lang, engine, call_id),
    )
    call_lang = case.one("SELECT language FROM calls WHERE id=?", (call_id,))
    default_lang = call_lang["language"] if call_lang and call_lang["language"] in ("ru", "uk") else "ru"
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
        if self.engine.name == "whisper":
            row = case.one("SELECT has_media FROM calls WHERE id=?", (call_id,))
            if not row or not row["has_media"]:
                return False
        if self.skip_human_calls and case.one(
                "SELECT 1 FROM translations x JOIN turns t ON t.id=x.turn_id WHERE t.call_id=? AND x.engine='human'"
                " LIMIT 1", (call_id,)):
            return False
        return case.one("SELECT 1 FROM turns WHERE call_id=? AND trim(text) != '' LIMIT 1", (call_id,)) is not None

    def load(self, case: Case, call_id: int) -> TranslateItem:
        jobs = prepare(self.engine, self.glossary,
                       turn_inputs(case, call_id, self.engine.name, self.lang, self.skip_human))
        cached = cached_outputs(case, [j.cache_key for j in jobs])
        for job in jobs:
            job.cached = cached.get(job.cache_key)
        return TranslateItem(self.settings(), jobs)

    def compute(self, item: TranslateItem) -> list[TurnResult]:
        return list(run_jobs(engine_for(item.settings), item.jobs))

    def save(self, case: Case, call_id: int, result: list[TurnResult], run_id: int) -> None:
        save_results(case, self.engine, result, run_id, self.lang)


@register("translate")
def translate_stage(engine: str | None = None, model: str | None = None, **options: Any) -> TranslateStage:
    # `--opt translate.key=value` text is already typed by pipeline.coerce_options (make_stage)
    return TranslateStage(engine=engine, model=model, **options)
