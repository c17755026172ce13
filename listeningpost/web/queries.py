"""Read side of the workbench: the calls list (search, facets, sort, stage status, failures) and the
case dashboards. Each function returns plain dicts: the `/api/` JSON and the template context."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from listeningpost.store.case import Case

PAGE_SIZE = 50
SORTS = {
    "id": "c.id",
    "date": "s.published_date",
    "title": "c.title",
    "duration": "c.duration_s",
    "publisher": "s.publisher",
    "turns": "(SELECT COUNT(*) FROM turns t WHERE t.call_id=c.id)",
}
FACETS = {"publisher": "s.publisher", "language": "c.language", "category": "c.category", "kind": "s.kind"}
LIVE = "status<>'rejected'"  # analysis rows the dashboards count


@dataclass
class CallFilters:
    """Filters of the calls list; every dashboard link is one of these as a query string."""

    q: str = ""
    mode: str = "lexical"     # search mode: lexical, hybrid, semantic (search index only)
    publisher: str = ""
    language: str = ""
    category: str = ""
    kind: str = ""
    month: str = ""           # YYYY-MM of the published date
    claim_type: str = ""
    theme: str = ""
    entity: str = ""          # TYPE:norm
    stage_failed: str = ""    # stage name
    sort: str = "id"
    desc: bool = False
    page: int = 1

    def query_string(self, **override: Any) -> str:
        from urllib.parse import urlencode

        values = asdict(self) | override
        return urlencode({k: (int(v) if isinstance(v, bool) else v) for k, v in values.items()
                          if v not in ("", None, False) and not (k == "page" and v == 1) and not (k == "sort" and v == "id")
                          and not (k == "mode" and v == "lexical")})


def _where(f: CallFilters, skip: str = "") -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    for name, col in FACETS.items():
        value = getattr(f, name)
        if value and name != skip:
            if value == "(none)":
                where.append(f"{col} IS NULL")
            else:
                where.append(f"{col}=?")
                params.append(value)
    if f.month:
        where.append("substr(s.published_date, 1, 7)=?")
        params.append(f.month)
    if f.claim_type:
        where.append(f"c.id IN (SELECT call_id FROM claims WHERE type=? AND {LIVE})")
        params.append(f.claim_type)
    if f.theme:
        where.append(f"c.id IN (SELECT call_id FROM themes WHERE theme=? AND {LIVE})")
        params.append(f.theme)
    if f.entity and ":" in f.entity:
        etype, norm = f.entity.split(":", 1)
        where.append(f"c.id IN (SELECT call_id FROM entities WHERE type=? AND COALESCE(norm, text)=? AND {LIVE})")
        params += [etype, norm]
    if f.stage_failed:
        where.append("c.id IN (SELECT call_id FROM jobs WHERE stage=? AND status='failed')")
        params.append(f.stage_failed)
    return where, params


def list_page(case: Case, f: CallFilters, matched: list[int] | None = None,
              snippets: dict[int, str] | None = None) -> dict[str, Any]:
    """One page of calls. ``matched``: call ids from the search box (in rank order), or None."""
    where, params = _where(f)
    base = "FROM calls c JOIN sources s ON s.id=c.source_id"
    if matched is not None:
        # rank order from the search engine; ids go through a temp table so any number works
        case.db.execute("CREATE TEMP TABLE IF NOT EXISTS web_matched (call_id INTEGER PRIMARY KEY, rank INTEGER)")
        case.db.execute("DELETE FROM web_matched")
        case.db.executemany("INSERT OR IGNORE INTO web_matched VALUES (?, ?)", [(cid, i) for i, cid in enumerate(matched)])
        base += " JOIN web_matched m ON m.call_id=c.id"
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    total = case.one(f"SELECT COUNT(*) {base}{clause}", params)[0]
    order = SORTS.get(f.sort, "c.id")
    if matched is not None and f.sort == "id" and f.q:
        order = "m.rank"
    direction = "DESC" if f.desc else "ASC"
    page = max(1, f.page)
    rows = case.query(
        f"SELECT c.id, c.external_id, c.title, c.category, c.language, c.duration_s, c.has_media, s.publisher,"
        f" s.published_date, s.source_url, s.original_name, s.kind {base}{clause}"
        f" ORDER BY {order} IS NULL, {order} {direction}, c.id LIMIT ? OFFSET ?",
        [*params, PAGE_SIZE, (page - 1) * PAGE_SIZE],
    )
    ids = [r["id"] for r in rows]
    marks = ",".join("?" * len(ids))
    turns = dict(case.query(f"SELECT call_id, COUNT(*) FROM turns WHERE call_id IN ({marks}) GROUP BY call_id", ids)) if ids else {}
    stages: dict[int, dict[str, dict[str, Any]]] = {}
    if ids:
        for j in case.query(f"SELECT id, call_id, stage, status, error FROM jobs WHERE call_id IN ({marks})", ids):
            stages.setdefault(j["call_id"], {})[j["stage"]] = {"status": j["status"], "error": j["error"], "job": j["id"]}
    calls = [
        dict(r) | {"has_media": bool(r["has_media"]), "turns": turns.get(r["id"], 0), "stages": stages.get(r["id"], {}),
                   "snippet": (snippets or {}).get(r["id"])}
        for r in rows
    ]
    return {
        "filters": asdict(f),
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "calls": calls,
        "facets": facets(case, f, matched is not None),
        "stage_names": [r[0] for r in case.query("SELECT DISTINCT stage FROM jobs ORDER BY stage")],
        "failed": failed_items(case),
    }


def facets(case: Case, f: CallFilters, with_matched: bool) -> dict[str, list[dict[str, Any]]]:
    out = {}
    base = "FROM calls c JOIN sources s ON s.id=c.source_id" + (" JOIN web_matched m ON m.call_id=c.id" if with_matched else "")
    for name, col in FACETS.items():
        where, params = _where(f, skip=name)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        rows = case.query(f"SELECT {col} AS v, COUNT(*) AS n {base}{clause} GROUP BY v ORDER BY n DESC LIMIT 20", params)
        out[name] = [{"value": r["v"] if r["v"] is not None else "(none)", "count": r["n"]} for r in rows]
    return out


def failed_items(case: Case, limit: int = 50) -> dict[str, Any]:
    jobs = case.query(
        "SELECT j.id, j.stage, j.call_id, j.error, j.attempts, j.updated_at, c.title FROM jobs j"
        " JOIN calls c ON c.id=j.call_id WHERE j.status='failed' ORDER BY j.updated_at DESC LIMIT ?", (limit,))
    ingest = case.query("SELECT id, path, error, at FROM ingest_failures ORDER BY id DESC LIMIT ?", (limit,))
    counts = case.query("SELECT stage, status, COUNT(*) AS n FROM jobs GROUP BY stage, status")
    progress: dict[str, dict[str, int]] = {}
    for r in counts:
        progress.setdefault(r["stage"], {})[r["status"]] = r["n"]
    return {"jobs": [dict(r) for r in jobs], "ingest": [dict(r) for r in ingest], "progress": progress}


# -- dashboards ------------------------------------------------------------------------------
@dataclass
class Series:
    """Counts per (month, key) for a stacked bar chart."""

    keys: list[str] = field(default_factory=list)
    months: list[dict[str, Any]] = field(default_factory=list)


def _over_time(case: Case, table: str, key: str, value: str) -> Series:
    rows = case.query(
        f"SELECT COALESCE(substr(s.published_date, 1, 7), '(undated)') AS month, x.{key} AS k, {value} AS n"
        f" FROM {table} x JOIN calls c ON c.id=x.call_id JOIN sources s ON s.id=c.source_id"
        f" WHERE x.{LIVE} GROUP BY month, k ORDER BY month, k")
    keys = sorted({r["k"] for r in rows})
    months: dict[str, dict[str, int]] = {}
    for r in rows:
        months.setdefault(r["month"], {})[r["k"]] = r["n"]
    return Series(keys, [{"month": m, "counts": c, "total": sum(c.values())} for m, c in months.items()])


def dashboard(case: Case, top: int = 12) -> dict[str, Any]:
    claims = _over_time(case, "claims", "type", "COUNT(*)")
    # the number stated in the claims (e.g. "20 killed") next to the number of claims
    stated = {(r["month"], r["type"]): r["n"] for r in case.query(
        "SELECT COALESCE(substr(s.published_date, 1, 7), '(undated)') AS month, x.type, SUM(x.count) AS n"
        f" FROM claims x JOIN calls c ON c.id=x.call_id JOIN sources s ON s.id=c.source_id WHERE x.{LIVE}"
        " AND x.count IS NOT NULL GROUP BY month, x.type")}
    for m in claims.months:
        m["stated"] = {k: stated.get((m["month"], k)) for k in m["counts"]}
    themes = _over_time(case, "themes", "theme", "COUNT(DISTINCT x.call_id)")
    tops = {}
    for etype in ("UNIT", "PLACE", "EQUIPMENT"):
        tops[etype] = [dict(r) for r in case.query(
            f"SELECT COALESCE(norm, text) AS name, COUNT(DISTINCT call_id) AS calls, COUNT(*) AS mentions"
            f" FROM entities WHERE type=? AND {LIVE} GROUP BY name ORDER BY calls DESC, mentions DESC LIMIT ?",
            (etype, top))]
    publishers = [dict(r) for r in case.query(
        "SELECT COALESCE(s.publisher, '(none)') AS publisher, COUNT(*) AS calls FROM calls c"
        " JOIN sources s ON s.id=c.source_id GROUP BY s.publisher ORDER BY calls DESC")]
    totals = {name: case.one(f"SELECT COUNT(*) FROM {name}")[0] for name in ("calls", "turns", "entities", "claims", "themes")}
    return {
        "totals": totals,
        "claims_over_time": asdict(claims),
        "themes_over_time": asdict(themes),
        "top": tops,
        "publishers": publishers,
        "places": places(case),
        "reference_over_time": _reference_over_time(case),
    }


def _reference_over_time(case: Case) -> dict[str, Any]:
    """Loss claims per month beside the reference losses of that month (issue 16, listeningpost.context)."""
    from listeningpost.context.timeline import reference_over_time

    return reference_over_time(case)


def places(case: Case, call_id: int | None = None) -> list[dict[str, Any]]:
    """Geocoded places (not rejected), one point per name with the number of calls."""
    extra, params = ("AND call_id=?", (call_id,)) if call_id is not None else ("", ())
    return [dict(r) for r in case.query(
        "SELECT COALESCE(norm, text) AS name, AVG(lat) AS lat, AVG(lon) AS lon, COUNT(DISTINCT call_id) AS calls"
        f" FROM entities WHERE type='PLACE' AND lat IS NOT NULL AND lon IS NOT NULL AND {LIVE} {extra}"
        " GROUP BY name ORDER BY calls DESC", params)]
