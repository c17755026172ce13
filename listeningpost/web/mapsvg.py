"""Inline SVG maps on an offline basemap (Natural Earth 1:50m outlines shipped in ``data/``).

Equirectangular projection scaled by cos(48°) (the middle of Ukraine); country paths are built once
and reused, each map only sets its viewBox around its points.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import quote

K = 10.0  # SVG units per degree of latitude
COS = math.cos(math.radians(48.0))


@dataclass(frozen=True)
class Basemap:
    extent: tuple[float, float, float, float]  # lon0, lat0, lon1, lat1
    paths: tuple[tuple[str, str], ...]          # (country name, path d)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.extent[0]) * K * COS, (self.extent[3] - lat) * K

    def contains(self, lon: float, lat: float) -> bool:
        x0, y0, x1, y1 = self.extent
        return x0 <= lon <= x1 and y0 <= lat <= y1


@lru_cache(maxsize=1)
def basemap() -> Basemap:
    data = json.loads((resources.files("listeningpost.web") / "data" / "basemap.geojson").read_text())
    extent = tuple(data["bbox"])
    bm = Basemap(extent, ())
    paths = []
    for feat in data["features"]:
        parts = []
        for poly in feat["geometry"]["coordinates"]:
            for ring in poly:
                pts = [bm.xy(x, y) for x, y in ring]
                parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
        paths.append((feat["properties"].get("name") or "", "".join(parts)))
    return Basemap(extent, tuple(paths))


def view_box(points: list[dict[str, Any]], bm: Basemap) -> tuple[float, float, float, float]:
    """Fit the points (min 8° wide) with a margin; Ukraine when there are none."""
    inside = [p for p in points if bm.contains(p["lon"], p["lat"])]
    if inside:
        lons, lats = [p["lon"] for p in inside], [p["lat"] for p in inside]
        lon0, lon1, lat0, lat1 = min(lons), max(lons), min(lats), max(lats)
    else:
        lon0, lon1, lat0, lat1 = 22.0, 40.5, 44.3, 52.5
    cx, cy = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    half_w = max((lon1 - lon0) / 2 + 1.5, 4.0)
    half_h = max((lat1 - lat0) / 2 + 1.0, half_w * 0.45)
    x0, y0 = bm.xy(max(cx - half_w, bm.extent[0]), min(cy + half_h, bm.extent[3]))
    x1, y1 = bm.xy(min(cx + half_w, bm.extent[2]), max(cy - half_h, bm.extent[1]))
    return x0, y0, x1 - x0, y1 - y0


def render(points: list[dict[str, Any]], link: str | None = "/calls?entity=PLACE:", height: int = 360) -> dict[str, Any]:
    """SVG markup parts for the template: points are {name, lat, lon, calls}. Names are escaped by
    the template (autoescape); only numbers are formatted here."""
    bm = basemap()
    box = view_box(points, bm)
    biggest = max((p.get("calls") or 1 for p in points), default=1)
    unit = box[2] / 120
    marks, outside = [], []
    for p in points:
        if not bm.contains(p["lon"], p["lat"]):
            outside.append(p)
            continue
        x, y = bm.xy(p["lon"], p["lat"])
        r = unit * (1.2 + 2.5 * math.sqrt((p.get("calls") or 1) / biggest))
        marks.append({"x": round(x, 2), "y": round(y, 2), "r": round(r, 2), "name": p["name"],
                      "calls": p.get("calls"), "href": (link + quote(p["name"])) if link else None})
    return {"view_box": " ".join(f"{v:.1f}" for v in box), "countries": bm.paths, "marks": marks,
            "outside": outside, "height": height, "font": round(unit * 3.2, 2)}
