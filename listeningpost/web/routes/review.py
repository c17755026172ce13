"""Corrections by analysts: turn, word and translation text, speakers and voice links, split and
merge, decisions on analysis rows, undo, and retrying a failed job. Every edit is kept in the call's
history (``store.corrections``) and the audit log; forms are redirected back, `fetch` gets JSON."""

# no `from __future__ import annotations`: field_edit builds its route's annotations at run time
import subprocess
import sys
from typing import Annotated, Any, Callable

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import Response
from sqlalchemy import select

from listeningpost.jobs.runner import retry_job
from listeningpost.store import audit, corrections
from listeningpost.store.case import Case
from listeningpost.store.tables import edits
from listeningpost.web.auth import User
from listeningpost.web.deps import analyst, get_case, state
from listeningpost.web.forms import done, payload

router = APIRouter()


def edit(request: Request, case: Case, user: User, call_id: int, fn: Callable[[], int], what: str) -> Response:
    try:
        edit_id = fn()
    except corrections.EditError as exc:
        raise HTTPException(409, str(exc))
    audit.log(case, user.username, "edit", f"call:{call_id}", {"edit": edit_id, "what": what})
    return done(request, {"ok": True, "edit": edit_id}, f"/calls/{call_id}")


#: how a decision form's field becomes its column's type (the other fields stay text)
TYPED: dict[str, Callable[[Any], Any]] = {
    "count": lambda v: int(v) if str(v).strip().lstrip("-").isdigit() else None,
    "lat": float, "lon": float,
    **dict.fromkeys(("hedged", "negated"), lambda v: int(str(v).lower() in ("1", "true", "on", "yes"))),
}


# -- one posted field: text, speaker names and labels, voice links -------------------------------
#: (path after /api/calls/{call_id}/, type of its last parameter, route name, posted key, audit "what",
#: the corrections function that takes (case, call_id, target, value, author))
FIELD_EDITS = (
    ("turns/{turn_id}", int, "edit_turn", "text", "turn.text", corrections.edit_turn_text),
    ("words/{word_id}", int, "edit_word", "text", "word.text", corrections.edit_word),
    ("translations/{tr_id}", int, "edit_translation", "text", "translation.text",
     corrections.edit_translation),
    ("speakers/{label}", str, "rename_speaker", "name", "speaker.name", corrections.rename_speaker),
    ("voice-links/{link_id}", int, "voice_link_decision", "status", "voice_link.status",
     corrections.decide_voice_link),
    ("turns/{turn_id}/speaker", int, "reassign", "label", "turn.speaker", corrections.reassign_speaker),
)


def field_edit(path: str, kind: type, name: str, key: str, what: str, fn: Callable[..., int]) -> None:
    """Register the route that passes the posted ``key`` to ``fn``; the path's last parameter reaches
    it under its own name (an alias), so a bad id is reported as before."""
    param = path.rsplit("{", 1)[1].split("}")[0]

    async def route(request: Request, call_id: int, target: Annotated[kind, Path(alias=param)],
                    user: User = Depends(analyst), case: Case = Depends(get_case)):
        p = await payload(request)
        return edit(request, case, user, call_id,
                    lambda: fn(case, call_id, target, str(p.get(key, "")), user.username), what)

    router.post("/api/calls/{call_id}/" + path, name=name)(route)


for spec in FIELD_EDITS:
    field_edit(*spec)


@router.post("/api/calls/{call_id}/speakers/{label}/carry")
def carry_name(request: Request, call_id: int, label: str, user: User = Depends(analyst),
               case: Case = Depends(get_case)):
    def carry() -> int:
        edits = corrections.carry_speaker_name(case, call_id, label, user.username)
        if not edits:
            raise corrections.EditError("the linked speakers already have this name")
        return edits[-1]
    return edit(request, case, user, call_id, carry, "speaker.name.carry")


# -- turns --------------------------------------------------------------------------------------
@router.post("/api/calls/{call_id}/turns/{turn_id}/split")
async def split(request: Request, call_id: int, turn_id: int, user: User = Depends(analyst),
                case: Case = Depends(get_case)):
    p = await payload(request)
    try:
        at = int(p.get("at", -1))
    except (TypeError, ValueError):
        raise HTTPException(422, "at must be an integer")
    by_word = str(p.get("word_index", "")).lower() in ("1", "true", "yes")
    return edit(request, case, user, call_id, lambda: corrections.split_turn(
        case, call_id, turn_id, at, user.username, word_index=by_word), "turn.split")


@router.post("/api/calls/{call_id}/turns/{turn_id}/merge")
async def merge(request: Request, call_id: int, turn_id: int, user: User = Depends(analyst),
                case: Case = Depends(get_case)):
    return edit(request, case, user, call_id, lambda: corrections.merge_turns(case, call_id, turn_id, user.username),
                "turn.merge")


# -- decisions, undo, jobs ----------------------------------------------------------------------
@router.post("/api/calls/{call_id}/{table}/{row_id}/decision")
async def decision(request: Request, call_id: int, table: str, row_id: int, user: User = Depends(analyst),
                   case: Case = Depends(get_case)):
    p = await payload(request)
    allowed = [k for k in corrections.EDITABLE.get(table, ()) if k != "status"]
    changes = {k: TYPED.get(k, str)(p[k]) for k in allowed if k in p and p[k] not in (None, "")}
    if isinstance(p.get("changes"), dict):
        changes |= {k: v for k, v in p["changes"].items() if k in allowed}
    return edit(request, case, user, call_id, lambda: corrections.decide(
        case, call_id, table, row_id, str(p.get("status", "")), user.username, changes), f"{table}.decision")


@router.post("/api/edits/{edit_id}/undo")
async def undo(request: Request, edit_id: int, user: User = Depends(analyst), case: Case = Depends(get_case)):
    row = case.one(select(edits.c.call_id).where(edits.c.id == edit_id))
    if row is None:
        raise HTTPException(404, f"no edit {edit_id}")
    return edit(request, case, user, row["call_id"], lambda: corrections.undo(case, edit_id, user.username), "undo")


@router.post("/api/jobs/{job_id}/retry")
def retry(request: Request, job_id: int, user: User = Depends(analyst), case: Case = Depends(get_case)):
    job = retry_job(case, job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    started = bool(state(request).run_jobs)
    if started:  # runs beside the server; the runner's lock keeps it single-writer
        subprocess.Popen([sys.executable, "-m", "listeningpost.cli", "process", "--stages", job["stage"],
                          "--call", str(job["call_id"]), "--case", str(case.root)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    audit.log(case, user.username, "retry", f"call:{job['call_id']}", {"stage": job["stage"], "job": job_id})
    return done(request, {"ok": True, "requeued": job_id, "started": started}, "/calls")
