"""The web workbench: FastAPI app factory with server-rendered pages and their `/api/` JSON twins.

Every page and every `/api/` route needs a logged-in user; writes need the analyst role and the
session's CSRF token (hidden form field ``csrf_token`` or header ``X-CSRF-Token``). HTML forms post to
the same `/api/` routes and are redirected back; `fetch` calls get JSON. Jinja2 autoescaping is on
for every template: transcripts are untrusted input.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlparse

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from listeningpost.store.case import Case
from listeningpost.store.views import call_document
from listeningpost.store import corrections
from listeningpost.voices.store import links_for_call as voice_links_for_call
from listeningpost.store import audit
from listeningpost.web import auth, mapsvg, queries, search
from listeningpost.web import settings as case_settings
from listeningpost.web.auth import User

HERE = Path(__file__).parent
SESSION_COOKIE = "lp_session"
PRE_COOKIE = "lp_pre"
LOW_WORD_PROB = 0.5


class LoginRequired(Exception):
    pass


class AppState:
    def __init__(self, case: Case, run_jobs: bool, secure_cookies: bool | None):
        self.case = case
        self.sessions = auth.Sessions(case)
        self.run_jobs = run_jobs
        self.secure_cookies = secure_cookies


def create_app(case: Case | str | Path, *, run_jobs: bool = True, secure_cookies: bool | None = None) -> FastAPI:
    """``run_jobs``: the retry button also starts ``lpost process`` for the item (else only re-queues).
    ``secure_cookies``: None = Secure flag when the request came over https."""
    case = case if isinstance(case, Case) else Case.open(Path(case), create=False)
    app = FastAPI(title="Listening Post", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.lp = AppState(case, run_jobs, secure_cookies)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.autoescape = True  # all templates, whatever their extension
    templates.env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False)
    templates.env.globals["fmt_time"] = fmt_time
    templates.env.filters["safe_url"] = safe_url
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "login required"}, status_code=401)
        return RedirectResponse("/login?next=" + quote(request.url.path + (("?" + request.url.query) if request.url.query else "")), 303)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return templates.TemplateResponse(request, "error.html", {"status": exc.status_code, "detail": exc.detail,
                                                                  "user": None, "csrf": ""}, status_code=exc.status_code)

    # -- dependencies ------------------------------------------------------------------------
    def session(request: Request) -> tuple[User, str, str]:
        found = app.state.lp.sessions.lookup(request.cookies.get(SESSION_COOKIE))
        if found is None:
            raise LoginRequired()
        request.state.user, request.state.csrf = found[0], found[1]
        return found

    def viewer(s=Depends(session)) -> User:
        return s[0]

    async def _csrf_ok(request: Request, s) -> None:
        token = request.headers.get("x-csrf-token")
        if token is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            token = (await request.form()).get("csrf_token")
        if not auth.tokens_match(s[1], token):
            raise HTTPException(403, "missing or wrong CSRF token")

    def writer(role: str) -> Callable:
        async def dep(request: Request, s=Depends(session)) -> User:
            await _csrf_ok(request, s)
            if not s[0].can(role):
                raise HTTPException(403, f"needs the {role} role")
            return s[0]
        return dep

    analyst, admin_w = writer("analyst"), writer("admin")

    async def any_user_post(request: Request, s=Depends(session)) -> tuple[User, str, str]:
        await _csrf_ok(request, s)
        return s

    def admin_r(user: User = Depends(viewer)) -> User:
        if not user.can("admin"):
            raise HTTPException(403, "needs the admin role")
        return user

    def page(request: Request, name: str, data: dict[str, Any], **extra: Any) -> HTMLResponse:
        user = request.state.user
        return templates.TemplateResponse(request, name, {"d": data, "user": user, "csrf": request.state.csrf,
                                                          "can_edit": user.can("analyst"), **extra})

    def c() -> Case:
        return app.state.lp.case

    # -- login -------------------------------------------------------------------------------
    def login_view(request: Request, nxt: str, error: str, status: int = 200) -> Response:
        token, cookie = app.state.lp.sessions.pre_token()
        resp = templates.TemplateResponse(request, "login.html", {"next": safe_next(nxt), "error": error,
                                                                  "pre": token, "user": None, "csrf": ""},
                                          status_code=status)
        _set_cookie(request, resp, PRE_COOKIE, cookie, max_age=3600)
        return resp

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/calls", error: str = ""):
        return login_view(request, next, error)

    @app.post("/login")
    async def login(request: Request):
        form = await request.form()
        lp = app.state.lp
        nxt = safe_next(str(form.get("next") or "/calls"))
        if not lp.sessions.check_pre(request.cookies.get(PRE_COOKIE), form.get("csrf_token")):
            raise HTTPException(403, "missing or wrong CSRF token (reload the login page)")
        username, password = str(form.get("username") or "")[:64], str(form.get("password") or "")
        remote = request.client.host if request.client else None
        if auth.throttled(lp.case, username, remote):
            audit.log(lp.case, username or "?", "login.throttled", None, {"remote": remote})
            return login_view(request, nxt, "throttled", 429)
        user = auth.authenticate(lp.case, username, password, remote)
        if user is None:
            audit.log(lp.case, username or "?", "login.failed", None, {"remote": remote})
            return login_view(request, nxt, "bad", 401)
        cookie, _ = lp.sessions.create(user)
        audit.log(lp.case, user.username, "login", None, {"remote": remote})
        resp = RedirectResponse(nxt, 303)
        _set_cookie(request, resp, SESSION_COOKIE, cookie, max_age=auth.SESSION_HOURS * 3600)
        resp.delete_cookie(PRE_COOKIE)
        return resp

    @app.post("/logout")
    def logout(request: Request, s=Depends(any_user_post)):
        app.state.lp.sessions.delete(s[2])
        audit.log(c(), s[0].username, "logout")
        resp = RedirectResponse("/login", 303)
        resp.delete_cookie(SESSION_COOKIE)
        return resp

    @app.get("/")
    def home(user: User = Depends(viewer)):
        return RedirectResponse("/calls", 303)

    @app.get("/api/me")
    def me(request: Request, user: User = Depends(viewer)):
        return {"username": user.username, "role": user.role, "csrf": request.state.csrf}

    # -- calls list ------------------------------------------------------------------------------
    def calls_data(request: Request, user: User) -> dict[str, Any]:
        f = parse_filters(request)
        matched = None
        info: dict[str, Any] = {}
        if f.q.strip():
            m = search.find(c(), f.q, f.mode if f.mode in ("lexical", "hybrid", "semantic") else "lexical")
            matched, info = m.call_ids, {"engine": m.engine, "error": m.error, "snippets": m.snippets}
            audit.log(c(), user.username, "search", None, {"q": f.q})
        data = queries.list_page(c(), f, matched, info.get("snippets"))
        data["search"] = {"engine": info.get("engine"), "error": info.get("error")}
        return data

    @app.get("/calls", response_class=HTMLResponse)
    def calls_page(request: Request, user: User = Depends(viewer)):
        data = calls_data(request, user)
        return page(request, "calls.html", data, f=parse_filters(request), sorts=list(queries.SORTS))

    @app.get("/api/calls")
    def calls_api(request: Request, user: User = Depends(viewer)):
        return calls_data(request, user)

    # -- one call --------------------------------------------------------------------------------
    def reference_context(doc: dict[str, Any]) -> list[dict[str, Any]]:
        from listeningpost.context.claims import context_for_document, load_references

        return context_for_document(doc, load_references(c()))["claims"]

    def call_data(call_id: int, user: User) -> dict[str, Any]:
        try:
            doc = call_document(c(), call_id)
        except KeyError:
            raise HTTPException(404, f"no call {call_id}")
        call = c().one("SELECT start_s, end_s FROM calls WHERE id=?", (call_id,))
        doc["media_url"] = f"/api/calls/{call_id}/media" if doc["has_media"] else None
        doc["media_offset"] = call["start_s"] or 0.0
        doc["media_video"] = doc["source"]["kind"] == "video"
        doc["places"] = queries.places(c(), call_id)
        doc["context"] = reference_context(doc)  # reference figures beside loss claims (issue 16)
        doc["history"] = corrections.history(c(), call_id, limit=200)
        doc["voices"] = voice_links_for_call(c(), call_id)
        turn_start = {t["id"]: t["start"] for t in doc["turns"]}
        word_ids: dict[int, list[int]] = {}
        for r in c().query("SELECT w.id, w.turn_id FROM words w JOIN turns t ON t.id=w.turn_id WHERE t.call_id=?"
                           " ORDER BY w.turn_id, w.idx", (call_id,)):
            word_ids.setdefault(r["turn_id"], []).append(r["id"])
        tr_ids = {(r["turn_id"], r["lang"], r["engine"]): r["id"] for r in c().query(
            "SELECT tr.id, tr.turn_id, tr.lang, tr.engine FROM translations tr JOIN turns t ON t.id=tr.turn_id"
            " WHERE t.call_id=?", (call_id,))}
        for t in doc["turns"]:
            for w, wid in zip(t["words"], word_ids.get(t["id"], [])):
                w["id"] = wid
                w["low"] = w["probability"] is not None and w["probability"] < LOW_WORD_PROB
            for tr in t["translations"]:
                tr["id"] = tr_ids.get((t["id"], tr["lang"], tr["engine"]))
        for cl in doc["claims"]:  # a claim without its own time seeks to its turn
            if cl["start"] is None and cl["turn_id"] in turn_start:
                cl["start"] = turn_start[cl["turn_id"]]
        audit.log(c(), user.username, "view", f"call:{call_id}")
        return doc

    @app.get("/calls/{call_id}", response_class=HTMLResponse)
    def call_page(request: Request, call_id: int, user: User = Depends(viewer)):
        doc = call_data(call_id, user)
        return page(request, "call.html", doc, map=mapsvg.render(doc["places"]) if doc["places"] else None,
                    speaker_labels=sorted(doc["speakers"]))

    @app.get("/api/calls/{call_id}")
    def call_api(call_id: int, user: User = Depends(viewer)):
        return call_data(call_id, user)

    @app.get("/api/calls/{call_id}/media")
    def call_media(call_id: int, user: User = Depends(viewer)):
        row = c().one("SELECT s.* FROM calls c JOIN sources s ON s.id=c.source_id WHERE c.id=? AND c.has_media=1", (call_id,))
        if row is None:
            raise HTTPException(404, "no media for this call")
        return FileResponse(c().archive_file(row), headers={"Cache-Control": "private, max-age=3600"})

    @app.get("/calls/{call_id}/history", response_class=HTMLResponse)
    def history_page(request: Request, call_id: int, user: User = Depends(viewer)):
        return page(request, "history.html", history_data(call_id))

    @app.get("/api/calls/{call_id}/history")
    def history_api(call_id: int, user: User = Depends(viewer)):
        return history_data(call_id)

    def history_data(call_id: int) -> dict[str, Any]:
        call = c().one("SELECT id, title FROM calls WHERE id=?", (call_id,))
        if call is None:
            raise HTTPException(404, f"no call {call_id}")
        return {"call": dict(call), "edits": corrections.history(c(), call_id)}

    # -- corrections (analyst) ---------------------------------------------------------------
    def edit(request: Request, user: User, call_id: int, fn: Callable[[], int], what: str) -> Response:
        try:
            edit_id = fn()
        except corrections.EditError as exc:
            raise HTTPException(409, str(exc))
        audit.log(c(), user.username, "edit", f"call:{call_id}", {"edit": edit_id, "what": what})
        return done(request, {"ok": True, "edit": edit_id}, f"/calls/{call_id}")

    @app.post("/api/calls/{call_id}/turns/{turn_id}")
    async def edit_turn(request: Request, call_id: int, turn_id: int, user: User = Depends(analyst)):
        p = await payload(request)
        return edit(request, user, call_id,
                    lambda: corrections.edit_turn_text(c(), call_id, turn_id, str(p.get("text", "")), user.username), "turn.text")

    @app.post("/api/calls/{call_id}/words/{word_id}")
    async def edit_word(request: Request, call_id: int, word_id: int, user: User = Depends(analyst)):
        p = await payload(request)
        return edit(request, user, call_id,
                    lambda: corrections.edit_word(c(), call_id, word_id, str(p.get("text", "")), user.username), "word.text")

    @app.post("/api/calls/{call_id}/translations/{tr_id}")
    async def edit_translation(request: Request, call_id: int, tr_id: int, user: User = Depends(analyst)):
        p = await payload(request)
        return edit(request, user, call_id,
                    lambda: corrections.edit_translation(c(), call_id, tr_id, str(p.get("text", "")), user.username),
                    "translation.text")

    @app.post("/api/calls/{call_id}/speakers/{label}")
    async def rename_speaker(request: Request, call_id: int, label: str, user: User = Depends(analyst)):
        p = await payload(request)
        return edit(request, user, call_id,
                    lambda: corrections.rename_speaker(c(), call_id, label, str(p.get("name", "")), user.username),
                    "speaker.name")

    @app.post("/api/calls/{call_id}/voice-links/{link_id}")
    async def voice_link_decision(request: Request, call_id: int, link_id: int, user: User = Depends(analyst)):
        p = await payload(request)
        return edit(request, user, call_id, lambda: corrections.decide_voice_link(
            c(), call_id, link_id, str(p.get("status", "")), user.username), "voice_link.status")

    @app.post("/api/calls/{call_id}/speakers/{label}/carry")
    def carry_name(request: Request, call_id: int, label: str, user: User = Depends(analyst)):
        def carry() -> int:
            edits = corrections.carry_speaker_name(c(), call_id, label, user.username)
            if not edits:
                raise corrections.EditError("the linked speakers already have this name")
            return edits[-1]
        return edit(request, user, call_id, carry, "speaker.name.carry")

    @app.post("/api/calls/{call_id}/turns/{turn_id}/speaker")
    async def reassign(request: Request, call_id: int, turn_id: int, user: User = Depends(analyst)):
        p = await payload(request)
        return edit(request, user, call_id,
                    lambda: corrections.reassign_speaker(c(), call_id, turn_id, str(p.get("label", "")), user.username),
                    "turn.speaker")

    @app.post("/api/calls/{call_id}/turns/{turn_id}/split")
    async def split(request: Request, call_id: int, turn_id: int, user: User = Depends(analyst)):
        p = await payload(request)
        try:
            at = int(p.get("at", -1))
        except (TypeError, ValueError):
            raise HTTPException(422, "at must be an integer")
        by_word = str(p.get("word_index", "")).lower() in ("1", "true", "yes")
        return edit(request, user, call_id,
                    lambda: corrections.split_turn(c(), call_id, turn_id, at, user.username, word_index=by_word), "turn.split")

    @app.post("/api/calls/{call_id}/turns/{turn_id}/merge")
    async def merge(request: Request, call_id: int, turn_id: int, user: User = Depends(analyst)):
        return edit(request, user, call_id, lambda: corrections.merge_turns(c(), call_id, turn_id, user.username), "turn.merge")

    @app.post("/api/calls/{call_id}/{table}/{row_id}/decision")
    async def decision(request: Request, call_id: int, table: str, row_id: int, user: User = Depends(analyst)):
        p = await payload(request)
        allowed = [k for k in corrections.EDITABLE.get(table, ()) if k != "status"]
        changes = {k: _typed(k, p[k]) for k in allowed if k in p and p[k] not in (None, "")}
        if isinstance(p.get("changes"), dict):
            changes |= {k: v for k, v in p["changes"].items() if k in allowed}
        return edit(request, user, call_id,
                    lambda: corrections.decide(c(), call_id, table, row_id, str(p.get("status", "")), user.username,
                                               changes), f"{table}.decision")

    @app.post("/api/edits/{edit_id}/undo")
    async def undo(request: Request, edit_id: int, user: User = Depends(analyst)):
        row = c().one("SELECT call_id FROM edits WHERE id=?", (edit_id,))
        if row is None:
            raise HTTPException(404, f"no edit {edit_id}")
        return edit(request, user, row["call_id"], lambda: corrections.undo(c(), edit_id, user.username), "undo")

    @app.post("/api/jobs/{job_id}/retry")
    def retry(request: Request, job_id: int, user: User = Depends(analyst)):
        job = c().one("SELECT * FROM jobs WHERE id=?", (job_id,))
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        c().db.execute("UPDATE jobs SET status='pending', error=NULL, updated_at=datetime('now') WHERE id=? AND status='failed'",
                       (job_id,))
        started = False
        if app.state.lp.run_jobs:  # runs beside the server; the runner's lock keeps it single-writer
            subprocess.Popen([sys.executable, "-m", "listeningpost.cli", "process", "--stages", job["stage"],
                              "--call", str(job["call_id"]), "--case", str(c().root)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            started = True
        audit.log(c(), user.username, "retry", f"call:{job['call_id']}", {"stage": job["stage"], "job": job_id})
        return done(request, {"ok": True, "requeued": job_id, "started": started}, "/calls")

    # -- dashboards ---------------------------------------------------------------------------
    @app.get("/dashboard", response_class=HTMLResponse)
    def dashboard_page(request: Request, user: User = Depends(viewer)):
        data = queries.dashboard(c())
        return page(request, "dashboard.html", data, map=mapsvg.render(data["places"], aspect=1.8, px=1000))

    @app.get("/api/dashboard")
    def dashboard_api(user: User = Depends(viewer)):
        return queries.dashboard(c())

    # -- admin: users and audit ------------------------------------------------------------------
    @app.get("/admin/users", response_class=HTMLResponse)
    def users_page(request: Request, user: User = Depends(admin_r)):
        return page(request, "users.html", {"users": auth.list_users(c()), "roles": auth.ROLES})

    @app.get("/api/users")
    def users_api(user: User = Depends(admin_r)):
        return {"users": auth.list_users(c()), "roles": auth.ROLES}

    @app.post("/api/users")
    async def users_add(request: Request, user: User = Depends(admin_w)):
        p = await payload(request)
        try:
            auth.add_user(c(), str(p.get("username", "")), str(p.get("password", "")), str(p.get("role", "viewer")))
        except auth.AuthError as exc:
            raise HTTPException(422, str(exc))
        audit.log(c(), user.username, "user.add", f"user:{p.get('username')}", {"role": p.get("role")})
        return done(request, {"ok": True}, "/admin/users")

    @app.post("/api/users/{username}/remove")
    def users_remove(request: Request, username: str, user: User = Depends(admin_w)):
        if username == user.username:
            raise HTTPException(409, "you cannot remove yourself")
        try:
            auth.remove_user(c(), username)
        except auth.AuthError as exc:
            raise HTTPException(404, str(exc))
        audit.log(c(), user.username, "user.remove", f"user:{username}")
        return done(request, {"ok": True}, "/admin/users")

    @app.post("/api/users/{username}/role")
    async def users_role(request: Request, username: str, user: User = Depends(admin_w)):
        p = await payload(request)
        try:
            auth.set_role(c(), username, str(p.get("role", "")))
        except auth.AuthError as exc:
            raise HTTPException(422, str(exc))
        audit.log(c(), user.username, "user.role", f"user:{username}", {"role": p.get("role")})
        return done(request, {"ok": True}, "/admin/users")

    # -- admin: case settings ----------------------------------------------------------------------
    @app.get("/settings", response_class=HTMLResponse)
    def settings_page(request: Request, user: User = Depends(admin_r)):
        return page(request, "settings.html", case_settings.page_data(c()))

    @app.get("/api/settings")
    def settings_api(user: User = Depends(admin_r)):
        return case_settings.page_data(c())

    @app.post("/api/settings")
    async def settings_change(request: Request, user: User = Depends(admin_w)):
        p = await payload(request)
        if isinstance(p.get("settings"), dict):  # {"settings": {key: value}} or the keys at top level
            p = p["settings"]
        try:
            changed = case_settings.update(c(), p, user.username)
        except case_settings.SettingError as exc:
            raise HTTPException(422, str(exc))
        return done(request, {"ok": True, "changed": changed}, "/settings")

    @app.get("/admin/audit", response_class=HTMLResponse)
    def audit_page(request: Request, user: User = Depends(admin_r), who: str = "", action: str = ""):
        return page(request, "audit.html", {"entries": audit.entries(c(), user=who or None, action=action or None)})

    @app.get("/api/audit")
    def audit_api(user: User = Depends(admin_r), who: str = "", action: str = "", limit: int = 200):
        return {"entries": audit.entries(c(), user=who or None, action=action or None, limit=min(limit, 5000))}

    return app


# -- helpers ------------------------------------------------------------------------------------
def parse_filters(request: Request) -> queries.CallFilters:
    q = request.query_params
    values: dict[str, Any] = {}
    for f in fields(queries.CallFilters):
        if f.name in q:
            raw = q[f.name]
            if f.name == "page":
                values[f.name] = max(1, int(raw)) if raw.isdigit() else 1
            elif f.name == "desc":
                values[f.name] = raw in ("1", "true", "on")
            else:
                values[f.name] = raw[:500]
    return queries.CallFilters(**values)


async def payload(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = await request.json()
        except ValueError:
            raise HTTPException(422, "body is not JSON")
        if not isinstance(data, dict):
            raise HTTPException(422, "body must be a JSON object")
        return data
    return {k: v for k, v in (await request.form()).items() if k != "csrf_token"}


def _wants_html(request: Request) -> bool:
    return not request.headers.get("content-type", "").startswith("application/json")


def done(request: Request, data: dict[str, Any], back: str) -> Response:
    """JSON for fetch/API clients, a redirect back for plain HTML forms."""
    if _wants_html(request):
        return RedirectResponse(safe_next(request.headers.get("referer") or back, request), 303)
    return JSONResponse(data)


def safe_next(url: str, request: Request | None = None) -> str:
    """Only same-site paths (no open redirects)."""
    parsed = urlparse(url)
    if parsed.netloc and (request is None or parsed.netloc != request.url.netloc):
        return "/calls"
    path = parsed.path or "/calls"
    if not path.startswith("/") or path.startswith("//"):
        return "/calls"
    return path + (("?" + parsed.query) if parsed.query else "")


def _set_cookie(request: Request, resp: Response, name: str, value: str, max_age: int) -> None:
    secure = request.app.state.lp.secure_cookies
    if secure is None:
        secure = request.url.scheme == "https"
    resp.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", secure=secure, path="/")


def _typed(column: str, value: Any) -> Any:
    if column in ("count",):
        return int(value) if str(value).strip().lstrip("-").isdigit() else None
    if column in ("lat", "lon"):
        return float(value)
    if column in ("hedged", "negated"):
        return 1 if str(value).lower() in ("1", "true", "on", "yes") else 0
    return str(value)


def safe_url(url: Any) -> str:
    """Links from provenance are shown only when they are plain web links (no javascript: etc.)."""
    text = str(url or "").strip()
    return text if urlparse(text).scheme in ("http", "https") else ""


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    m, s = divmod(float(seconds), 60)
    return f"{int(m)}:{s:04.1f}"
