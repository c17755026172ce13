"""Inline SVG maps on the offline basemap (``listeningpost.maps``: Natural Earth 1:50m outlines).

Equirectangular projection scaled by cos(48°) (the middle of Ukraine); country paths are built once
and reused, each map only sets its viewBox around its points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from listeningpost import maps

K = 10.0  # SVG units per degree of latitude
LAT_REF = 48.0
COS = math.cos(math.radians(LAT_REF))


@dataclass(frozen=True)
class Basemap:
    extent: tuple[float, float, float, float]  # lon0, lat0, lon1, lat1
    paths: tuple[tuple[str, str], ...]          # (country name, path d)
    projection: maps.Projection                 # (lon, lat) -> SVG units, the extent's top-left at 0,0

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return self.projection(lon, lat)

    def contains(self, lon: float, lat: float) -> bool:
        x0, y0, x1, y1 = self.extent
        return x0 <= lon <= x1 and y0 <= lat <= y1


@lru_cache(maxsize=1)
def basemap() -> Basemap:
    base = maps.basemap()
    proj = maps.Projection(LAT_REF, K, base.extent[0], base.extent[3])
    paths = []
    for name, polygons in base.countries:
        parts = []
        for poly in polygons:
            for ring in poly:
                pts = [proj(x, y) for x, y in ring]
                parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
        paths.append((name, "".join(parts)))
    return Basemap(base.extent, tuple(paths), proj)


def view_box(points: list[dict[str, Any]], bm: Basemap, aspect: float) -> tuple[float, float, float, float]:
    """Fit the points (Ukraine when there are none) at the given width/height ratio, staying inside
    the basemap's extent so its clamped edges never show."""
    inside = [p for p in points if bm.contains(p["lon"], p["lat"])]
    if inside:
        lons, lats = [p["lon"] for p in inside], [p["lat"] for p in inside]
        lon0, lon1, lat0, lat1 = min(lons) - 1.5, max(lons) + 1.5, min(lats) - 1.0, max(lats) + 1.0
    else:
        lon0, lon1, lat0, lat1 = 22.0, 40.5, 44.3, 52.5
    (x0, y0), (x1, y1) = bm.xy(lon0, lat1), bm.xy(lon1, lat0)
    w, h = max(x1 - x0, 8 * K * COS), max(y1 - y0, 4 * K)
    w, h = max(w, h * aspect), max(h, w / aspect)
    (ex0, ey0), (ex1, ey1) = bm.xy(bm.extent[0] + 0.5, bm.extent[3] - 0.5), bm.xy(bm.extent[2] - 0.5, bm.extent[1] + 0.5)
    # keep the box inside the extent where it fits; points always stay in view
    cx = min(max((x0 + x1) / 2, ex0 + w / 2), ex1 - w / 2) if w <= ex1 - ex0 else (ex0 + ex1) / 2
    cy = min(max((y0 + y1) / 2, ey0 + h / 2), ey1 - h / 2) if h <= ey1 - ey0 else (ey0 + ey1) / 2
    return cx - w / 2, cy - h / 2, w, h


def render(points: list[dict[str, Any]], link: str | None = "/calls?entity=PLACE:", aspect: float = 1.4,
           px: int = 380) -> dict[str, Any]:
    """SVG markup parts for the template: points are {name, lat, lon, calls}. Names are escaped by
    the template (autoescape); only numbers are formatted here. ``px``: the width it is shown at, so
    marks and labels get a readable size."""
    bm = basemap()
    box = view_box(points, bm, aspect)
    biggest = max((p.get("calls") or 1 for p in points), default=1)
    unit = box[2] / px  # SVG units per screen pixel
    marks, outside = [], []
    for p in points:
        if not bm.contains(p["lon"], p["lat"]):
            outside.append(p)
            continue
        x, y = bm.xy(p["lon"], p["lat"])
        r = unit * (4 + 8 * math.sqrt((p.get("calls") or 1) / biggest))
        marks.append({"x": round(x, 2), "y": round(y, 2), "r": round(r, 2), "name": p["name"],
                      "calls": p.get("calls"), "href": (link + quote(p["name"])) if link else None})
    return {"view_box": " ".join(f"{v:.1f}" for v in box), "countries": bm.paths, "marks": marks,
            "outside": outside, "font": round(unit * 11, 2)}
