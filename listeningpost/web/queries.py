"""Read side of the workbench: the calls list (search, facets, sort, stage status, failures) and the
case dashboards. Each function returns plain dicts: the `/api/` JSON and the template context."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from itertools import groupby
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Column, Integer, MetaData, Table, delete, func, insert, select
from sqlalchemy.schema import CreateTable

from listeningpost.jobs.runner import progress, recent_ingest_failures
from listeningpost.store.case import Case
from listeningpost.store.tables import calls, claims, entities, jobs, sources, themes, turns

PAGE_SIZE = 50
SORTS = {
    "id": calls.c.id,
    "date": sources.c.published_date,
    "title": calls.c.title,
    "duration": calls.c.duration_s,
    "publisher": sources.c.publisher,
    "turns": select(func.count()).where(turns.c.call_id == calls.c.id).scalar_subquery(),
}
FACETS = {"publisher": sources.c.publisher, "language": calls.c.language, "category": calls.c.category,
          "kind": sources.c.kind}
MONTH = func.substr(sources.c.published_date, 1, 7)

# rank order of the search box's matches; the ids go through a temp table so any number works
web_matched = Table("web_matched", MetaData(), Column("call_id", Integer, primary_key=True, autoincrement=False),
                    Column("rank", Integer), prefixes=["TEMPORARY"])


def live(table: Table):
    """The analysis rows the dashboards count (not rejected by an analyst)."""
    return table.c.status != "rejected"


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
        values, defaults = asdict(self) | override, asdict(CallFilters())
        return urlencode({k: (int(v) if isinstance(v, bool) else v) for k, v in values.items()
                          if v not in ("", None, False) and v != defaults.get(k)})


def _where(f: CallFilters, skip: str = "") -> list[Any]:
    """The conditions of the filters (all of them but the facet ``skip``)."""
    where: list[Any] = []
    for name, col in FACETS.items():
        value = getattr(f, name)
        if value and name != skip:
            where.append(col.is_(None) if value == "(none)" else col == value)
    if f.month:
        where.append(MONTH == f.month)
    for value, table, col in ((f.claim_type, claims, claims.c.type), (f.theme, themes, themes.c.theme)):
        if value:
            where.append(calls.c.id.in_(select(table.c.call_id).where((col == value) & live(table))))
    if f.entity and ":" in f.entity:
        etype, norm = f.entity.split(":", 1)
        where.append(calls.c.id.in_(select(entities.c.call_id).where(
            (entities.c.type == etype) & (func.coalesce(entities.c.norm, entities.c.text) == norm) & live(entities))))
    if f.stage_failed:
        where.append(calls.c.id.in_(select(jobs.c.call_id).where((jobs.c.stage == f.stage_failed)
                                                                 & (jobs.c.status == "failed"))))
    return where


def _listed(with_matched: bool):
    """Calls with their sources (and their search rank)."""
    joined = calls.join(sources, sources.c.id == calls.c.source_id)
    return joined.join(web_matched, web_matched.c.call_id == calls.c.id) if with_matched else joined


def _store_matches(case: Case, matched: list[int]) -> None:
    case.db.execute(CreateTable(web_matched, if_not_exists=True))
    case.db.execute(delete(web_matched))
    ranks: dict[int, int] = {}
    for rank, call_id in enumerate(matched):
        ranks.setdefault(call_id, rank)  # a call listed twice keeps its best rank
    case.db.executemany(insert(web_matched), [{"call_id": c, "rank": r} for c, r in ranks.items()])


def list_page(case: Case, f: CallFilters, matched: list[int] | None = None,
              snippets: dict[int, str] | None = None) -> dict[str, Any]:
    """One page of calls. ``matched``: call ids from the search box (in rank order), or None."""
    where = _where(f)
    if matched is not None:
        _store_matches(case, matched)
    listed = _listed(matched is not None)
    total = case.one(select(func.count()).select_from(listed).where(*where))[0]
    order = SORTS.get(f.sort, calls.c.id)
    if matched is not None and f.sort == "id" and f.q:
        order = web_matched.c.rank
    page = max(1, f.page)
    rows = case.query(
        select(calls.c.id, calls.c.external_id, calls.c.title, calls.c.category, calls.c.language, calls.c.duration_s,
               calls.c.has_media, sources.c.publisher, sources.c.published_date, sources.c.source_url,
               sources.c.original_name, sources.c.kind)
        .select_from(listed).where(*where)
        .order_by((order.desc() if f.desc else order.asc()).nulls_last(), calls.c.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    ids = [r["id"] for r in rows]
    turn_counts: dict[int, int] = {}
    stages: dict[int, dict[str, dict[str, Any]]] = {}
    if ids:
        turn_counts = dict(case.query(select(turns.c.call_id, func.count()).where(turns.c.call_id.in_(ids))
                                      .group_by(turns.c.call_id)))
        for j in case.query(select(jobs.c.id, jobs.c.call_id, jobs.c.stage, jobs.c.status, jobs.c.error)
                            .where(jobs.c.call_id.in_(ids))):
            stages.setdefault(j["call_id"], {})[j["stage"]] = {"status": j["status"], "error": j["error"], "job": j["id"]}
    listed_calls = [
        dict(r) | {"has_media": bool(r["has_media"]), "turns": turn_counts.get(r["id"], 0),
                   "stages": stages.get(r["id"], {}), "snippet": (snippets or {}).get(r["id"])}
        for r in rows
    ]
    failed = failed_items(case)
    return {
        "filters": asdict(f),
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "calls": listed_calls,
        "facets": facets(case, f, matched is not None),
        "stage_names": sorted(failed["progress"]),  # the stages that have jobs
        "failed": failed,
    }


def facets(case: Case, f: CallFilters, with_matched: bool) -> dict[str, list[dict[str, Any]]]:
    out = {}
    listed = _listed(with_matched)
    for name, col in FACETS.items():
        value, n = col.label("v"), func.count().label("n")
        rows = case.query(select(value, n).select_from(listed).where(*_where(f, skip=name))
                          .group_by(col).order_by(n.desc()).limit(20))
        out[name] = [{"value": r["v"] if r["v"] is not None else "(none)", "count": r["n"]} for r in rows]
    return out


def failed_items(case: Case, limit: int = 50) -> dict[str, Any]:
    failed_jobs = case.query(
        select(jobs.c.id, jobs.c.stage, jobs.c.call_id, jobs.c.error, jobs.c.attempts, jobs.c.updated_at, calls.c.title)
        .join_from(jobs, calls, calls.c.id == jobs.c.call_id).where(jobs.c.status == "failed")
        .order_by(jobs.c.updated_at.desc()).limit(limit))
    return {"jobs": [dict(r) for r in failed_jobs], "ingest": [dict(r) for r in recent_ingest_failures(case, limit)],
            "progress": progress(case)}


# -- dashboards ------------------------------------------------------------------------------
@dataclass
class Series:
    """Counts per (month, key) for a stacked bar chart."""

    keys: list[str] = field(default_factory=list)
    months: list[dict[str, Any]] = field(default_factory=list)


def _over_time(case: Case, table: Table, key: str, value: Any) -> Series:
    month, k = func.coalesce(MONTH, "(undated)").label("month"), table.c[key].label("k")
    # grouped by the labels: SQLite then sees the ORDER BY terms are the GROUP BY ones and sorts once
    rows = case.query(select(month, k, value.label("n")).select_from(_dated(table)).where(live(table))
                      .group_by(month.name, k.name).order_by(month, k))
    keys = sorted({r["k"] for r in rows})
    months = {m: {r["k"]: r["n"] for r in group} for m, group in groupby(rows, lambda r: r["month"])}
    return Series(keys, [{"month": m, "counts": c, "total": sum(c.values())} for m, c in months.items()])


def _dated(table: Table):
    """Analysis rows with the published date of their call's source."""
    return table.join(calls, calls.c.id == table.c.call_id).join(sources, sources.c.id == calls.c.source_id)


