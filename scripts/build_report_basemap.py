"""Rebuild ``listeningpost/export/data/basemap_ua.geojson`` for the report map (run by hand; needs
``pyshp``, not a runtime dependency).

Source: Natural Earth 1:110m admin-0 countries (public domain) as shipped inside the geopandas 0.14.4
wheel on PyPI (``geopandas/datasets/naturalearth_lowres``; dropped from later releases). That edition
draws Crimea inside Ukraine (the world-atlas 4.1.0 TopoJSON used by the web map does not):

    pip download geopandas==0.14.4 --no-deps && unzip geopandas-0.14.4-py3-none-any.whl 'geopandas/datasets/*'
    python scripts/build_report_basemap.py geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp

Keeps the rings of countries that reach into the window the report map can show, rounded to 0.001°.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import shapefile  # pyshp

WINDOW = (18.0, 41.0, 46.0, 58.0)  # lon_min, lat_min, lon_max, lat_max
OUT = Path(__file__).resolve().parents[1] / "listeningpost" / "export" / "data" / "basemap_ua.geojson"


def _inside(points: list[tuple[float, float]]) -> bool:
    lo0, la0, lo1, la1 = WINDOW
    return any(lo0 <= x <= lo1 and la0 <= y <= la1 for x, y in points)


def build(shp: str) -> dict:
    features = []
    for rec in shapefile.Reader(shp).iterShapeRecords():
        pts, parts = rec.shape.points, list(rec.shape.parts) + [len(rec.shape.points)]
        rings = [pts[a:b] for a, b in zip(parts, parts[1:])]
        rings = [[[round(x, 3), round(y, 3)] for x, y in r] for r in rings if _inside(r)]
        if rings:
            features.append({
                "type": "Feature",
                "properties": {"name": rec.record["name"]},
                "geometry": {"type": "MultiPolygon", "coordinates": [[r] for r in rings]},
            })
    features.sort(key=lambda f: f["properties"]["name"])
    return {"type": "FeatureCollection", "source": "Natural Earth 1:110m admin-0 countries (public domain)",
            "features": features}


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(sys.argv[1]), separators=(",", ":")) + "\n", encoding="utf-8")
    print(OUT)
