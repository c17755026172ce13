"""Audit log: who viewed, edited or exported what, and when.

Other packages call :func:`log` (e.g. export: ``log(case, "cli", "export", "call:12", {"format": "docx"})``).
The web app logs page views, edits, logins and user administration; ``lpost audit`` prints the log.
"""

from __future__ import annotations

import getpass
import json
from typing import Any

from sqlalchemy import insert, select

from listeningpost.store.case import Case, now
from listeningpost.store.tables import audit_log

#: a case setting changed (web settings page, `lpost redact default`): target ``setting:KEY``,
#: detail ``{"before", "after"}``; these rows are the settings' history
SETTINGS_CHANGE = "settings.change"


def default_user() -> str:
    """Author for actions taken from the command line (the OS account)."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no passwd entry (containers)
        return "cli"


def log(case: Case, user: str | None, action: str, target: str | None = None, detail: Any = None) -> int:
    """Append one audit row; ``user`` None means the command-line user. Returns the row id."""
    return case.db.execute(insert(audit_log).values(
        at=now(), username=user or default_user(), action=action, target=target,
        detail_json=json.dumps(detail, ensure_ascii=False, default=str) if detail is not None else None,
    )).lastrowid


def entries(case: Case, *, user: str | None = None, action: str | None = None, target: str | None = None,
            since: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Newest first, optionally filtered (target matches as a prefix, e.g. 'call:')."""
    c = audit_log.c
    filters = ((user, lambda: c.username == user), (action, lambda: c.action == action),
               (target, lambda: c.target.istartswith(target, autoescape=True)),
               (since, lambda: c.at >= since))
    query = (select(audit_log).where(*(condition() for value, condition in filters if value))
             .order_by(c.id.desc()).limit(limit))
    return [
        {"id": r["id"], "at": r["at"], "user": r["username"], "action": r["action"], "target": r["target"],
         "detail": json.loads(r["detail_json"]) if r["detail_json"] else None}
        for r in case.query(query)
    ]
