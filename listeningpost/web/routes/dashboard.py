"""The case dashboard (counts, charts and the map of places) and its JSON twin."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from listeningpost.store.case import Case
from listeningpost.web import mapsvg, queries
from listeningpost.web.auth import User
from listeningpost.web.deps import get_case, page, viewer

router = APIRouter()


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, user: User = Depends(viewer), case: Case = Depends(get_case)):
    data = queries.dashboard(case)
    return page(request, "dashboard.html", data, map=mapsvg.render(data["places"], aspect=1.8, px=1000))


@router.get("/api/dashboard")
def dashboard_api(user: User = Depends(viewer), case: Case = Depends(get_case)):
    return queries.dashboard(case)
