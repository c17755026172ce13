"""Match a call's casualty and equipment claims to the reference figure for the call's date."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from listeningpost.context.reference import figure_for, load_personnel

LOSS_TYPES = ("killed", "wounded", "equipment_lost", "equipment")
PERSONNEL_REL = "data/reference/equipment_losses/petroivaniuk/russia_losses_personnel.json"


def default_personnel_path() -> Path:
    # Not bundled yet: read from the shared folder beside the checkout (MIT, may be bundled later)
    shared = Path(os.environ.get("LPOST_SHARED", Path(__file__).resolve().parents[2].parent / "shared"))
    return shared / PERSONNEL_REL


def call_date(case, call_id: int) -> date | None:
    row = case.one("SELECT s.published_date FROM calls c JOIN sources s ON s.id=c.source_id WHERE c.id=?",
                   (call_id,))
    value = row["published_date"] if row else None
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def context_for_call(case, call_id: int, series: dict | None = None) -> dict:
    series = series if series is not None else load_personnel(default_personnel_path())
    day = call_date(case, call_id)
    claims = case.query("SELECT id, type, count, quote FROM claims WHERE call_id=? ORDER BY id", (call_id,))
    out = []
    for c in claims:
        if not any(c["type"].startswith(t) for t in LOSS_TYPES):
            continue
        fig = figure_for(series, day) if day else None
        out.append({"claim_id": c["id"], "type": c["type"], "count": c["count"], "quote": c["quote"],
                    "reference": fig.as_dict() if fig else None})
    return {"call_id": call_id, "date": day.isoformat() if day else None, "claims": out}
