"""Read-side views of a case: the call document (`lpost show --json`, web, export) and call lists.

The call document schema is versioned (``schema``); fields are only added, never renamed.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import case as when, func, select

from listeningpost.store.case import Case
from listeningpost.store.hooks import translation_fields
from listeningpost.store.layers import call_turns
from listeningpost.store.tables import calls, claims, entities, jobs, runs, sources, speakers, themes, translations, turns

SHOW_SCHEMA = "listeningpost.call/1"

PROVENANCE_FIELDS = (
    "publisher", "source_url", "published_date", "obtained_date", "title", "language", "notes",
    "authenticity_notes",
)


def _loads(text: str | None, default: Any = None) -> Any:
    return json.loads(text) if text else default


def _pick(row: Any, *names: str) -> dict[str, Any]:
    return {name: row[name] for name in names}


def source_dict(row) -> dict[str, Any]:
    return {
        **_pick(row, "id", "sha256", "original_name", "size", "kind", "format"),
        "media": _loads(row["media_json"]),
        **_pick(row, "near_duplicate_of", "near_duplicate_score", "added_at"),
        "provenance": _pick(row, *PROVENANCE_FIELDS) | _loads(row["extra_json"], {}),
    }


def stage_status(case: Case, call_id: int) -> dict[str, dict[str, Any]]:
    return {
        r["stage"]: {"status": r["status"], "error": r["error"], "updated_at": r["updated_at"]}
        for r in case.query(select(jobs.c.stage, jobs.c.status, jobs.c.error, jobs.c.updated_at)
                            .where(jobs.c.call_id == call_id))
    }


def call_summary(case: Case, row) -> dict[str, Any]:
    return {**_pick(row, "id", "external_id", "title", "category", "language", "duration_s"),
            "has_media": bool(row["has_media"]), **_pick(row, "source_id", "created_at")}


def list_calls(case: Case, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    n_turns = select(func.count()).select_from(turns).where(turns.c.call_id == calls.c.id).scalar_subquery()
    shown = ("publisher", "source_url", "published_date", "original_name", "kind")
    stmt = (select(calls, *(sources.c[name] for name in shown), n_turns.label("n_turns"))
            .join(sources, sources.c.id == calls.c.source_id).order_by(calls.c.id))
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    return [{**call_summary(case, r), **_pick(r, *shown), "turns": r["n_turns"]} for r in case.query(stmt)]


def translations_by_turn(case: Case, call_id: int) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    rows = case.query(
        select(translations, turns.c.text.label("turn_text"), turns.c.language.label("turn_language"))
        .join(turns, turns.c.id == translations.c.turn_id).where(turns.c.call_id == call_id)
        .order_by(when((translations.c.engine == "human", 0), else_=1), translations.c.id))
    for r in rows:
        item = {**_pick(r, "lang", "engine", "model", "text"), "flags": _loads(r["flags_json"], []),
                "edited": bool(r["edited"]), "glossary": _loads(r["glossary_json"], []),
                "machine": r["engine"] != "human", "facts": _facts(r)}
        if r["engine"] != "human":  # literal source gloss under machine English (translate/gloss.py)
            for key, field in translation_fields().items():  # store.hooks: registered, never imported here
                item[key] = field(r["turn_text"] or "", r["turn_language"] or "ru")
        out.setdefault(r["turn_id"], []).append(item)
    return out


def _facts(row: Any) -> dict[str, Any] | None:
    """The fact check of a machine line ({"faithful", "missing"}); None where none was run (human lines)
    or the analyst has since edited the line (the check was of the machine's text)."""
    got = _loads(row["facts_json"]) if "facts_json" in row.keys() and not row["edited"] else None
    return {"faithful": bool(got["faithful"]), "missing": got["missing"]} if got else None


def call_document(case: Case, call_id: int) -> dict[str, Any]:
    """Everything known about one call, as `lpost show CALL --json` prints it."""
    call = case.one(select(calls).where(calls.c.id == call_id))
    if call is None:
        raise KeyError(call_id)
    source = case.one(select(sources).where(sources.c.id == call["source_id"]))
    translations = translations_by_turn(case, call_id)
    doc_turns = [
        {**_pick(t, "id", "idx", "speaker"), "start": t["start_s"], "end": t["end_s"],
         **_pick(t, "language", "language_prob", "text", "avg_logprob", "no_speech_prob"),
         "low_confidence": bool(t["low_confidence"]), "origin": t["origin"], "edited": bool(t["edited"]),
         "machine": t["origin"] == "asr", "words": t["words"], "translations": translations.get(t["id"], [])}
        for t in call_turns(case, call_id, with_words=True)
    ]
    names = case.query(select(speakers.c.label, speakers.c.name).where(speakers.c.call_id == call_id))
    doc = call_summary(case, call)
    doc.update(
        schema=SHOW_SCHEMA,
        source=source_dict(source),
        speakers={r["label"]: r["name"] for r in names},
        stages=stage_status(case, call_id),
        turns=doc_turns,
        **_analysis(case, call_id),
        runs=[dict(r) for r in case.query(
            select(runs.c.id, runs.c.stage, runs.c.engine, runs.c.model, runs.c.started_at, runs.c.finished_at,
                   runs.c.status).distinct().join(jobs, jobs.c.run_id == runs.c.id)
            .where(jobs.c.call_id == call_id).order_by(runs.c.id))],
    )
    return doc


def _analysis(case: Case, call_id: int) -> dict[str, list[dict[str, Any]]]:
    """Entities, claims and themes of a call in SQLite's order on both databases (rows of no turn
    first; themes of the whole call first, unscored last)."""
    e, c, t = entities.c, claims.c, themes.c
    return {
        "entities": [_entity(r) for r in case.query(select(entities).where(e.call_id == call_id).order_by(
            e.turn_id.asc().nulls_first(), e.start_char.asc().nulls_first(), e.id))],
        "claims": [_claim(r) for r in case.query(select(claims).where(c.call_id == call_id).order_by(
            c.turn_id.asc().nulls_first(), c.id))],
        "themes": [_theme(r) for r in case.query(select(themes).where(t.call_id == call_id).order_by(
            t.turn_id.is_not(None), t.score.desc().nulls_last(), t.id))],
    }


def _entity(r) -> dict[str, Any]:
    return {**_pick(r, "id", "turn_id", "type", "text", "norm", "start_char", "end_char", "lat", "lon",
                    "geo_confidence", "status"),
            "machine": r["status"] == "machine", "data": _loads(r["data_json"], {})}


def _claim(r) -> dict[str, Any]:
    return {
        **_pick(r, "id", "turn_id", "type", "count", "quote"), "start": r["start_s"], "end": r["end_s"],
        **_pick(r, "speaker", "subject", "place", "period", "equipment"), "hedged": bool(r["hedged"]),
        "negated": bool(r["negated"]), **_pick(r, "confidence", "status"),
        "machine": r["status"] == "machine", "data": _loads(r["data_json"], {}),
    }


def _theme(r) -> dict[str, Any]:
    return {**_pick(r, "id", "turn_id", "theme", "score"), "evidence": _loads(r["evidence_json"], []),
            "status": r["status"], "machine": r["status"] == "machine"}
