"""Streaming translation of a whole case (`lpost translate`): turns are read, translated and
committed ``batch`` at a time, so memory stays bounded however many turns there are and a stopped run
resumes where it left off."""

from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import select

from listeningpost.store import tables
from listeningpost.store.case import Case
from listeningpost.store.layers import finish_run, start_run
from listeningpost.translate.core import FLAG_GLOSSARY_MISS, prepare_cached, run_jobs, save_results
from listeningpost.translate.engines import make_engine
from listeningpost.translate.glossary import default_glossary
from listeningpost.translate.stage import turn_inputs


def translate_case(
    case: Case,
    engine: str | None = None,
    model: str | None = None,
    call_ids: list[int] | None = None,
    batch: int = 32,
    lang: str = "en",
    skip_human: bool = False,
    only_missing: bool = True,
    on_total: Callable[[int], None] = lambda n: None,
    on_advance: Callable[[int], None] = lambda n: None,
    **options: Any,
) -> dict[str, Any]:
    eng = make_engine(engine, model, **options)
    glossary = default_glossary()
    calls = tables.calls
    ids = call_ids or [r[0] for r in case.query(select(calls.c.id).order_by(calls.c.id))]
    if eng.name == "whisper":
        with_media = {r[0] for r in case.query(select(calls.c.id).where(calls.c.has_media != 0))}
        ids = [i for i in ids if i in with_media]
    # only ids and counts are held for the whole case; turn texts are read per call
    per_call = {i: len(turn_inputs(case, i, eng.name, lang, skip_human, only_missing)) for i in ids}
    on_total(sum(per_call.values()))
    settings = {"engine": eng.name, "model": eng.model_name, "variant": eng.variant(), "glossary": glossary.version,
                "lang": lang, "skip_human": skip_human, "options": options}
    with case.transaction():
        run_id = start_run(case, "translate", settings)
    report = {"engine": eng.name, "model": eng.model_name, "run_id": run_id, "translated": 0, "cached": 0,
              "failed": 0, "glossary_miss": 0, "errors": []}
    try:
        for call_id in ids:
            if not per_call[call_id]:
                continue
            inputs = turn_inputs(case, call_id, eng.name, lang, skip_human, only_missing)
            for i in range(0, len(inputs), max(1, batch)):
                results = list(run_jobs(eng, prepare_cached(case, eng, glossary, inputs[i:i + batch])))
                with case.transaction():
                    ok, failed = save_results(case, eng, results, run_id, lang)
                report["translated"] += ok
                report["failed"] += failed
                report["cached"] += sum(r.from_cache for r in results)
                report["glossary_miss"] += sum(FLAG_GLOSSARY_MISS in r.flags for r in results)
                report["errors"] = (report["errors"] + [{"call": call_id, "turn": r.turn_id, "error": r.error}
                                                        for r in results if r.error])[:50]
                on_advance(len(results))
    except BaseException as exc:
        with case.transaction():
            finish_run(case, run_id, "failed", f"{type(exc).__name__}: {exc}")
        raise
    finally:
        eng.close()
    status = "done" if not report["failed"] else ("partial" if report["translated"] else "failed")
    with case.transaction():
        finish_run(case, run_id, status, f"{report['failed']} turn(s) failed" if report["failed"] else None)
    return report
