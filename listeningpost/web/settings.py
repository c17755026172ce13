"""Case settings an admin may change from the web workbench (the `/settings` page and `/api/settings`).

Only settings other code really reads are listed here, each with its type and how it is checked.
A change is written together with one audit row per changed key (``settings.change``, before and
after), so the audit log is the settings' history. Clearing a value deletes the row and the reader's
own default applies again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import delete, select

from listeningpost.export.redact import DEFAULT_SETTING as REDACT_SETTING
from listeningpost.export.redact import PUBLIC_FIGURES_SETTING
from listeningpost.store.case import Case
from listeningpost.store import audit
from listeningpost.store.tables import settings as settings_table

AUDIT_ACTION = audit.SETTINGS_CHANGE
MAX_TEXT = 120
MAX_LIST = 500
#: the words a bool setting may be posted as
BOOL_WORDS = {**dict.fromkeys(("1", "true", "on", "yes"), True),
              **dict.fromkeys(("0", "false", "off", "no"), False)}


class SettingError(ValueError):
    pass


@dataclass(frozen=True)
class Option:
    key: str
    kind: str  # bool | text | list
    label: str
    help: str
    default: Callable[[Case], Any]


OPTIONS: tuple[Option, ...] = (
    Option("case.id", "text", "Case id",
           "Cited in every export (\u201cCase ID, call \u2026\u201d). Empty: the case folder's name.",
           lambda case: case.root.name),
    Option(REDACT_SETTING, "bool", "Redact exports by default",
           "Exports remove bystanders' phone numbers, names and addresses unless --no-redact is given.",
           lambda case: False),
    Option(PUBLIC_FIGURES_SETTING, "list", "Public figures (this case)",
           "Names never redacted, added to the packaged allow-list; one surname or full name per line, "
           "in every spelling used (e.g. \u041c\u043e\u0440\u043e\u0437\u043e\u0432 and Morozov).",
           lambda case: []),
)
BY_KEY = {o.key: o for o in OPTIONS}


def current(case: Case) -> list[dict[str, Any]]:
    stored = {r[0] for r in case.query(select(settings_table.c.key).where(settings_table.c.key.in_(BY_KEY)))}
    return [{"key": o.key, "kind": o.kind, "label": o.label, "help": o.help, "is_set": o.key in stored,
             "value": case.setting(o.key, o.default(case)), "default": o.default(case)} for o in OPTIONS]


def parse(option: Option, raw: Any) -> Any:
    """A checked value from JSON or a form field; None clears the setting."""
    if option.kind == "bool":
        value = raw if isinstance(raw, bool) else BOOL_WORDS.get(str(raw).strip().lower())
        if value is None:
            raise SettingError(f"{option.key}: expected true or false")
        return value
    if option.kind == "text":
        text = " ".join(str(raw if raw is not None else "").split())
        if len(text) > MAX_TEXT:
            raise SettingError(f"{option.key}: at most {MAX_TEXT} characters")
        return text or None
    items = raw if isinstance(raw, list) else str(raw or "").splitlines()
    names = [n for n in dict.fromkeys(" ".join(str(i).split()) for i in items) if n]
    if len(names) > MAX_LIST or any(len(n) > MAX_TEXT for n in names):
        raise SettingError(f"{option.key}: at most {MAX_LIST} names of {MAX_TEXT} characters")
    return names or None


def update(case: Case, changes: dict[str, Any], author: str) -> list[dict[str, Any]]:
    """Apply ``changes`` (key -> raw value) after checking all of them; returns what actually changed."""
    unknown = sorted(set(changes) - set(BY_KEY))
    if unknown:
        raise SettingError(f"unknown setting(s): {', '.join(unknown)}")
    parsed = {k: parse(BY_KEY[k], v) for k, v in changes.items()}
    done = []
    with case.transaction():
        for key, value in parsed.items():
            before, default = case.setting(key), BY_KEY[key].default(case)
            # the form posts every field: an unset one still at its default is no change
            if before == value or (before is None and value == default):
                continue
            if value is None:
                case.db.execute(delete(settings_table).where(settings_table.c.key == key))
            else:
                case.set_setting(key, value)
            audit.log(case, author, AUDIT_ACTION, f"setting:{key}", {"before": before, "after": value})
            done.append({"key": key, "before": before, "after": value})
    return done


def history(case: Case, limit: int = 100) -> list[dict[str, Any]]:
    return audit.entries(case, action=AUDIT_ACTION, limit=limit)


def stage_defaults() -> list[dict[str, Any]]:
    """Engine and model each processing stage uses by default (read-only here: chosen per run)."""
    from listeningpost.pipeline import available_stages, make_stage

    out = []
    for name in available_stages():
        try:
            s, error = make_stage(name).settings(), None
        except Exception as exc:  # a stage whose optional dependency is missing still gets a row
            s, error = {}, str(exc)
        out.append({"stage": name, "engine": s.get("engine"), "model": s.get("model"), "error": error})
    return out


def page_data(case: Case) -> dict[str, Any]:
    return {"settings": current(case), "stages": stage_defaults(), "history": history(case)}
