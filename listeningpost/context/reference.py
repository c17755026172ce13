"""Reference series: Ukrainian General Staff daily cumulative Russian personnel losses.

Read from PetroIvaniuk/2022-Ukraine-Russia-War-Dataset (MIT), which ships only cumulative
totals, so the daily figure is the difference from the previous reported day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SOURCE = "Ukrainian General Staff via PetroIvaniuk/2022-Ukraine-Russia-War-Dataset @ 37655f8 (MIT)"


@dataclass(frozen=True)
class Figure:
    day: date
    daily: int | None
    cumulative: int
    source: str

    def as_dict(self) -> dict:
        return {"date": self.day.isoformat(), "daily": self.daily,
                "cumulative": self.cumulative, "source": self.source}


def load_personnel(path: Path) -> dict[date, int]:
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    return {date.fromisoformat(r["date"]): int(r["personnel"]) for r in rows if "personnel" in r}


def figure_for(series: dict[date, int], day: date, source: str = SOURCE) -> Figure | None:
    """The figure for one day, or None outside the series (never extrapolated)."""
    if day not in series:
        return None
    earlier = [d for d in series if d < day]
    daily = series[day] - series[max(earlier)] if earlier else None
    return Figure(day, daily, series[day], source)
