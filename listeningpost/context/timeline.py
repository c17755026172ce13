"""The dashboard's "claims against the reference" chart: per month of publication (the axis of the
claims-over-time chart), the loss claims of the case beside the reference losses of that month (the
sum of the reference's daily figures = cumulative at the month's last reported date minus that at the
previous month's)."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from listeningpost.context.claims import PERSONNEL_TYPES, References, categories_of, load_references
from listeningpost.context.reference import SOURCE, figure_for
from listeningpost.store import tables


def month_total(series, month: str) -> dict[str, Any] | None:
    """Reference losses in one month from a cumulative series; None where the month lies outside it."""
    y, m = int(month[:4]), int(month[5:7])
    previous_end, month_end = date(y, m, 1) - timedelta(days=1), date(y, m, monthrange(y, m)[1])
    end = figure_for(series, min(month_end, max(series))) if series else None
    if end is None or end.day <= previous_end:  # the series ends before the month or starts after it
        return None
    start = figure_for(series, previous_end)
    return {"total": end.cumulative - (start.cumulative if start else 0), "to": end.day.isoformat(),
            "from": start.day.isoformat() if start else None, "source": end.source}


def reference_over_time(case, refs: References | None = None) -> dict[str, Any]:
    refs = refs if refs is not None else load_references(case)
    claims_t, calls, sources = tables.claims, tables.calls, tables.sources
    month = func.substr(sources.c.published_date, 1, 7).label("month")
    rows = case.query(
        select(month, claims_t.c.type, claims_t.c.count, claims_t.c.negated, claims_t.c.equipment, claims_t.c.quote)
        .select_from(claims_t.join(calls, calls.c.id == claims_t.c.call_id)
                     .join(sources, sources.c.id == calls.c.source_id))
        .where(claims_t.c.status != "rejected", sources.c.published_date.is_not(None),
               claims_t.c.type.in_(["killed", "wounded", "equipment_lost"]))
        .order_by(month))
    claims: dict[str, dict[str, dict[str, int]]] = {}  # category -> month -> {claims, stated}
    for r in rows:
        month = r["month"]
        if not month or len(month) != 7 or not month[:4].isdigit():
            continue
        cats = ["personnel"] if r["type"] in PERSONNEL_TYPES else (
            categories_of(r["equipment"]) or categories_of(r["quote"]))[:1]
        for cat in cats:
            acc = claims.setdefault(cat, {}).setdefault(month, {"claims": 0, "stated": 0})
            acc["claims"] += 1
            if r["count"] is not None and not r["negated"]:
                acc["stated"] += r["count"]
    out = []
    for cat in sorted(claims, key=lambda k: (k != "personnel", k)):
        series = refs.personnel if cat == "personnel" else refs.equipment.get(cat, {})
        months = []
        for month, acc in sorted(claims[cat].items()):
            ref = month_total(series, month)
            months.append({"month": month, **acc, "reference": ref["total"] if ref else None,
                           "from": ref["from"] if ref else None, "to": ref["to"] if ref else None,
                           "source": ref["source"] if ref else None})
        sources = sorted({m["source"] for m in months if m["source"]})
        out.append({"category": cat, "claim_types": "killed, wounded" if cat == "personnel" else "equipment_lost",
                    "months": months, "sources": sources or [SOURCE],
                    "max_stated": max([m["stated"] for m in months] + [1]),
                    "max_reference": max([m["reference"] or 0 for m in months] + [1])})
    return {"series": out}
