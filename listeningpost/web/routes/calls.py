"""Reading calls: the list (with its search box), one call, its media and its edit history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy import select

from listeningpost.store import audit, corrections
from listeningpost.store.case import Case
from listeningpost.store.tables import calls, sources, translations, turns, words
from listeningpost.store.views import call_document
from listeningpost.voices.store import links_for_call as voice_links_for_call
from listeningpost.web import mapsvg, queries, search
from listeningpost.web.auth import User
from listeningpost.web.deps import get_case, page, viewer
from listeningpost.web.forms import parse_filters

LOW_WORD_PROB = 0.5

router = APIRouter()


# -- calls list ---------------------------------------------------------------------------------
def calls_data(request: Request, case: Case, user: User) -> dict[str, Any]:
    f = parse_filters(request)
    matched = None
    info: dict[str, Any] = {}
    if f.q.strip():
        m = search.find(case, f.q, f.mode if f.mode in ("lexical", "hybrid", "semantic") else "lexical")
        matched, info = m.call_ids, {"engine": m.engine, "error": m.error, "snippets": m.snippets}
        audit.log(case, user.username, "search", None, {"q": f.q})
    data = queries.list_page(case, f, matched, info.get("snippets"))
    data["search"] = {"engine": info.get("engine"), "error": info.get("error")}
    return data


@router.get("/calls", response_class=HTMLResponse)
def calls_page(request: Request, user: User = Depends(viewer), case: Case = Depends(get_case)):
    data = calls_data(request, case, user)
    return page(request, "calls.html", data, f=parse_filters(request), sorts=list(queries.SORTS))


@router.get("/api/calls")
def calls_api(request: Request, user: User = Depends(viewer), case: Case = Depends(get_case)):
    return calls_data(request, case, user)


# -- one call -----------------------------------------------------------------------------------
def _add_row_ids(case: Case, call_id: int, doc: dict[str, Any]) -> None:
    """Word and translation ids (for the edit forms), low-probability marks, claim seek times."""
    turn_start = {t["id"]: t["start"] for t in doc["turns"]}
    word_ids: dict[int, list[int]] = {}
    for r in case.query(select(words.c.id, words.c.turn_id).join_from(words, turns, turns.c.id == words.c.turn_id)
                        .where(turns.c.call_id == call_id).order_by(words.c.turn_id, words.c.idx)):
        word_ids.setdefault(r["turn_id"], []).append(r["id"])
    tr_ids = {(r["turn_id"], r["lang"], r["engine"]): r["id"] for r in case.query(
        select(translations.c.id, translations.c.turn_id, translations.c.lang, translations.c.engine)
        .join_from(translations, turns, turns.c.id == translations.c.turn_id).where(turns.c.call_id == call_id))}
    for t in doc["turns"]:
        for w, wid in zip(t["words"], word_ids.get(t["id"], [])):
            w["id"] = wid
            w["low"] = w["probability"] is not None and w["probability"] < LOW_WORD_PROB
        for tr in t["translations"]:
            tr["id"] = tr_ids.get((t["id"], tr["lang"], tr["engine"]))
    for cl in doc["claims"]:  # a claim without its own time seeks to its turn
        if cl["start"] is None and cl["turn_id"] in turn_start:
            cl["start"] = turn_start[cl["turn_id"]]


def call_data(case: Case, call_id: int, user: User) -> dict[str, Any]:
    from listeningpost.context.claims import context_for_document, load_references

    try:
        doc = call_document(case, call_id)
    except KeyError:
        raise HTTPException(404, f"no call {call_id}")
    call = case.one(select(calls.c.start_s, calls.c.end_s).where(calls.c.id == call_id))
    doc["media_url"] = f"/api/calls/{call_id}/media" if doc["has_media"] else None
    doc["media_offset"] = call["start_s"] or 0.0
    doc["media_video"] = doc["source"]["kind"] == "video"
    doc["places"] = queries.places(case, call_id)
    doc["context"] = context_for_document(doc, load_references(case))["claims"]  # reference figures, issue 16
    doc["history"] = corrections.history(case, call_id, limit=200)
    doc["voices"] = voice_links_for_call(case, call_id)
    _add_row_ids(case, call_id, doc)
    audit.log(case, user.username, "view", f"call:{call_id}")
    return doc


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def call_page(request: Request, call_id: int, user: User = Depends(viewer), case: Case = Depends(get_case)):
    doc = call_data(case, call_id, user)
    return page(request, "call.html", doc, map=mapsvg.render(doc["places"]) if doc["places"] else None,
                speaker_labels=sorted(doc["speakers"]))


@router.get("/api/calls/{call_id}")
def call_api(call_id: int, user: User = Depends(viewer), case: Case = Depends(get_case)):
    return call_data(case, call_id, user)


@router.get("/api/calls/{call_id}/media")
def call_media(call_id: int, user: User = Depends(viewer), case: Case = Depends(get_case)):
    row = case.one(select(sources).join_from(calls, sources, sources.c.id == calls.c.source_id)
                   .where((calls.c.id == call_id) & (calls.c.has_media == 1)))
    if row is None:
        raise HTTPException(404, "no media for this call")
    return FileResponse(case.archive_file(row), headers={"Cache-Control": "private, max-age=3600"})


# -- history ------------------------------------------------------------------------------------
def history_data(case: Case, call_id: int) -> dict[str, Any]:
    call = case.one(select(calls.c.id, calls.c.title).where(calls.c.id == call_id))
    if call is None:
        raise HTTPException(404, f"no call {call_id}")
    return {"call": dict(call), "edits": corrections.history(case, call_id)}


@router.get("/calls/{call_id}/history", response_class=HTMLResponse)
def history_page(request: Request, call_id: int, user: User = Depends(viewer), case: Case = Depends(get_case)):
    return page(request, "history.html", history_data(case, call_id))


@router.get("/api/calls/{call_id}/history")
def history_api(call_id: int, user: User = Depends(viewer), case: Case = Depends(get_case)):
    return history_data(case, call_id)
