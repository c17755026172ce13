"""Filters (Core conditions over ``search_docs`` joined to ``calls`` and ``sources``) and facet counts
of a hit set.

Annotation filters (entity, claim, theme, status, mentioned) select CALLS: an analyst asks for "calls
where someone mentions X near Izium", and the place may be named in another turn than the words.
Rejected annotations never match and are never counted.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, and_, case as when, distinct, exists, func, literal, not_, or_, select, true, union
from sqlalchemy.sql import ColumnElement, Select

from listeningpost.store import sql
from listeningpost.store.case import Case
from listeningpost.store.tables import calls, claims, entities, search_docs as docs, sources, speakers, themes, turns
from listeningpost.text import fts

REVIEWED = ("confirmed", "corrected", "rejected")
STATUSES = ("machine", "confirmed", "rejected", "corrected", "reviewed", "unreviewed")
_TYPE_PREFIX = re.compile(r"^([A-Z_]+):(.+)$")


def join_filtered(stmt: Select) -> Select:
    """``stmt`` (a select from ``search_docs``) joined to the call and source rows that filters read."""
    return stmt.join(calls, calls.c.id == docs.c.call_id).join(sources, sources.c.id == calls.c.source_id)


class FilterError(ValueError):
    """A filter value is not understood."""


@dataclass
class Filters:
    """The AND of the conditions in ``where`` (Core expressions over ``join_filtered``)."""

    where: list[ColumnElement] = field(default_factory=list)

    @property
    def clause(self) -> ColumnElement:
        return and_(*self.where) if self.where else true()


def _spellings(value: str) -> list[str]:
    """Case variants (SQLite's NOCASE folds ASCII only) and, for Cyrillic, the lemma."""
    forms = {value, value.lower(), value.capitalize(), value.title(), value.upper()}
    if fts.is_cyrillic(value) and len(fts.words(value)) == 1:
        for lem in fts.lemma_variants(value):
            forms |= {lem, lem.capitalize()}
    return sorted(forms)


def _date_bound(value: str) -> str:
    if not re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?", value):
        raise FilterError(f"dates are YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    return value


def build_filters(filters: dict[str, list[str]]) -> Filters:
    out = Filters()
    for name, values in filters.items():
        values = [v for v in values if v not in (None, "")]
        if values:
            out.where.append(or_(*(_one_filter(name, str(value)) for value in values)))
    return out


def _calls_with(table: Any, *conditions: Any) -> ColumnElement:
    """The doc's call has a row of ``table`` (an annotation table) meeting ``conditions``."""
    return docs.c.call_id.in_(select(table.c.call_id).where(*conditions))


def _one_filter(name: str, value: str) -> ColumnElement:
    if name == "publisher":
        return sources.c.publisher.in_(_spellings(value))
    if name == "lang":
        return func.coalesce(docs.c.lang, calls.c.language) == value.lower()
    if name == "speaker":
        forms = _spellings(value)
        named = exists().where(speakers.c.call_id == docs.c.call_id, speakers.c.label == docs.c.speaker,
                               speakers.c.name.in_(forms))
        return or_(docs.c.speaker.in_(forms), named)
    if name == "call":
        if value.isdigit():
            return or_(calls.c.id == int(value), calls.c.external_id == value)
        return calls.c.external_id == value
    if name == "after":
        return sources.c.published_date >= _date_bound(value)
    if name == "before":
        return sources.c.published_date < _date_bound(value)
    if name == "published":
        return sources.c.published_date.startswith(_date_bound(value), autoescape=True)
    if name == "mentioned":
        return _mentioned_filter(_date_bound(value))
    if name == "entity":
        return _entity_filter(value)
    if name == "claim":
        return _calls_with(claims, claims.c.type == value.lower(), claims.c.status != "rejected")
    if name == "theme":
        return _calls_with(themes, themes.c.theme == value.lower(), themes.c.status != "rejected")
    if name == "status":
        return _status_filter(value.lower())
    raise FilterError(f"unknown filter {name!r}")


def _entity_filter(value: str) -> ColumnElement:
    m = _TYPE_PREFIX.match(value)
    etype, val = (m.group(1), m.group(2)) if m else (None, value)
    forms = _spellings(val)
    conditions = [entities.c.status != "rejected", or_(entities.c.norm.in_(forms), entities.c.text.in_(forms))]
    if etype:
        conditions.append(entities.c.type == etype)
    return _calls_with(entities, *conditions)


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def _mentioned_filter(value: str) -> ColumnElement:
    """A DATE entity in the call falls in ``value``: an ISO norm (or data.date) with that prefix, or a
    day-month norm without a year ("2 April") in a call published in that year."""
    parts = value.split("-")
    e, c2, s2 = entities.alias("e"), calls.alias("c2"), sources.alias("s2")
    # ISO dates: digits and dashes, so matching them is the same with or without case folding
    match = or_(e.c.norm.startswith(value, autoescape=True),
                sql.json_text(e.c.data_json, "date").startswith(value, autoescape=True))
    if len(parts) >= 2:
        month = MONTHS[int(parts[1]) - 1]
        words = f"% {int(parts[2])} {month} %" if len(parts) == 3 else f"% {month} %"
        padded = (literal(" ", Text) + e.c.norm + literal(" ", Text)).self_group()
        match = or_(match, and_(func.substr(s2.c.published_date, 1, 4) == parts[0], sql.like_nocase(padded, words),
                                not_(sql.glob(e.c.norm, "*[0-9][0-9][0-9][0-9]*"))))
    mentioned = (select(e.c.call_id).join(c2, c2.c.id == e.c.call_id).join(s2, s2.c.id == c2.c.source_id)
                 .where(e.c.type == "DATE", e.c.status != "rejected", match))
    return docs.c.call_id.in_(mentioned)


def _status_filter(value: str) -> ColumnElement:
    if value not in STATUSES:
        raise FilterError(f"status is one of {', '.join(STATUSES)}, not {value!r}")
    if value in ("reviewed", "unreviewed"):
        reviewed = reviewed_call(docs.c.call_id)
        return not_(reviewed) if value == "unreviewed" else reviewed
    with_status = union(*(select(t.c.call_id).where(t.c.status == value) for t in (entities, claims, themes)))
    return docs.c.call_id.in_(with_status)


def reviewed_call(call_id: Any) -> ColumnElement:
    """A call an analyst reviewed: a decided annotation or an edited turn (EXISTS: uses the call_id indexes)."""
    decided = [exists().where(t.c.call_id == call_id, t.c.status.in_(REVIEWED)) for t in (entities, claims, themes)]
    return or_(*decided, exists().where(turns.c.call_id == call_id, turns.c.edited == 1))


# -- facet counts --------------------------------------------------------------------------------
FACET_TOP = 15


def _counts(case: Case, stmt: Select) -> list[dict[str, Any]]:
    return [{"value": r[0], "count": r[1]} for r in case.query(stmt) if r[0] not in (None, "")]


def _by_value(value: Any) -> tuple[bool, Any]:
    """SQLite's order of text values: NULL first, then by code point."""
    return value is not None, value or ""


def _turn_counts(values: list[Any], top: bool = True) -> list[dict[str, Any]]:
    """Hit turns per value: the FACET_TOP most frequent (ties by value), or all of them by value;
    NULL and empty values take their place in that order but are not listed."""
    counted = sorted(Counter(values).items(), key=lambda vc: (-vc[1], *_by_value(vc[0])) if top else _by_value(vc[0]))
    return [{"value": v, "count": n} for v, n in (counted[:FACET_TOP] if top else counted) if v not in (None, "")]


def _call_counts(hit_calls: Any, table: Any, value: Any) -> Select:
    """Hit calls per ``value`` of an annotation table (rejected rows left out), the most frequent first."""
    value = value.label("value")
    n = func.count(distinct(table.c.call_id)).label("n")
    return (select(value, n).join_from(hit_calls, table, table.c.call_id == hit_calls.c.call_id)
            .where(table.c.status != "rejected").group_by(value).order_by(n.desc(), value).limit(FACET_TOP))


def compute_facets(case: Case, turn_ids: list[int]) -> dict[str, Any]:
    """Counts over the hit set: turns per publisher/language/speaker/month, calls per entity/claim/theme."""
    # one row per hit turn, counted here: one query instead of one per facet
    per_turn = case.query(join_filtered(select(sources.c.publisher, func.coalesce(docs.c.lang, calls.c.language),
                                               docs.c.speaker, func.substr(sources.c.published_date, 1, 7))
                                        .select_from(docs)).where(sql.in_ids(docs.c.turn_id, turn_ids)))
    publisher, lang, speaker, month = (list(column) for column in zip(*per_turn)) if per_turn else ([], [], [], [])
    hit_calls = select(docs.c.call_id).where(sql.in_ids(docs.c.turn_id, turn_ids)).distinct().cte("hc")
    facets: dict[str, Any] = {
        "publisher": _turn_counts(publisher),
        "lang": _turn_counts(lang),
        "speaker": _turn_counts(speaker),
        "published": _turn_counts(month, top=False),
        "claim": _counts(case, _call_counts(hit_calls, claims, claims.c.type)),
        "theme": _counts(case, _call_counts(hit_calls, themes, themes.c.theme)),
    }
    # entities: canonical norms only, top per type (raw surfaces are what made other tools' facets noisy)
    n = func.count(distinct(entities.c.call_id)).label("n")
    per_norm = (select(entities.c.type, entities.c.norm, n)
                .join_from(hit_calls, entities, entities.c.call_id == hit_calls.c.call_id)
                .where(entities.c.status != "rejected", entities.c.norm.is_not(None), entities.c.norm != "")
                .group_by(entities.c.type, entities.c.norm).order_by(n.desc(), entities.c.norm))
    entity: dict[str, list[dict[str, Any]]] = {}
    for r in case.query(per_norm):
        bucket = entity.setdefault(r[0], [])
        if len(bucket) < FACET_TOP:
            bucket.append({"value": r[1], "count": r[2]})
    facets["entity"] = entity
    facets["status"] = _status_counts(case, hit_calls)
    return facets


def _status_counts(case: Case, hit_calls: Any) -> list[dict[str, Any]]:
    row = case.one(select(func.count(), func.sum(when((reviewed_call(hit_calls.c.call_id), 1), else_=0)))
                   .select_from(hit_calls))
    total, reviewed = int(row[0] or 0), int(row[1] or 0)
    return [{"value": "reviewed", "count": reviewed}, {"value": "unreviewed", "count": total - reviewed}]
