"""Login (with its pre-session CSRF token and throttling), logout, the home redirect and `/api/me`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from listeningpost.store import audit
from listeningpost.store.case import Case
from listeningpost.web import auth
from listeningpost.web.auth import User
from listeningpost.web.deps import PRE_COOKIE, SESSION_COOKIE, any_user_post, get_case, state, templates, viewer
from listeningpost.web.forms import safe_next, set_cookie

router = APIRouter()


def login_view(request: Request, nxt: str, error: str, status: int = 200) -> Response:
    token, cookie = state(request).sessions.pre_token()
    resp = templates(request).TemplateResponse(request, "login.html", {"next": safe_next(nxt), "error": error,
                                                                       "pre": token, "user": None, "csrf": ""},
                                               status_code=status)
    set_cookie(request, resp, PRE_COOKIE, cookie, max_age=3600)
    return resp


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/calls", error: str = ""):
    return login_view(request, next, error)


@router.post("/login")
async def login(request: Request):
    form = await request.form()
    lp = state(request)
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
    set_cookie(request, resp, SESSION_COOKIE, cookie, max_age=auth.SESSION_HOURS * 3600)
    resp.delete_cookie(PRE_COOKIE)
    return resp


@router.post("/logout")
def logout(request: Request, s=Depends(any_user_post), case: Case = Depends(get_case)):
    state(request).sessions.delete(s[2])
    audit.log(case, s[0].username, "logout")
    resp = RedirectResponse("/login", 303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp


@router.get("/")
def home(user: User = Depends(viewer)):
    return RedirectResponse("/calls", 303)


@router.get("/api/me")
def me(request: Request, user: User = Depends(viewer)):
    return {"username": user.username, "role": user.role, "csrf": request.state.csrf}
