"""Rebuild ``listeningpost/data/basemap.geojson`` (``listeningpost.maps``: the workbench's maps and
the report's): Natural Earth 1:50m country outlines around Ukraine.

Source: the npm package ``world-atlas`` 2.0.2 (``countries-50m.json``, Natural Earth 4.1.0 as
TopoJSON; Natural Earth is public domain, the package is ISC). Run once by a maintainer:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/build_web_basemap.py package/countries-50m.json

Vertices are clamped to a box a few degrees wider than any view the maps draw, so the file
stays small while the visible shapes are exact (only segments in the margin change).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: lon_min, lat_min, lon_max, lat_max kept in the file
EXTENT = (12.0, 38.0, 52.0, 60.0)
OUT = Path(__file__).resolve().parents[1] / "listeningpost" / "data" / "basemap.geojson"


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Delta-decode and de-quantize TopoJSON arcs."""
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(arc if not pts else arc[1:])
    return pts


def clamp_ring(pts: list[tuple[float, float]]) -> list[list[float]]:
    x0, y0, x1, y1 = EXTENT
    out: list[list[float]] = []
    for x, y in pts:
        p = [round(min(max(x, x0), x1), 3), round(min(max(y, y0), y1), 3)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def inside(pts) -> bool:
    x0, y0, x1, y1 = EXTENT
    return any(x0 < x < x1 and y0 < y < y1 for x, y in pts)


# Natural Earth draws the de-facto line: Crimea inside Russia. Ukraine's internationally recognised
# borders include it (UN GA resolution 68/262), and so does this map.
CRIMEA = (32.0, 44.0, 36.8, 46.3)


def in_crimea(rings: list) -> bool:
    x0, y0, x1, y1 = CRIMEA
    xs, ys = [p[0] for p in rings[0]], [p[1] for p in rings[0]]
    return x0 <= min(xs) and max(xs) <= x1 and y0 <= min(ys) and max(ys) <= y1


def recognised_borders(features: list[dict]) -> None:
    by_name = {f["properties"]["name"]: f for f in features}
    russia, ukraine = by_name.get("Russia"), by_name.get("Ukraine")
    if not (russia and ukraine):
        return
    moved = [p for p in russia["geometry"]["coordinates"] if in_crimea(p)]
    russia["geometry"]["coordinates"] = [p for p in russia["geometry"]["coordinates"] if not in_crimea(p)]
    ukraine["geometry"]["coordinates"].extend(moved)


def build(topo: dict) -> dict:
    arcs = decode_arcs(topo)
    features = []
    for geom in topo["objects"]["countries"]["geometries"]:
        polys = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]] if geom["type"] == "Polygon" else []
        kept = []
        for poly in polys:
            rings = [ring(arcs, r) for r in poly]
            if rings and inside(rings[0]):
                kept.append([clamp_ring(r) for r in rings if len(clamp_ring(r)) >= 3])
        if kept:
            features.append({"type": "Feature", "properties": {"name": geom.get("properties", {}).get("name")},
                             "geometry": {"type": "MultiPolygon", "coordinates": kept}})
    recognised_borders(features)
    return {"type": "FeatureCollection", "bbox": list(EXTENT),
            "source": "Natural Earth 4.1.0 1:50m admin-0 countries (public domain) via world-atlas 2.0.2;"
                      " Crimea drawn within Ukraine's recognised borders",
            "features": features}


if __name__ == "__main__":
    data = build(json.loads(Path(sys.argv[1]).read_text()))
    OUT.write_text(json.dumps(data, separators=(",", ":")))
    print(f"{OUT}: {len(data['features'])} countries, {OUT.stat().st_size} bytes")
