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


def source_dict(row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "sha256": row["sha256"],
        "original_name": row["original_name"],
        "size": row["size"],
        "kind": row["kind"],
        "format": row["format"],
        "media": _loads(row["media_json"]),
        "near_duplicate_of": row["near_duplicate_of"],
        "near_duplicate_score": row["near_duplicate_score"],
        "added_at": row["added_at"],
        "provenance": {f: row[f] for f in PROVENANCE_FIELDS} | _loads(row["extra_json"], {}),
    }


def stage_status(case: Case, call_id: int) -> dict[str, dict[str, Any]]:
    return {
        r["stage"]: {"status": r["status"], "error": r["error"], "updated_at": r["updated_at"]}
        for r in case.query(select(jobs.c.stage, jobs.c.status, jobs.c.error, jobs.c.updated_at)
                            .where(jobs.c.call_id == call_id))
    }


def call_summary(case: Case, row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "external_id": row["external_id"],
        "title": row["title"],
        "category": row["category"],
        "language": row["language"],
        "duration_s": row["duration_s"],
        "has_media": bool(row["has_media"]),
        "source_id": row["source_id"],
        "created_at": row["created_at"],
    }


def list_calls(case: Case, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    n_turns = select(func.count()).select_from(turns).where(turns.c.call_id == calls.c.id).scalar_subquery()
    s = sources.c
    stmt = (select(calls, s.publisher, s.source_url, s.published_date, s.original_name, s.kind, n_turns.label("n_turns"))
            .join(sources, s.id == calls.c.source_id).order_by(calls.c.id))
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    out = []
    for r in case.query(stmt):
        item = call_summary(case, r)
        item.update(
            publisher=r["publisher"], source_url=r["source_url"], published_date=r["published_date"],
            original_name=r["original_name"], kind=r["kind"], turns=r["n_turns"],
        )
        out.append(item)
    return out


def translations_by_turn(case: Case, call_id: int) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    rows = case.query(
        select(translations, turns.c.text.label("turn_text"), turns.c.language.label("turn_language"))
        .join(turns, turns.c.id == translations.c.turn_id).where(turns.c.call_id == call_id)
        .order_by(when((translations.c.engine == "human", 0), else_=1), translations.c.id))
    for r in rows:
        out.setdefault(r["turn_id"], []).append(
            {
                "lang": r["lang"], "engine": r["engine"], "model": r["model"], "text": r["text"],
                "flags": _loads(r["flags_json"], []), "edited": bool(r["edited"]),
                "glossary": _loads(r["glossary_json"], []),
                "machine": r["engine"] != "human",
                "facts": _facts(r),
            }
        )
        if r["engine"] != "human":  # literal source gloss under machine English (translate/gloss.py)
            for key, field in translation_fields().items():  # store.hooks: registered, never imported here
                out[r["turn_id"]][-1][key] = field(r["turn_text"] or "", r["turn_language"] or "ru")
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
    doc_turns = []
    for t in call_turns(case, call_id, with_words=True):
        doc_turns.append(
            {
                "id": t["id"], "idx": t["idx"], "speaker": t["speaker"], "start": t["start_s"], "end": t["end_s"],
                "language": t["language"], "language_prob": t["language_prob"], "text": t["text"],
                "avg_logprob": t["avg_logprob"], "no_speech_prob": t["no_speech_prob"],
                "low_confidence": bool(t["low_confidence"]), "origin": t["origin"], "edited": bool(t["edited"]),
                "machine": t["origin"] == "asr", "words": t["words"],
                "translations": translations.get(t["id"], []),
            }
        )
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
    return {
        "id": r["id"], "turn_id": r["turn_id"], "type": r["type"], "text": r["text"], "norm": r["norm"],
        "start_char": r["start_char"], "end_char": r["end_char"], "lat": r["lat"], "lon": r["lon"],
        "geo_confidence": r["geo_confidence"], "status": r["status"], "machine": r["status"] == "machine",
        "data": _loads(r["data_json"], {}),
    }


def _claim(r) -> dict[str, Any]:
    return {
        "id": r["id"], "turn_id": r["turn_id"], "type": r["type"], "count": r["count"], "quote": r["quote"],
        "start": r["start_s"], "end": r["end_s"], "speaker": r["speaker"], "subject": r["subject"],
        "place": r["place"], "period": r["period"], "equipment": r["equipment"], "hedged": bool(r["hedged"]),
        "negated": bool(r["negated"]), "confidence": r["confidence"], "status": r["status"],
        "machine": r["status"] == "machine", "data": _loads(r["data_json"], {}),
    }


def _theme(r) -> dict[str, Any]:
    return {
        "id": r["id"], "turn_id": r["turn_id"], "theme": r["theme"], "score": r["score"],
        "evidence": _loads(r["evidence_json"], []), "status": r["status"], "machine": r["status"] == "machine",
    }
