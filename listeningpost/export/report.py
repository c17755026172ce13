"""The report model: what a call-level or case-level report says, independent of its format.

Built from (possibly redacted) call documents. Every row says whether it is machine output or was
reviewed by an analyst; every claim carries a citation (case, call, source URL, time) that a reader
can follow back to the recording.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from listeningpost.export.mapimg import MapPoint
from listeningpost.export.subtitles import english_of
from listeningpost.store import tables
from listeningpost.store.case import Case

PLACE_TYPES = ("PLACE", "LOC", "GPE")
ORIGIN_LABEL = {"import": "imported transcript", "asr": "machine transcription (ASR)", "analyst": "analyst"}


def case_label(case: Case) -> str:
    """The case's citation id: the `case.id` setting, else the case folder's name."""
    return str(case.setting("case.id") or case.root.name)


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def call_ref(doc: dict[str, Any]) -> str:
    return f"{doc['id']}" + (f" ({doc['external_id']})" if doc.get("external_id") else "")


def citation(case_id: str, doc: dict[str, Any], start: float | None) -> str:
    url = doc["source"]["provenance"].get("source_url") or "no source URL"
    at = f", at {clock(start)}" if start is not None else ""
    return f"Case {case_id}, call {call_ref(doc)}, {url}{at}"


@dataclass
class ClaimRow:
    call_id: int
    type: str
    count: int | None
    quote: str
    time: str
    start: float | None
    speaker: str
    confidence: float | None
    status: str
    reviewed: bool
    label: str
    period: str
    place: str
    subject: str
    hedged: bool
    negated: bool
    citation: str
    #: False for claims of a call left out of the totals as a duplicate of another exported call
    counted: bool = True
    claim_id: int | None = None
    #: reference figures for the call's date (listeningpost.context), "" for claim types without any
    context: str = ""


@dataclass
class EntityRow:
    type: str
    name: str
    mentions: int
    label: str
    number: int | None = None  # map marker


@dataclass
class ThemeRow:
    theme: str
    score: float | None
    level: str
    label: str


@dataclass
class TurnRow:
    speaker: str
    time: str
    text: str
    translation: str
    translation_label: str
    origin_label: str
    low_confidence: bool
    #: literal source gloss under a machine English line (translate/gloss.py), "" for human/edited ones
    gloss: str = ""


@dataclass
class CallReport:
    id: int
    ref: str
    title: str
    provenance: list[tuple[str, str]]
    authenticity: list[str]
    claims: list[ClaimRow]
    entities: list[EntityRow]
    themes: list[ThemeRow]
    places: list[MapPoint]
    transcript: list[TurnRow]
    machine_outputs: list[str]


@dataclass
class Total:
    key: str
    claims: int
    count: int  # sum of stated counts
    uncounted: int  # claims that state no number


@dataclass
class CaseReport:
    case_id: str
    title: str
    query: str | None
    calls: list[CallReport]
    claims: list[ClaimRow]
    by_type: list[Total]
    #: period -> claim type -> totals (a pivot: periods down, the types of by_type across)
    by_period: list[tuple[str, dict[str, Total]]]
    places: list[MapPoint]
    place_rows: list[EntityRow]
    redaction: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: call id -> why its claims are left out of the totals
    duplicates: dict[int, str] = field(default_factory=dict)


# -- building -----------------------------------------------------------------------------------------

def _claim_rows(case_id: str, doc: dict[str, Any]) -> list[ClaimRow]:
    return [ClaimRow(
        call_id=doc["id"], type=c["type"], count=c["count"], quote=c["quote"], time=clock(c["start"]),
        start=c["start"], speaker=c["speaker"] or "", confidence=c["confidence"], status=c["status"],
        reviewed=c["status"] != "machine", period=c["period"] or "", place=c["place"] or "",
        label="machine (not reviewed)" if c["status"] == "machine" else f"reviewed: {c['status']}",
        subject=c["subject"] or "", hedged=c["hedged"], negated=c["negated"],
        citation=citation(case_id, doc, c["start"]), claim_id=c["id"],
    ) for c in doc["claims"] if c["status"] != "rejected"]


def _entities(docs: list[dict[str, Any]]) -> tuple[list[EntityRow], list[MapPoint]]:
    """Entities grouped by (type, name), places numbered for the map in order of first mention."""
    mentions: Counter = Counter()
    reviewed: dict[tuple[str, str], bool] = {}
    coords: dict[tuple[str, str], tuple[float, float]] = {}
    for d in docs:
        for e in d["entities"]:
            if e["status"] == "rejected":
                continue
            key = (e["type"], e["norm"] or e["text"])
            mentions[key] += 1
            reviewed[key] = reviewed.get(key, False) or e["status"] != "machine"
            if e["type"] in PLACE_TYPES and e["lat"] is not None and e["lon"] is not None:
                coords.setdefault(key, (e["lat"], e["lon"]))
    rows, points = [], []
    for key, n in mentions.items():
        number = None
        if key in coords:
            number = len(points) + 1
            points.append(MapPoint(number, key[1], coords[key][0], coords[key][1], n))
        rows.append(EntityRow(key[0], key[1], n, "reviewed" if reviewed[key] else "machine", number))
    rows.sort(key=lambda r: (r.type, -r.mentions, r.name))
    return rows, points


def call_report(case_id: str, doc: dict[str, Any]) -> CallReport:
    prov = doc["source"]["provenance"]
    provenance = [
        ("Call", call_ref(doc)), ("Category", doc.get("category") or ""), ("Language", doc.get("language") or ""),
        ("Duration", clock(doc.get("duration_s"))), ("Publisher", prov.get("publisher") or ""),
        ("Source URL", prov.get("source_url") or ""), ("Published", prov.get("published_date") or ""),
        ("Obtained", prov.get("obtained_date") or ""), ("Source file", doc["source"]["original_name"]),
        ("SHA-256", doc["source"]["sha256"]), ("Notes", prov.get("notes") or ""),
    ]
    authenticity = [prov["authenticity_notes"]] if prov.get("authenticity_notes") else []
    if doc["source"].get("near_duplicate_of"):
        authenticity.append(f"Audio is a near-duplicate of source {doc['source']['near_duplicate_of']}"
                            f" (score {doc['source']['near_duplicate_score']:.2f}).")
    if not authenticity:
        authenticity.append("No authenticity assessment recorded for this call.")
    entities, places = _entities([doc])
    transcript = []
    for t in doc["turns"]:
        en = english_of(t)
        tr = next((x for x in t["translations"] if x["lang"] == "en" and x["text"] == en), None)
        tr_label = "" if tr is None else (
            "analyst-edited translation" if tr["edited"] else
            "human translation" if not tr["machine"] else f"machine translation ({tr['engine']})")
        transcript.append(TurnRow(
            speaker=doc["speakers"].get(t["speaker"]) or t["speaker"] or "", time=clock(t["start"]), text=t["text"],
            translation=en, translation_label=tr_label,
            origin_label="analyst-edited" if t["edited"] else ORIGIN_LABEL.get(t["origin"], t["origin"]),
            low_confidence=t["low_confidence"],
            gloss=(tr.get("gloss") or "") if tr is not None and tr["machine"] and not tr["edited"] else "",
        ))
    themes = [ThemeRow(th["theme"], th["score"], "call" if th["turn_id"] is None else "turn",
                       "machine" if th["machine"] else f"reviewed: {th['status']}")
              for th in doc["themes"] if th["status"] != "rejected"]
    machine = sorted({f"{r['stage']}: {r['engine']}" + (f" / {r['model']}" if r["model"] else "") for r in doc.get("runs", [])})
    return CallReport(
        id=doc["id"], ref=call_ref(doc), title=doc.get("title") or f"Call {doc['id']}", provenance=[p for p in provenance if p[1]],
        authenticity=authenticity, claims=_claim_rows(case_id, doc), entities=entities, themes=themes, places=places,
        transcript=transcript, machine_outputs=machine,
    )


def period_of(doc: dict[str, Any]) -> str:
    """A claim's period for the totals: the month the recording was published (claims' own period
    text is relative speech such as 'вчера' and stays in the table)."""
    date = doc["source"]["provenance"].get("published_date") or ""
    return date[:7] if len(date) >= 7 else "undated"


def duplicate_calls(case: Case, docs: list[dict[str, Any]]) -> dict[int, str]:
    """Calls that repeat another exported call (so the totals count a recording once): a transcript
    marked duplicate_of, the later of two possible duplicates, an audio near-duplicate."""
    by_ext = {d["external_id"]: d["id"] for d in docs if d.get("external_id")}
    by_source = {d["source_id"]: d["id"] for d in docs}
    out: dict[int, str] = {}
    for d in docs:
        row = case.one(select(tables.calls.c.data_json).where(tables.calls.c.id == d["id"]))
        data = json.loads(row["data_json"]) if row and row["data_json"] else {}
        same = by_ext.get(data.get("duplicate_of"))
        maybe = by_ext.get(data.get("possible_duplicate_of"))
        near = by_source.get(d["source"].get("near_duplicate_of"))
        if same is not None and same != d["id"]:
            out[d["id"]] = f"call {d['id']} is a duplicate of call {same}"
        elif maybe is not None and maybe < d["id"]:
            out[d["id"]] = f"call {d['id']} is probably the same recording as call {maybe}"
        elif near is not None and near != d["id"]:
            out[d["id"]] = f"call {d['id']}'s audio is a near-duplicate of call {near}'s"
    return out


def _add_context(case: Case, docs: list[dict[str, Any]], calls: list[CallReport]) -> bool:
    """Set each loss claim's reference line (issue 16); True when any claim got one."""
    from listeningpost.context.claims import context_for_document, load_references

    refs = load_references(case)
    for d, c in zip(docs, calls):
        lines = {x["claim_id"]: x["line"] for x in context_for_document(d, refs)["claims"]}
        for row in c.claims:
            row.context = lines.get(row.claim_id, "")
    return any(row.context for c in calls for row in c.claims)


