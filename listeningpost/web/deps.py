"""Shared FastAPI dependencies of the web workbench: the case, the session, the roles, the CSRF check
and the page renderer.

Everything is read from ``request.app.state`` (``lp``: :class:`AppState`, ``templates``), so the
route modules hold no state of their own. Every page and `/api/` route depends on :func:`session`
(through :func:`viewer`, :func:`admin_reader` or a writer); writes need the session's CSRF token
(hidden form field ``csrf_token`` or header ``X-CSRF-Token``).
"""

from __future__ import annotations

from typing import Any, Callable

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from listeningpost.store.case import Case
from listeningpost.web import auth
from listeningpost.web.auth import User

SESSION_COOKIE = "lp_session"
PRE_COOKIE = "lp_pre"


class LoginRequired(Exception):
    """No valid session: a redirect to /login for pages, 401 for `/api/` (handler in app.py)."""


class AppState:
    def __init__(self, case: Case, run_jobs: bool, secure_cookies: bool | None):
        self.case = case
        self.sessions = auth.Sessions(case)
        self.run_jobs = run_jobs
        self.secure_cookies = secure_cookies


def state(request: Request) -> AppState:
    return request.app.state.lp


def get_case(request: Request) -> Case:
    return request.app.state.lp.case


def templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


def session(request: Request) -> tuple[User, str, str]:
    """(user, csrf token, session id); also sets ``request.state.user`` and ``.csrf`` for :func:`page`."""
    found = state(request).sessions.lookup(request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise LoginRequired()
    request.state.user, request.state.csrf = found[0], found[1]
    return found


def viewer(s=Depends(session)) -> User:
    return s[0]


async def csrf_ok(request: Request, s: tuple[User, str, str]) -> None:
    token = request.headers.get("x-csrf-token")
    if token is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        token = (await request.form()).get("csrf_token")
    if not auth.tokens_match(s[1], token):
        raise HTTPException(403, "missing or wrong CSRF token")


def writer(role: str) -> Callable:
    """A dependency for writes: CSRF token first, then the role."""
    async def dep(request: Request, s=Depends(session)) -> User:
        await csrf_ok(request, s)
        if not s[0].can(role):
            raise HTTPException(403, f"needs the {role} role")
        return s[0]
    return dep


analyst = writer("analyst")
admin_writer = writer("admin")


async def any_user_post(request: Request, s=Depends(session)) -> tuple[User, str, str]:
    await csrf_ok(request, s)
    return s


def admin_reader(user: User = Depends(viewer)) -> User:
    if not user.can("admin"):
        raise HTTPException(403, "needs the admin role")
    return user


def page(request: Request, name: str, data: dict[str, Any], **extra: Any) -> HTMLResponse:
    """Render a page template for the logged-in user (``d`` is the page's data, as in its `/api/` twin)."""
    user = request.state.user
    return templates(request).TemplateResponse(request, name, {"d": data, "user": user, "csrf": request.state.csrf,
                                                               "can_edit": user.can("analyst"), **extra})
