"""Administration (admin role): users and roles, case settings, the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from listeningpost.store import audit
from listeningpost.store.case import Case
from listeningpost.web import auth
from listeningpost.web import settings as case_settings
from listeningpost.web.auth import User
from listeningpost.web.deps import admin_reader, admin_writer, get_case, page
from listeningpost.web.forms import done, payload

router = APIRouter()


# -- users --------------------------------------------------------------------------------------
@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, user: User = Depends(admin_reader), case: Case = Depends(get_case)):
    return page(request, "users.html", {"users": auth.list_users(case), "roles": auth.ROLES})


@router.get("/api/users")
def users_api(user: User = Depends(admin_reader), case: Case = Depends(get_case)):
    return {"users": auth.list_users(case), "roles": auth.ROLES}


@router.post("/api/users")
async def users_add(request: Request, user: User = Depends(admin_writer), case: Case = Depends(get_case)):
    p = await payload(request)
    try:
        auth.add_user(case, str(p.get("username", "")), str(p.get("password", "")), str(p.get("role", "viewer")))
    except auth.AuthError as exc:
        raise HTTPException(422, str(exc))
    audit.log(case, user.username, "user.add", f"user:{p.get('username')}", {"role": p.get("role")})
    return done(request, {"ok": True}, "/admin/users")


@router.post("/api/users/{username}/remove")
def users_remove(request: Request, username: str, user: User = Depends(admin_writer), case: Case = Depends(get_case)):
    if username == user.username:
        raise HTTPException(409, "you cannot remove yourself")
    try:
        auth.remove_user(case, username)
    except auth.AuthError as exc:
        raise HTTPException(404, str(exc))
    audit.log(case, user.username, "user.remove", f"user:{username}")
    return done(request, {"ok": True}, "/admin/users")


@router.post("/api/users/{username}/role")
async def users_role(request: Request, username: str, user: User = Depends(admin_writer),
                     case: Case = Depends(get_case)):
    p = await payload(request)
    try:
        auth.set_role(case, username, str(p.get("role", "")))
    except auth.AuthError as exc:
        raise HTTPException(422, str(exc))
    audit.log(case, user.username, "user.role", f"user:{username}", {"role": p.get("role")})
    return done(request, {"ok": True}, "/admin/users")


# -- case settings ------------------------------------------------------------------------------
@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, user: User = Depends(admin_reader), case: Case = Depends(get_case)):
    return page(request, "settings.html", case_settings.page_data(case))


@router.get("/api/settings")
def settings_api(user: User = Depends(admin_reader), case: Case = Depends(get_case)):
    return case_settings.page_data(case)


@router.post("/api/settings")
async def settings_change(request: Request, user: User = Depends(admin_writer), case: Case = Depends(get_case)):
    p = await payload(request)
    if isinstance(p.get("settings"), dict):  # {"settings": {key: value}} or the keys at top level
        p = p["settings"]
    try:
        changed = case_settings.update(case, p, user.username)
    except case_settings.SettingError as exc:
        raise HTTPException(422, str(exc))
    return done(request, {"ok": True, "changed": changed}, "/settings")


# -- audit log ----------------------------------------------------------------------------------
@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, user: User = Depends(admin_reader), case: Case = Depends(get_case),
               who: str = "", action: str = ""):
    return page(request, "audit.html", {"entries": audit.entries(case, user=who or None, action=action or None)})


@router.get("/api/audit")
def audit_api(user: User = Depends(admin_reader), case: Case = Depends(get_case),
              who: str = "", action: str = "", limit: int = 200):
    return {"entries": audit.entries(case, user=who or None, action=action or None, limit=min(limit, 5000))}