def _totals(rows: list[ClaimRow]) -> list[Total]:
    acc: dict[str, Total] = {}
    for r in (r for r in rows if r.counted):
        t = acc.setdefault(r.type, Total(r.type, 0, 0, 0))
        t.claims += 1
        if r.count is not None and not r.negated:
            t.count += r.count
        else:
            t.uncounted += 1
    return sorted(acc.values(), key=lambda t: (-t.claims, t.key))


def case_report(case: Case, docs: list[dict[str, Any]], query: str | None = None,
                redaction: dict[str, Any] | None = None) -> CaseReport:
    case_id = case_label(case)
    calls = [call_report(case_id, d) for d in docs]
    dups = duplicate_calls(case, docs)
    for c in calls:
        for row in c.claims:
            row.counted = c.id not in dups
    has_context = _add_context(case, docs, calls)
    claims = [row for c in calls for row in c.claims]
    periods: dict[str, list[ClaimRow]] = defaultdict(list)
    for d, c in zip(docs, calls):
        periods[period_of(d)] += c.claims
    place_rows, places = _entities(docs)
    notes = ["Rows marked 'machine' were produced automatically and have not been reviewed by an analyst.",
             "Totals add the counts stated in non-negated claims; 'no number' counts claims that give none.",
             "Period = month the recording was published."]
    notes += [f"Left out of the totals: {why}." for why in dups.values()]
    if has_context:
        notes.append("Reference figures: the reference's figure for the nearest reported date on or before the call's"
                     " published date (daily and cumulative, source named); none outside the reference's range.")
    title = f"Case {case_id}" + (f": calls matching “{query}”" if query else "")
    return CaseReport(
        case_id=case_id, title=title, query=query, calls=calls, claims=claims, by_type=_totals(claims),
        by_period=[(p, {t.key: t for t in _totals(rows)}) for p, rows in sorted(periods.items()) if _totals(rows)],
        places=places, place_rows=[r for r in place_rows if r.number is not None],
        redaction=redaction or {"applied": False}, notes=notes, duplicates=dups,
    )
