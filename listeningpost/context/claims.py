"""Match a call's casualty and equipment claims to the reference figures for the call's date.

killed/wounded claims get the General Staff personnel series; equipment_lost claims the General Staff
equipment category their equipment text (or, failing that, their quote) names, and Oryx where it
counts the same kind of thing; killed claims also get an area figure where a place of the claim or
call is a region in Bessudnov's fatality records (region of origin). The reference date is the
nearest reported date on or before the call's published date; outside a series there is no figure.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from listeningpost.context.reference import (
    BESSUDNOV_SOURCE, ORYX_SOURCE, ORYX_TYPES, SOURCE, AreaRecords, Series, area_figure, cached, figure_for,
    load_personnel, value_of,
)
from listeningpost.store import tables

LOSS_TYPES = ("killed", "wounded", "equipment_lost", "equipment")
PERSONNEL_TYPES = ("killed", "wounded")
PETRO = "data/reference/equipment_losses/petroivaniuk/"
PERSONNEL_REL = PETRO + "russia_losses_personnel.json"
EQUIPMENT_REL = PETRO + "russia_losses_equipment.json"
ORYX_REL = "data/reference/equipment_losses/oryx_scarnecchia/daily_count.csv"
BESSUDNOV_REL = "data/reference/casualties/bessudnov_ru_fatalities_anonymised.csv"
REGNAMES_REL = "data/reference/casualties/bessudnov_regNames.csv"

#: claim equipment text (English norm or Russian word, as the analyze stage stores it) -> General Staff
#: category; first match per category, in this order. Weapons the series do not count (mortars,
#: machine guns, rifles, "техника" in general) map to nothing.
CATEGORY_PATTERNS: tuple[tuple[str, str], ...] = (
    ("vehicles and fuel tanks", r"fuel tank|(?<!fighting )(?<!armoured )(?<!armored )vehicle|truck|\bcars?\b|kamaz|\bural\b|бензовоз|топливозаправ|машин|"
                                r"грузовик|камаз|\bурал|тягач|автомоб"),
    ("tank", r"(?<!anti-)(?<!fuel )\btanks?\b|\bтанк"),
    ("APC", r"\bapcs?\b|armou?red|\bbmp|\bbtr|\bbmd|mt-?lb|infantry fighting|personnel carrier|\bбмп|\bбтр|\bбмд|"
            r"мтлб|мотолыг|коробочк|броневик|бронетехник|бронетранспорт|\bбэх"),
    ("MRL", r"mlrs|rocket launcher|\bgrad\b|uragan|smerch|\bmrls?\b|\bград|ураган|смерч|рсзо"),
    ("field artillery", r"artillery|howitzer|self-propelled gun|(?<!machine )(?<!sub)\bguns?\b|артиллер|\bарт[аыу]?\b|гаубиц|самоходк|"
                        r"\bсау\b|орудие|орудия|пушк"),
    ("aircraft", r"aircraft|airplane|plane|\bjets?\b|\bsu-?\d|sukhoi|самол[её]т|летак|сушк|\bсу-\d"),
    ("helicopter", r"helicopter|\bka-\d|\bmi-\d|вертол|вертушк|\bка-\d|\bми-\d"),
    ("drone", r"drone|\buav|orlan|\bдрон|беспилотн|бпла|коптер|птичк|орлан"),
    ("anti-aircraft warfare", r"\bsam\b|anti-aircraft|air defen[cs]e|manpads|\bbuk\b|\btor\b|pantsir|s-[34]00|"
                              r"зенит|\bпво\b|\bбук\b|панцир|с-[34]00"),
    ("naval ship", r"\bships?\b|\bboats?\b|vessel|корабл|катер|\bсудн"),
    ("cruise missiles", r"cruise missile|kalibr|калибр"),
)
ALL_EQUIPMENT = "all equipment"
CATEGORY_LABEL = {"personnel": "personnel losses", ALL_EQUIPMENT: "all equipment categories"}


def categories_of(text: str | None) -> list[str]:
    """General Staff equipment categories a claim's equipment text names (in the table's order)."""
    if not text:
        return []
    low = text.lower()
    return [cat for cat, pattern in CATEGORY_PATTERNS if re.search(pattern, low)]


# -- the reference data -------------------------------------------------------------------------------
def shared_dir() -> Path:
    # Not bundled: read from the shared folder beside the checkout (PetroIvaniuk MIT and Oryx CC BY 4.0
    # could be bundled later; Bessudnov states no licence and stays outside the repository)
    return Path(os.environ.get("LPOST_SHARED", Path(__file__).resolve().parents[2].parent / "shared"))


@dataclass
class References:
    """Every series one lookup needs; imported series (``lpost reference import``) already merged in."""

    personnel: Series = field(default_factory=dict)
    equipment: dict[str, Series] = field(default_factory=dict)
    oryx: dict[str, Series] = field(default_factory=dict)
    area: AreaRecords | None = None

    def equipment_total(self) -> Series:
        """Every General Staff equipment category summed per reported date: the figure for an
        equipment claim that names nothing the series count separately ("техника", mortars)."""
        days = sorted({d for series in self.equipment.values() for d in series})
        latest: dict[str, int] = {}
        total: Series = {}
        for d in days:
            for cat, series in self.equipment.items():
                if d in series:
                    latest[cat] = value_of(series[d])[0]
            total[d] = sum(latest.values())
        return total


def load_references(case=None, shared: Path | None = None) -> References:
    """The shipped series from the shared data folder (missing files give empty series) with the
    case's imports laid over them."""
    from listeningpost.context.imports import merge_imports

    root = Path(shared) if shared is not None else shared_dir()
    personnel = cached("personnel", root / PERSONNEL_REL) or {}
    equipment = cached("equipment", root / EQUIPMENT_REL) or {}
    oryx = cached("oryx", root / ORYX_REL) or {}
    area = cached("bessudnov", root / BESSUDNOV_REL, root / REGNAMES_REL)
    return References(
        personnel=merge_imports(case, "personnel", {"personnel": personnel} if personnel else {}, SOURCE).get("personnel", {}),
        equipment=merge_imports(case, "equipment", equipment, SOURCE),
        oryx={cat: {d: (v, ORYX_SOURCE) for d, v in s.items()} for cat, s in oryx.items()},
        area=area,
    )