def _stated(case: Case) -> dict[tuple[str, str], int]:
    """The numbers stated in the claims (e.g. "20 killed") per (month, claim type)."""
    month = func.coalesce(MONTH, "(undated)").label("month")
    rows = case.query(select(month, claims.c.type, func.sum(claims.c.count).label("n")).select_from(_dated(claims))
                      .where(live(claims) & claims.c.count.is_not(None)).group_by(month.name, claims.c.type))
    return {(r["month"], r["type"]): r["n"] for r in rows}


def _top_entities(case: Case, etype: str, top: int) -> list[dict[str, Any]]:
    name = func.coalesce(entities.c.norm, entities.c.text).label("name")
    in_calls, mentions = func.count(entities.c.call_id.distinct()).label("calls"), func.count().label("mentions")
    return [dict(r) for r in case.query(
        select(name, in_calls, mentions).where((entities.c.type == etype) & live(entities))
        .group_by(name).order_by(in_calls.desc(), mentions.desc()).limit(top))]


def dashboard(case: Case, top: int = 12) -> dict[str, Any]:
    from listeningpost.context.timeline import reference_over_time

    claims_series = _over_time(case, claims, "type", func.count())
    stated = _stated(case)
    for m in claims_series.months:
        m["stated"] = {k: stated.get((m["month"], k)) for k in m["counts"]}
    themes_series = _over_time(case, themes, "theme", func.count(themes.c.call_id.distinct()))
    tops = {etype: _top_entities(case, etype, top) for etype in ("UNIT", "PLACE", "EQUIPMENT")}
    n_calls = func.count().label("calls")
    publishers = [dict(r) for r in case.query(
        select(func.coalesce(sources.c.publisher, "(none)").label("publisher"), n_calls)
        .select_from(calls.join(sources, sources.c.id == calls.c.source_id))
        .group_by(sources.c.publisher).order_by(n_calls.desc()))]
    counted = (calls, turns, entities, claims, themes)
    row = case.one(select(*(select(func.count()).select_from(t).scalar_subquery() for t in counted)))
    return {
        "totals": {t.name: row[i] for i, t in enumerate(counted)},
        "claims_over_time": asdict(claims_series),
        "themes_over_time": asdict(themes_series),
        "top": tops,
        "publishers": publishers,
        "places": places(case),
        # loss claims per month beside the reference losses of that month (issue 16)
        "reference_over_time": reference_over_time(case),
    }


def places(case: Case, call_id: int | None = None) -> list[dict[str, Any]]:
    """Geocoded places (not rejected), one point per name with the number of calls."""
    name = func.coalesce(entities.c.norm, entities.c.text).label("name")
    in_calls = func.count(entities.c.call_id.distinct()).label("calls")
    query = (select(name, func.avg(entities.c.lat).label("lat"), func.avg(entities.c.lon).label("lon"), in_calls)
             .where((entities.c.type == "PLACE") & entities.c.lat.is_not(None) & entities.c.lon.is_not(None)
                    & live(entities)))
    if call_id is not None:
        query = query.where(entities.c.call_id == call_id)
    return [dict(r) for r in case.query(query.group_by(name).order_by(in_calls.desc()))]
