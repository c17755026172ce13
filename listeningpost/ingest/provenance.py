"""Provenance of a source: from the command line, a sidecar file, or the transcript itself.

Sidecars: ``NAME.meta.json`` / ``NAME.meta.yaml`` (or ``.yml``) next to the file, where NAME is the
full file name (``call.mp3.meta.json``) or its stem (``call.meta.json``).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from listeningpost.store.case import Case
from listeningpost.store.layers import record_edit
from listeningpost.store.tables import sources

FIELDS = (
    "publisher", "source_url", "published_date", "obtained_date", "title", "language", "notes",
    "authenticity_notes",
)
ALIASES = {
    "url": "source_url", "source": "source_url", "published": "published_date", "date": "published_date",
    "obtained": "obtained_date", "lang": "language", "note": "notes", "authenticity": "authenticity_notes",
    "bias": "authenticity_notes", "selection_bias": "authenticity_notes",
}
DATE_FIELDS = ("published_date", "obtained_date")
SIDECAR_SUFFIXES = (".meta.json", ".meta.yaml", ".meta.yml")


class ProvenanceError(ValueError):
    pass


def normalise_key(key: str) -> str:
    key = key.strip().lower().replace("-", "_")
    return ALIASES.get(key, key)


def normalise_date(value: str) -> str:
    """ISO date from YYYY-MM-DD, YYYY-MM, YYYY or DD.MM.YYYY; anything else is an error."""
    text = str(value).strip()
    try:
        if m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text):
            d, mo, y = map(int, m.groups())
            return date(y, mo, d).isoformat()
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", text):
            return date(*map(int, m.groups())).isoformat()
        if re.fullmatch(r"\d{4}(-\d{2})?", text):
            return text
    except ValueError as exc:
        raise ProvenanceError(f"invalid date {text!r}: {exc}") from exc
    raise ProvenanceError(f"invalid date {text!r} (use YYYY-MM-DD)")


def normalise(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or value == "":
            continue
        key = normalise_key(key)
        if key in DATE_FIELDS:
            value = normalise_date(value)
        elif isinstance(value, (dict, list)):
            value = json.loads(json.dumps(value, ensure_ascii=False, default=str))
        else:
            value = str(value)
        out[key] = value
    return out


def is_sidecar(path: Path) -> bool:
    return path.name.lower().endswith(SIDECAR_SUFFIXES)


def find_sidecar(path: Path) -> Path | None:
    for base in (path.name, path.stem):
        for suffix in SIDECAR_SUFFIXES:
            candidate = path.with_name(base + suffix)
            try:
                if candidate.is_file():
                    return candidate
            except OSError:  # a sidecar name past the 255-byte limit cannot exist
                continue
    return None


def read_sidecar(path: Path) -> dict[str, Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ProvenanceError(f"unreadable sidecar {path.name}: {exc}") from exc
    if not isinstance(data, dict):
        raise ProvenanceError(f"sidecar {path.name} must hold a mapping of provenance fields")
    return normalise(data)


def split_fields(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(known columns, extra keys)"""
    known = {k: v for k, v in values.items() if k in FIELDS}
    extra = {k: v for k, v in values.items() if k not in FIELDS}
    return known, extra


def set_provenance(case: Case, source_id: int, changes: dict[str, Any], author: str) -> dict[str, tuple]:
    """Change provenance fields of a source, keeping every change in the edits history."""
    changes = normalise(changes)
    if (row := case.one(select(sources).where(sources.c.id == source_id))) is None:
        raise ProvenanceError(f"no source {source_id}")
    extra = json.loads(row["extra_json"]) if row["extra_json"] else {}
    changed: dict[str, tuple] = {}
    with case.transaction():
        for key, value in changes.items():
            before = row[key] if key in FIELDS else extra.get(key)
            if before == value:
                continue
            if key not in FIELDS:
                extra[key] = value
            column = {key: value} if key in FIELDS else {"extra_json": json.dumps(extra, ensure_ascii=False)}
            case.db.execute(update(sources).where(sources.c.id == source_id).values(column))
            record_edit(case, author=author, target_table="sources", target_id=source_id, action="set",
                        field=key, before=before, after=value, source_id=source_id)
            changed[key] = (before, value)
    return changed