# -- one claim ----------------------------------------------------------------------------------------
def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def call_date(case, call_id: int) -> date | None:
    calls, sources = tables.calls, tables.sources
    row = case.one(select(sources.c.published_date).select_from(calls.join(sources, sources.c.id == calls.c.source_id))
                   .where(calls.c.id == call_id))
    return parse_day(row["published_date"] if row else None)


def _fmt(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def figure_text(fig: dict[str, Any]) -> str:
    label = CATEGORY_LABEL.get(fig["category"], fig["category"])
    day, prev = fig["date"], fig.get("previous_date")
    if fig["daily"] is None:
        change = "no earlier report"
    elif prev and (date.fromisoformat(day) - date.fromisoformat(prev)).days == 1:
        change = f"daily {_fmt(fig['daily'])}"
    else:
        change = f"{fig['daily']:+,} since {prev}"
    return f"{label} on {day}: {change}, cumulative {_fmt(fig['cumulative'])} ({fig['source']})"


def area_text(area: dict[str, Any] | None, note: str) -> str:
    if area is None:
        return f"Area: {note}."
    return (f"Area: {area['region']} (region of origin) — {_fmt(area['cumulative'])} fatality records up to "
            f"{area['date']}, {_fmt(area['daily'])} that day ({area['source']}).")


def claim_context(claim: dict[str, Any], day: date | None, places: list[str], refs: References) -> dict[str, Any] | None:
    """The reference figures for one claim, or None for claim types without a reference."""
    ctype = claim["type"]
    if not any(ctype.startswith(t) for t in LOSS_TYPES):
        return None
    cats = (["personnel"] if ctype in PERSONNEL_TYPES
            else categories_of(claim.get("equipment")) or categories_of(claim.get("quote")))
    figures, note = [], ""
    if day is None:
        note = "no reference figure: the call has no published date"
    elif not cats:
        note = (f"no General Staff category for “{claim['equipment']}”" if claim.get("equipment")
                else "the claim names no equipment the series count separately")
        cats = [ALL_EQUIPMENT]
    for cat in cats if day else []:
        series = (refs.personnel if cat == "personnel" else refs.equipment_total() if cat == ALL_EQUIPMENT
                  else refs.equipment.get(cat, {}))
        if (fig := figure_for(series, day, SOURCE, cat)) is not None:
            figures.append(fig.as_dict())
        if cat in ORYX_TYPES:
            if (ofig := figure_for(refs.oryx.get(cat, {}), day, ORYX_SOURCE, cat)) is not None:
                figures.append(ofig.as_dict())
        if fig is None and not figures:
            note = (f"no reference figure: {day} is outside the {cat} series ({min(series)} … {max(series)})"
                    if series else
                    f"no reference figure: the {cat} series is not available (no reference data found)")
    area, area_note = None, "no area figure (only killed claims are set against fatality records)"
    if ctype == "killed":
        area_note = "no area figure for the claim's or call's places"
        if refs.area is None:
            area_note = "no area figure (the fatality records are not available)"
        elif day is not None:
            area = next((a for place in places if (a := area_figure(refs.area, place, day)) is not None), None)
            if area is None and not (refs.area.first <= day <= refs.area.last):
                area_note = (f"no area figure: {day} is outside the fatality records "
                             f"({refs.area.first} … {refs.area.last})")
    lines = [figure_text(f) for f in figures] or [note]
    if figures and ALL_EQUIPMENT in cats and note:
        lines[0] += f" — {note}"
        note = ""
    return {"claim_id": claim["id"], "type": ctype, "count": claim.get("count"), "quote": claim.get("quote"),
            "categories": cats, "reference": figures[0] if figures else None, "references": figures,
            "note": note if not figures else None, "area": area,
            "line": "; ".join(lines) + " · " + area_text(area, area_note)}


def _places(doc: dict[str, Any], claim: dict[str, Any]) -> list[str]:
    own = [p.strip() for p in (claim.get("place") or "").split(",") if p.strip()]
    ents = [e.get("norm") or e["text"] for e in doc.get("entities", [])
            if e["type"] in ("PLACE", "LOC", "GPE") and e.get("status") != "rejected"]
    return list(dict.fromkeys(own + ents))


def context_for_document(doc: dict[str, Any], refs: References) -> dict[str, Any]:
    """Context of every claim of a call document (``store.views.call_document``, possibly redacted)."""
    day = parse_day(doc["source"]["provenance"].get("published_date"))
    out = [item for c in doc["claims"] if c.get("status") != "rejected"
           and (item := claim_context(c, day, _places(doc, c), refs)) is not None]
    return {"call_id": doc["id"], "date": day.isoformat() if day else None, "claims": out,
            "sources": sorted({f["source"] for c in out for f in c["references"]}
                              | ({BESSUDNOV_SOURCE} if any(c["area"] for c in out) else set()))}


def context_for_call(case, call_id: int, refs: References | None = None) -> dict[str, Any]:
    from listeningpost.store.views import call_document

    return context_for_document(call_document(case, call_id), refs if refs is not None else load_references(case))


__all__ = ["References", "categories_of", "claim_context", "context_for_call", "context_for_document",
           "load_personnel", "load_references", "call_date"]
