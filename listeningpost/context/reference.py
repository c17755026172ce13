"""Reference series beside casualty and equipment claims (issue 16).

- Ukrainian General Staff daily cumulative Russian losses (personnel and equipment per category), read
  from PetroIvaniuk/2022-Ukraine-Russia-War-Dataset (MIT), which ships only cumulative totals: the
  daily figure is the difference from the previous reported day.
- Oryx visually confirmed losses per equipment type (scarnecchia/oryx_data, CC BY 4.0): a running
  tally recorded on some days only, so its "daily" figure is the change since the previous record.
- Bessudnov's crowd-sourced fatality records (abessudnov/ruCasualtiesPublic, no licence stated: read
  from ../shared at run time, never copied): death date and region of *origin* of each soldier.

A figure is taken from the nearest reported date on or before the day asked for; outside the series'
range there is none (never extrapolated).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Union

SOURCE = "Ukrainian General Staff via PetroIvaniuk/2022-Ukraine-Russia-War-Dataset @ 37655f8 (MIT)"
ORYX_SOURCE = "Oryx (visually confirmed) via scarnecchia/oryx_data @ a8624b4 (CC BY 4.0)"
BESSUDNOV_SOURCE = "Bessudnov crowd-sourced fatality records via abessudnov/ruCasualtiesPublic @ 29aa86c"

#: General Staff equipment categories (keys of russia_losses_equipment.json)
EQUIPMENT_CATEGORIES = ("tank", "APC", "field artillery", "MRL", "aircraft", "helicopter", "drone",
                        "anti-aircraft warfare", "vehicles and fuel tanks", "naval ship", "submarines",
                        "cruise missiles", "special equipment", "ground robotic systems")
#: General Staff category -> Oryx equipment_type (only where the two count the same kind of thing)
ORYX_TYPES = {"tank": "Tanks", "aircraft": "Aircraft", "helicopter": "Helicopters", "MRL": "Multiple Rocket Launchers"}

#: a series: date -> cumulative, or date -> (cumulative, source) once imports are merged in
Series = dict[date, Union[int, tuple[int, str]]]


@dataclass(frozen=True)
class Figure:
    day: date
    daily: int | None
    cumulative: int
    source: str
    category: str = "personnel"
    previous: date | None = None  # the reported date the daily figure is counted from

    def as_dict(self) -> dict:
        return {"date": self.day.isoformat(), "daily": self.daily, "cumulative": self.cumulative,
                "source": self.source, "category": self.category,
                "previous_date": self.previous.isoformat() if self.previous else None}


def value_of(v) -> tuple[int, str | None]:
    """(figure, source) of a series entry (imported entries carry their source)."""
    return (v[0], v[1]) if isinstance(v, tuple) else (v, None)


def figure_for(series: Series, day: date, source: str = SOURCE, category: str = "personnel") -> Figure | None:
    """The figure for ``day``: the nearest reported date on or before it; None outside the series."""
    if not series or day < min(series) or day > max(series):
        return None
    ref = max(d for d in series if d <= day)
    value, src = value_of(series[ref])
    prev = max((d for d in series if d < ref), default=None)
    daily = value - value_of(series[prev])[0] if prev else None
    return Figure(ref, daily, value, src or source, category, prev)


# -- the shipped files ------------------------------------------------------------------------------
def load_personnel(path: Path) -> dict[date, int]:
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    return {date.fromisoformat(r["date"]): int(r["personnel"]) for r in rows if "personnel" in r}


def equipment_from_rows(rows: list[dict]) -> dict[str, dict[date, int]]:
    """Per category cumulative series from General Staff rows; 'vehicles and fuel tanks' before
    2022-05-01 is the sum of the then separate 'military auto' and 'fuel tank' (as the dataset's README says)."""
    out: dict[str, dict[date, int]] = {}
    for r in rows:
        day = date.fromisoformat(str(r["date"])[:10])
        for cat in EQUIPMENT_CATEGORIES:
            value = r.get(cat)
            if cat == "vehicles and fuel tanks" and value in (None, "") and r.get("military auto") not in (None, ""):
                value = int(r["military auto"]) + int(r.get("fuel tank") or 0)
            if value not in (None, ""):
                out.setdefault(cat, {})[day] = int(value)
    return out


def load_equipment(path: Path) -> dict[str, dict[date, int]]:
    return equipment_from_rows(json.loads(Path(path).read_text(encoding="utf-8")))


def load_oryx(path: Path) -> dict[str, dict[date, int]]:
    """Russian losses per General Staff category (ORYX_TYPES) from Oryx's daily_count.csv (type_total)."""
    wanted = {v: k for k, v in ORYX_TYPES.items()}
    out: dict[str, dict[date, int]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["country"] == "Russia" and r["equipment_type"] in wanted:
                out.setdefault(wanted[r["equipment_type"]], {})[date.fromisoformat(r["date_recorded"])] = int(r["type_total"])
    return out


@dataclass(frozen=True)
class AreaRecords:
    """Death dates of the fatality records per region of origin (English name as in regNames.csv)."""

    by_region: dict[str, list[date]]
    first: date
    last: date
    names: dict[str, str]  # lower-case English or Russian name -> regNameEng


def load_bessudnov(records: Path, regnames: Path | None = None) -> AreaRecords:
    by_region: dict[str, list[date]] = {}
    days = []
    with open(records, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            try:
                day = date.fromisoformat(r["deathConfirmedDate"][:10])
            except ValueError:
                continue
            days.append(day)
            if r["region"]:
                by_region.setdefault(r["region"], []).append(day)
    names = {k.lower(): k for k in by_region}
    if regnames is not None and Path(regnames).exists():
        with open(regnames, encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                names[r["regName"].lower()] = r["regNameEng"]
                names[r["regNameEng"].lower()] = r["regNameEng"]
    for v in by_region.values():
        v.sort()
    return AreaRecords(by_region, min(days), max(days), names)


# the gazetteer's English names where regNames.csv spells the region differently
AREA_ALIASES = {"saint petersburg": "St.Petersburg", "st petersburg": "St.Petersburg", "rostov-on-don": "Rostov",
                "moscow oblast": "Moscow Oblast", "yakutia": "Sakha", "north ossetia-alania": "North Ossetia"}


def area_figure(records: AreaRecords, place: str, day: date) -> dict | None:
    """Fatality records of soldiers from ``place`` (a Russian region of origin) dated on or before ``day``."""
    key = place.strip().lower()
    region = AREA_ALIASES.get(key) or records.names.get(key)
    if region is None or region not in records.by_region or not (records.first <= day <= records.last):
        return None
    days = records.by_region[region]
    return {"region": region, "date": day.isoformat(), "daily": sum(1 for d in days if d == day),
            "cumulative": sum(1 for d in days if d <= day), "source": BESSUDNOV_SOURCE,
            "meaning": "records of soldiers whose region of origin this is (not where they died)"}


@lru_cache(maxsize=16)
def _cached(loader: str, path: Path, mtime: float, *extra: Path):
    return {"personnel": load_personnel, "equipment": load_equipment, "oryx": load_oryx,
            "bessudnov": load_bessudnov}[loader](path, *extra)


def cached(loader: str, path: Path, *extra: Path):
    """A shipped file loaded once per process (reloaded when the file changes); None when absent."""
    path = Path(path)
    if not path.exists():
        return None
    return _cached(loader, path, path.stat().st_mtime, *extra)
