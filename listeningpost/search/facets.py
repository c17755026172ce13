"""Filters (SQL over ``search_docs d JOIN calls c JOIN sources s``) and facet counts of a hit set.

Annotation filters (entity, claim, theme, status, mentioned) select CALLS: an analyst asks for "calls
where someone mentions X near Izium", and the place may be named in another turn than the words.
Rejected annotations never match and are never counted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from listeningpost.store.case import Case
from listeningpost.text import fts

REVIEWED = ("confirmed", "corrected", "rejected")
STATUSES = ("machine", "confirmed", "rejected", "corrected", "reviewed", "unreviewed")
FROM_DOCS = "search_docs d JOIN calls c ON c.id = d.call_id JOIN sources s ON s.id = c.source_id"
_TYPE_PREFIX = re.compile(r"^([A-Z_]+):(.+)$")


class FilterError(ValueError):
    """A filter value is not understood."""


@dataclass
class FilterSQL:
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.where.append(clause)
        self.params.extend(params)

    @property
    def sql(self) -> str:
        return " AND ".join(self.where) if self.where else "1"


def _spellings(value: str) -> list[str]:
    """Case variants (SQLite's NOCASE folds ASCII only) and, for Cyrillic, the lemma."""
    forms = {value, value.lower(), value.capitalize(), value.title(), value.upper()}
    if fts.is_cyrillic(value) and len(fts.words(value)) == 1:
        for lem in fts.lemma_variants(value):
            forms |= {lem, lem.capitalize()}
    return sorted(forms)


def _in(values: list[Any]) -> str:
    return ",".join("?" * len(values))


def _date_bound(value: str) -> str:
    if not re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?", value):
        raise FilterError(f"dates are YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    return value


def build_filters(filters: dict[str, list[str]]) -> FilterSQL:
    out = FilterSQL()
    for name, values in filters.items():
        values = [v for v in values if v not in (None, "")]
        if not values:
            continue
        ors: list[str] = []
        params: list[Any] = []
        for value in values:
            clause, p = _one_filter(name, str(value))
            ors.append(clause)
            params.extend(p)
        out.add("(" + " OR ".join(ors) + ")", *params)
    return out


def _one_filter(name: str, value: str) -> tuple[str, list[Any]]:
    if name == "publisher":
        forms = _spellings(value)
        return f"s.publisher IN ({_in(forms)})", forms
    if name == "lang":
        return "COALESCE(d.lang, c.language) = ?", [value.lower()]
    if name == "speaker":
        forms = _spellings(value)
        return (
            f"(d.speaker IN ({_in(forms)}) OR EXISTS (SELECT 1 FROM speakers sp WHERE sp.call_id = d.call_id"
            f" AND sp.label = d.speaker AND sp.name IN ({_in(forms)})))", forms + forms,
        )
    if name == "call":
        if value.isdigit():
            return "(c.id = ? OR c.external_id = ?)", [int(value), value]
        return "c.external_id = ?", [value]
    if name == "after":
        return "s.published_date >= ?", [_date_bound(value)]
    if name == "before":
        return "s.published_date < ?", [_date_bound(value)]
    if name == "published":
        return "s.published_date LIKE ?", [_date_bound(value) + "%"]
    if name == "mentioned":
        return _mentioned_filter(_date_bound(value))
    if name == "entity":
        etype, val = None, value
        m = _TYPE_PREFIX.match(value)
        if m:
            etype, val = m.group(1), m.group(2)
        forms = _spellings(val)
        clause = f"status != 'rejected' AND (norm IN ({_in(forms)}) OR text IN ({_in(forms)}))"
        params: list[Any] = forms + forms
        if etype:
            clause += " AND type = ?"
            params.append(etype)
        return f"d.call_id IN (SELECT call_id FROM entities WHERE {clause})", params
    if name == "claim":
        return "d.call_id IN (SELECT call_id FROM claims WHERE type = ? AND status != 'rejected')", [value.lower()]
    if name == "theme":
        return "d.call_id IN (SELECT call_id FROM themes WHERE theme = ? AND status != 'rejected')", [value.lower()]
    if name == "status":
        return _status_filter(value.lower())
    raise FilterError(f"unknown filter {name!r}")


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def _mentioned_filter(value: str) -> tuple[str, list[Any]]:
    """A DATE entity in the call falls in ``value``: an ISO norm (or data.date) with that prefix, or a
    day-month norm without a year ("2 April") in a call published in that year."""
    parts = value.split("-")
    iso = value + "%"
    clause = "e.norm LIKE ? OR json_extract(e.data_json, '$.date') LIKE ?"
    params: list[Any] = [iso, iso]
    if len(parts) >= 2:
        month = MONTHS[int(parts[1]) - 1]
        words = f"% {int(parts[2])} {month} %" if len(parts) == 3 else f"% {month} %"
        clause += " OR (substr(s2.published_date, 1, 4) = ? AND ' ' || e.norm || ' ' LIKE ? AND e.norm NOT GLOB '*[0-9][0-9][0-9][0-9]*')"
        params += [parts[0], words]
    return (
        "d.call_id IN (SELECT e.call_id FROM entities e JOIN calls c2 ON c2.id = e.call_id"
        " JOIN sources s2 ON s2.id = c2.source_id WHERE e.type = 'DATE' AND e.status != 'rejected'"
        f" AND ({clause}))", params,
    )


def _status_filter(value: str) -> tuple[str, list[Any]]:
    if value not in STATUSES:
        raise FilterError(f"status is one of {', '.join(STATUSES)}, not {value!r}")
    if value in ("reviewed", "unreviewed"):
        neg = "NOT " if value == "unreviewed" else ""
        return f"{neg}{_reviewed_sql('d.call_id')}", list(REVIEWED) * 3
    sub = "SELECT call_id FROM entities WHERE status = ? UNION SELECT call_id FROM claims WHERE status = ? UNION SELECT call_id FROM themes WHERE status = ?"
    return f"d.call_id IN ({sub})", [value] * 3


# -- facet counts --------------------------------------------------------------------------------
FACET_TOP = 15


def _counts(case: Case, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    return [{"value": r[0], "count": r[1]} for r in case.query(sql, params) if r[0] not in (None, "")]


def compute_facets(case: Case, turn_ids: list[int]) -> dict[str, Any]:
    """Counts over the hit set: turns per publisher/language/speaker/month, calls per entity/claim/theme."""
    ids = json.dumps(turn_ids)
    hits = "WITH hit(turn_id) AS (SELECT value FROM json_each(?)) "
    docs = hits + "SELECT {col}, COUNT(*) FROM hit JOIN " + FROM_DOCS.replace("search_docs d", "search_docs d ON d.turn_id = hit.turn_id", 1)
    calls = hits + ", hc(call_id) AS (SELECT DISTINCT d.call_id FROM hit JOIN search_docs d ON d.turn_id = hit.turn_id) "
    top = f" GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {FACET_TOP}"
    facets: dict[str, Any] = {
        "publisher": _counts(case, docs.format(col="s.publisher") + top, [ids]),
        "lang": _counts(case, docs.format(col="COALESCE(d.lang, c.language)") + top, [ids]),
        "speaker": _counts(case, docs.format(col="d.speaker") + top, [ids]),
        "published": _counts(case, docs.format(col="substr(s.published_date, 1, 7)") + " GROUP BY 1 ORDER BY 1", [ids]),
        "claim": _counts(case, calls + "SELECT type, COUNT(DISTINCT cl.call_id) FROM hc JOIN claims cl ON cl.call_id = hc.call_id"
                         " WHERE cl.status != 'rejected'" + top, [ids]),
        "theme": _counts(case, calls + "SELECT theme, COUNT(DISTINCT th.call_id) FROM hc JOIN themes th ON th.call_id = hc.call_id"
                         " WHERE th.status != 'rejected'" + top, [ids]),
    }
    # entities: canonical norms only, top per type (raw surfaces are what made other tools' facets noisy)
    entity: dict[str, list[dict[str, Any]]] = {}
    for r in case.query(
        calls + "SELECT e.type, e.norm, COUNT(DISTINCT e.call_id) AS n FROM hc JOIN entities e ON e.call_id = hc.call_id"
        " WHERE e.status != 'rejected' AND e.norm IS NOT NULL AND e.norm != '' GROUP BY 1, 2 ORDER BY 3 DESC, 2",
        [ids],
    ):
        bucket = entity.setdefault(r[0], [])
        if len(bucket) < FACET_TOP:
            bucket.append({"value": r[1], "count": r[2]})
    facets["entity"] = entity
    facets["status"] = _status_counts(case, calls, [ids])
    return facets


def _reviewed_sql(call: str) -> str:
    """A call an analyst reviewed: a decided annotation or an edited turn (EXISTS: uses the call_id indexes)."""
    m = _in(list(REVIEWED))
    return (
        f"(EXISTS (SELECT 1 FROM entities x WHERE x.call_id = {call} AND x.status IN ({m}))"
        f" OR EXISTS (SELECT 1 FROM claims x WHERE x.call_id = {call} AND x.status IN ({m}))"
        f" OR EXISTS (SELECT 1 FROM themes x WHERE x.call_id = {call} AND x.status IN ({m}))"
        f" OR EXISTS (SELECT 1 FROM turns x WHERE x.call_id = {call} AND x.edited = 1))"
    )


def _status_counts(case: Case, calls: str, params: list[Any]) -> list[dict[str, Any]]:
    row = case.one(
        calls + f"SELECT COUNT(*), SUM(CASE WHEN {_reviewed_sql('hc.call_id')} THEN 1 ELSE 0 END) FROM hc",
        params + list(REVIEWED) * 3,
    )
    total, reviewed = int(row[0] or 0), int(row[1] or 0)
    return [{"value": "reviewed", "count": reviewed}, {"value": "unreviewed", "count": total - reviewed}]
