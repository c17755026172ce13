"""Engine-agnostic translation of turns: glossary protection, cache keys, batching with per-turn
failure isolation, restore, post-check and flags.

``prepare_cached`` runs where the case is (it needs the cache), ``run_jobs`` where the model is, ``save``
back in the case, so the same code serves the job runner's Stage and the streaming `lpost translate`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from sqlalchemy import delete, insert, select, update

from listeningpost.store import tables
from listeningpost.store.case import Case, now
from listeningpost.store.sql import upsert
from listeningpost.translate.engines import Segment, TranslationEngine
from listeningpost.translate.glossary import Glossary, Protected, missing_terms, protect, restore

FLAG_DRAFT = "draft"
FLAG_GLOSSARY_MISS = "glossary_miss"
FLAG_LOW_ASR = "low_asr_confidence"
FLAG_EMPTY = "empty"
FLAG_UNFAITHFUL = "unfaithful"  # a number, name, casualty code or claim of the source is not in the English


@dataclass
class TurnInput:
    turn_id: int
    text: str
    lang: str = "ru"
    low_confidence: bool = False
    start: float | None = None
    end: float | None = None
    audio_path: str | None = None
    context: str = ""              # the previous turn's text (speaker turns answer each other)


@dataclass
class Job:
    turn_id: int
    protected: Protected
    segment: Segment
    cache_key: str
    low_confidence: bool
    cached: str | None = None


@dataclass
class TurnResult:
    turn_id: int
    text: str | None
    flags: list[str] = field(default_factory=list)
    glossary: list[dict] = field(default_factory=list)
    error: str | None = None
    cache_key: str | None = None
    raw: str | None = None          # engine output, cached
    from_cache: bool = False


def cache_key(engine: TranslationEngine, segment: Segment) -> str:
    blob = json.dumps([engine.name, engine.model_name, engine.variant(), segment.lang, engine.cache_text(segment)],
                      ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def prepare_cached(case: Case, engine: TranslationEngine, glossary: Glossary,
                   turns: Iterable[TurnInput]) -> list[Job]:
    """A job per turn (glossary protection, cache key), carrying its output from the case's translation
    cache when there is one."""
    jobs = []
    for t in turns:
        matches = glossary.find(t.text)
        prot = protect(t.text, matches, engine.glossary_mode)
        seg = Segment(prot.text, t.lang or "ru", t.audio_path, t.start, t.end,
                      hints=[(m.text, m.term.en) for m in matches], context=t.context)
        jobs.append(Job(t.turn_id, prot, seg, cache_key(engine, seg), t.low_confidence))
    cached = cached_outputs(case, [j.cache_key for j in jobs])
    for job in jobs:
        job.cached = cached.get(job.cache_key)
    return jobs


def finish(engine: TranslationEngine, job: Job, raw: str, from_cache: bool = False) -> TurnResult:
    text = restore(raw, job.protected).strip()
    missing = {id(m) for m in missing_terms(job.protected.matches, text)}
    flags = [flag for flag, on in ((FLAG_DRAFT, engine.draft), (FLAG_GLOSSARY_MISS, missing),
                                   (FLAG_LOW_ASR, job.low_confidence),
                                   (FLAG_EMPTY, not text and job.segment.text.strip())) if on]
    glossary = [{"term": m.term.id, "source": m.text, "en": m.term.en, "ok": id(m) not in missing}
                for m in job.protected.matches]
    return TurnResult(job.turn_id, text, flags, glossary, None, job.cache_key, raw, from_cache)


def run_jobs(engine: TranslationEngine, jobs: list[Job]) -> Iterator[TurnResult]:
    """Translate in engine-sized batches; a failing batch is retried turn by turn so one bad turn
    fails alone. Results come back in job order as they are produced."""
    for job in jobs:
        if job.cached is not None:
            yield finish(engine, job, job.cached, from_cache=True)
    todo = [j for j in jobs if j.cached is None]
    size = max(1, engine.batch_size)
    for i in range(0, len(todo), size):
        batch = todo[i:i + size]
        try:
            outputs = engine.translate([j.segment for j in batch])
            whole = len(outputs) == len(batch)  # else (an error, or a wrong number of outputs): one by one
        except Exception:
            whole = False
        if whole:
            yield from (finish(engine, job, out) for job, out in zip(batch, outputs))
            continue
        for job in batch:
            try:
                yield finish(engine, job, engine.translate([job.segment])[0])
            except Exception as exc:  # noqa: BLE001 - any engine error fails this turn only
                yield TurnResult(job.turn_id, None, error=f"{type(exc).__name__}: {exc}", cache_key=job.cache_key)


# -- case side ---------------------------------------------------------------------------------------

def cached_outputs(case: Case, keys: list[str]) -> dict[str, str]:
    cache, out = tables.translation_cache, {}
    for i in range(0, len(keys), 500):
        for r in case.query(select(cache.c.key, cache.c.output).where(cache.c.key.in_(keys[i:i + 500]))):
            out[r["key"]] = r["output"]
    return out


def save_results(case: Case, engine: TranslationEngine, results: Iterable[TurnResult], run_id: int | None,
                 lang: str = "en") -> tuple[int, int]:
    """Write translations (never over an analyst-edited row), cache entries and failures.
    Call inside ``case.transaction()``. Returns (translated, failed)."""
    db, stamp, ok, failed = case.db, now(), 0, 0
    failures, translations = tables.translation_failures, tables.translations
    for r in results:
        if r.error is not None:
            db.execute(insert(failures).values(turn_id=r.turn_id, lang=lang, engine=engine.name,
                                               model=engine.model_name, run_id=run_id, error=r.error, at=stamp))
            failed += 1
            continue
        if r.raw is not None and not r.from_cache:
            db.execute(upsert(db, tables.translation_cache, {"key": r.cache_key, "engine": engine.name,
                                                             "model": engine.model_name, "output": r.raw,
                                                             "created_at": stamp}, ["key"]))
        # UPDATE-then-INSERT rather than an upsert: other packages' triggers on translations use
        # INSERT OR IGNORE, which an outer upsert's conflict handling would override
        flags, facts = fact_check(case, engine, r, lang)
        values = {"model": engine.model_name, "text": r.text, "flags_json": json.dumps(flags), "run_id": run_id,
                  "created_at": stamp, "glossary_json": json.dumps(r.glossary, ensure_ascii=False), "facts_json": facts}
        key = {"turn_id": r.turn_id, "lang": lang, "engine": engine.name}
        same = [translations.c[k] == v for k, v in key.items()]
        updated = db.execute(update(translations).where(*same, translations.c.edited == 0).values(values)).rowcount
        if not updated and not db.execute(select(translations.c.id).where(*same)).fetchone():
            db.execute(insert(translations).values(key | values))
        db.execute(delete(failures).where(failures.c.turn_id == r.turn_id, failures.c.lang == lang,
                                          failures.c.engine == engine.name))
        ok += 1
    return ok, failed


def fact_check(case: Case, engine: TranslationEngine, r: TurnResult, lang: str) -> tuple[list[str], str | None]:
    """(flags, facts_json) of a machine English line: the source turn's facts it lacks flag it unfaithful."""
    if engine.name == "human" or lang != "en" or r.text is None:
        return r.flags, None
    from listeningpost.translate.facts import check as check_facts  # lazy: loads the analysers

    turn = case.one(select(tables.turns.c.text, tables.turns.c.language).where(tables.turns.c.id == r.turn_id))
    if turn is None:
        return r.flags, None
    try:
        result = check_facts(turn["text"] or "", r.text, turn["language"] if turn["language"] in ("ru", "uk") else "ru")
    except Exception:  # noqa: BLE001 - a checker bug must not cost the translation; the row just has no check
        logging.getLogger(__name__).exception("fact check failed for turn %s", r.turn_id)
        return r.flags, None
    flags = r.flags + ([FLAG_UNFAITHFUL] if not result.faithful and FLAG_UNFAITHFUL not in r.flags else [])
    return flags, json.dumps(result.to_dict(), ensure_ascii=False)
