"""`lpost serve`, `lpost users ...`, `lpost audit`."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Optional

import typer

from listeningpost.cliutil import CaseOpt, JsonOpt, fail, open_case, out, print_json


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _password(password: Optional[str]) -> str:
    return password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def serve(
    case: Optional[Path] = CaseOpt,
    host: str = typer.Option("127.0.0.1", help="Address to bind (loopback unless an admin user exists)."),
    port: int = typer.Option(8000, help="Port."),
    secure_cookies: bool = typer.Option(False, "--secure-cookies", help="Mark cookies Secure (behind an https proxy)."),
) -> None:
    """Serve the web workbench for a case."""
    import uvicorn

    from listeningpost.web.app import create_app
    from listeningpost.web.auth import has_admin, has_users

    c = open_case(case)
    if not is_loopback(host) and not has_admin(c):
        fail(f"refusing to listen on {host} without an admin user: run `lpost users add NAME --role admin` first")
    if not has_admin(c) and not has_users(c):
        out.print("No users yet: add one with `lpost users add NAME --role admin` to log in.")
    out.print(f"Listening Post workbench: http://{host if ':' not in host else f'[{host}]'}:{port}/", markup=False)
    uvicorn.run(create_app(c, secure_cookies=True if secure_cookies else None), host=host, port=port,
                log_level="warning", proxy_headers=False)


users = typer.Typer(help="Web accounts: admin (users, settings), analyst (ingest, run, edit), viewer (read).",
                    no_args_is_help=True)


def _change_account(c, fn, action: str, username: str, message: str, detail: Optional[dict] = None) -> None:
    """Run an account change (``fn()``); fail on a ``web.auth.AuthError``, else audit it and say so."""
    from listeningpost.store import audit
    from listeningpost.web.auth import AuthError

    try:
        fn()
    except AuthError as exc:
        fail(str(exc))
    audit.log(c, None, action, f"user:{username}", detail)
    out.print(message, markup=False)


@users.command("add")
def users_add(
    username: str,
    role: str = typer.Option("viewer", help="admin, analyst or viewer."),
    password: Optional[str] = typer.Option(None, help="Password (prompted when left out).", envvar="LPOST_PASSWORD"),
    case: Optional[Path] = CaseOpt,
) -> None:
    """Add a user."""
    from listeningpost.web.auth import add_user

    c = open_case(case)
    _change_account(c, lambda: add_user(c, username, _password(password), role), "user.add", username,
                    f"added {username} ({role})", {"role": role})


@users.command("remove")
def users_remove(username: str, case: Optional[Path] = CaseOpt) -> None:
    """Remove a user (their sessions end at once)."""
    from listeningpost.web.auth import remove_user

    c = open_case(case)
    _change_account(c, lambda: remove_user(c, username), "user.remove", username, f"removed {username}")


@users.command("passwd")
def users_passwd(
    username: str,
    password: Optional[str] = typer.Option(None, help="New password (prompted when left out).", envvar="LPOST_PASSWORD"),
    case: Optional[Path] = CaseOpt,
) -> None:
    """Set a user's password (logs them out everywhere)."""
    from listeningpost.web.auth import set_password

    c = open_case(case)
    _change_account(c, lambda: set_password(c, username, _password(password)), "user.passwd", username,
                    f"password changed for {username}")


@users.command("role")
def users_role(username: str, role: str, case: Optional[Path] = CaseOpt) -> None:
    """Change a user's role."""
    from listeningpost.web.auth import set_role

    c = open_case(case)
    _change_account(c, lambda: set_role(c, username, role), "user.role", username,
                    f"{username} is now {role}", {"role": role})


@users.command("list")
def users_list(case: Optional[Path] = CaseOpt, as_json: bool = JsonOpt) -> None:
    """List users and roles."""
    from listeningpost.web.auth import list_users

    rows = list_users(open_case(case))
    if as_json:
        print_json(rows)
        return
    for r in rows:
        out.print(f"{r['username']}\t{r['role']}\t{r['created_at']}", markup=False)


def audit_cmd(
    user: Optional[str] = typer.Option(None, help="Only this user."),
    action: Optional[str] = typer.Option(None, help="Only this action (view, edit, export, login, ...)."),
    target: Optional[str] = typer.Option(None, help="Targets starting with this (e.g. call:12)."),
    since: Optional[str] = typer.Option(None, help="ISO time or date."),
    limit: int = typer.Option(200, help="Most recent N entries."),
    case: Optional[Path] = CaseOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Who viewed, edited and exported what, newest first."""
    from listeningpost.store.audit import entries

    rows = entries(open_case(case), user=user, action=action, target=target, since=since, limit=limit)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        detail = json.dumps(r["detail"], ensure_ascii=False) if r["detail"] is not None else ""
        out.print(f"{r['at']}  {r['user']}  {r['action']}  {r['target'] or ''}  {detail}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(users, name="users")
    app.command("audit")(audit_cmd)
