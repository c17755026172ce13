"""Request and response helpers shared by the route modules.

HTML forms post to the same `/api/` routes as `fetch` calls: :func:`payload` reads either body,
:func:`done` answers JSON to API clients and redirects plain forms back (same-site only).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Callable
from urllib.parse import urlparse

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from listeningpost.web import queries


#: how a query parameter becomes its filter field; the others are text, cut to 500 characters
FILTER_PARSERS: dict[str, Callable[[str], Any]] = {
    "page": lambda raw: max(1, int(raw)) if raw.isdigit() else 1,
    "desc": lambda raw: raw in ("1", "true", "on"),
}


def parse_filters(request: Request) -> queries.CallFilters:
    q = request.query_params
    return queries.CallFilters(**{f.name: FILTER_PARSERS.get(f.name, lambda raw: raw[:500])(q[f.name])
                                  for f in fields(queries.CallFilters) if f.name in q})


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


def done(request: Request, data: dict[str, Any], back: str) -> Response:
    """JSON for fetch/API clients, a redirect back for plain HTML forms."""
    if not request.headers.get("content-type", "").startswith("application/json"):
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


def set_cookie(request: Request, resp: Response, name: str, value: str, max_age: int) -> None:
    secure = request.app.state.lp.secure_cookies
    secure = request.url.scheme == "https" if secure is None else secure
    resp.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", secure=secure, path="/")
