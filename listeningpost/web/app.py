"""The web workbench: FastAPI app factory with server-rendered pages and their `/api/` JSON twins.

Every page and every `/api/` route needs a logged-in user; writes need the analyst role and the
session's CSRF token (hidden form field ``csrf_token`` or header ``X-CSRF-Token``). HTML forms post to
the same `/api/` routes and are redirected back; `fetch` calls get JSON. Jinja2 autoescaping is on
for every template: transcripts are untrusted input.

The routes live in ``web/routes/`` (one `APIRouter` per concern), their shared dependencies in
``web/deps.py``; this module assembles them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from listeningpost.store.case import Case
from listeningpost.web.deps import PRE_COOKIE, SESSION_COOKIE, AppState, LoginRequired  # noqa: F401  (re-exported)
from listeningpost.web.routes import admin, calls, dashboard, review
from listeningpost.web.routes import auth as login_routes

HERE = Path(__file__).parent
ROUTERS = (login_routes.router, calls.router, review.router, dashboard.router, admin.router)  # the order routes match in


def create_app(case: Case | str | Path, *, run_jobs: bool = True, secure_cookies: bool | None = None) -> FastAPI:
    """``run_jobs``: the retry button also starts ``lpost process`` for the item (else only re-queues).
    ``secure_cookies``: None = Secure flag when the request came over https."""
    case = case if isinstance(case, Case) else Case.open(Path(case), create=False)
    app = FastAPI(title="Listening Post", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.lp = AppState(case, run_jobs, secure_cookies)
    app.state.templates = make_templates()
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(HTTPException, http_error)
    for router in ROUTERS:
        add_routes(app, router)
    return app


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """Each route of ``router`` as the app's own route, as ``@app.get`` made them: ``include_router``
    keeps a router as one lazy branch of ``app.routes`` since FastAPI 0.16x, and whatever walks
    ``app.routes`` (the route-protection tests) must see every path. Fresh routes per app also keep
    ``app.dependency_overrides`` working. The routers set only path, methods, response class, name."""
    for route in router.routes:
        assert isinstance(route, APIRoute) and not route.dependencies, route
        app.router.add_api_route(route.path, route.endpoint, methods=route.methods, name=route.name,
                                 response_class=route.response_class)


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.autoescape = True  # all templates, whatever their extension
    templates.env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False)
    templates.env.globals["fmt_time"] = fmt_time
    templates.env.filters["safe_url"] = safe_url
    return templates


async def login_required(request: Request, exc: LoginRequired):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": "login required"}, status_code=401)
    return RedirectResponse("/login?next=" + quote(request.url.path + (("?" + request.url.query) if request.url.query else "")), 303)


async def http_error(request: Request, exc: HTTPException):
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
    return request.app.state.templates.TemplateResponse(request, "error.html", {"status": exc.status_code, "detail": exc.detail,
                                                                                "user": None, "csrf": ""},
                                                        status_code=exc.status_code)


def safe_url(url: Any) -> str:
    """Links from provenance are shown only when they are plain web links (no javascript: etc.)."""
    text = str(url or "").strip()
    return text if urlparse(text).scheme in ("http", "https") else ""


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    m, s = divmod(float(seconds), 60)
    return f"{int(m)}:{s:04.1f}"
