"""The report's map of places: Natural Earth country outlines (``data/basemap_ua.geojson``, public
domain) with numbered markers, drawn as SVG for HTML/PDF and as PNG (Pillow) for DOCX.

Equirectangular projection scaled by cos(latitude) around the view's centre: at this scale it is
indistinguishable from a conformal one and needs no projection library.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 720, 460
#: the default view (Ukraine), widened to take in every marker but kept inside the basemap's extent
VIEW = (21.8, 44.0, 40.6, 52.6)
LIMITS = (18.0, 41.0, 46.0, 58.0)
LAND, UKRAINE, BORDER, SEA, MARKER = "#ecebe4", "#fdf6d8", "#8a8a80", "#dbe7ef", "#b3261e"


@dataclass
class MapPoint:
    number: int
    name: str
    lat: float
    lon: float
    mentions: int = 1


@lru_cache(maxsize=1)
def basemap() -> list[tuple[str, list[list[tuple[float, float]]]]]:
    data = json.loads((resources.files("listeningpost.export") / "data" / "basemap_ua.geojson").read_text("utf-8"))
    return [
        (f["properties"]["name"], [[(x, y) for x, y in poly[0]] for poly in f["geometry"]["coordinates"]])
        for f in data["features"]
    ]


class Projection:
    def __init__(self, points: list[MapPoint]):
        lo0, la0, lo1, la1 = VIEW
        for p in points:
            lo0, lo1 = min(lo0, p.lon - 0.8), max(lo1, p.lon + 0.8)
            la0, la1 = min(la0, p.lat - 0.6), max(la1, p.lat + 0.6)
        lo0, la0 = max(lo0, LIMITS[0]), max(la0, LIMITS[1])
        lo1, la1 = min(lo1, LIMITS[2]), min(la1, LIMITS[3])
        self.k = math.cos(math.radians((la0 + la1) / 2))
        self.scale = min(WIDTH / ((lo1 - lo0) * self.k), HEIGHT / (la1 - la0))
        # centre the view in the canvas
        self.ox = (WIDTH - (lo1 - lo0) * self.k * self.scale) / 2 - lo0 * self.k * self.scale
        self.oy = (HEIGHT - (la1 - la0) * self.scale) / 2 + la1 * self.scale

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return round(self.ox + lon * self.k * self.scale, 1), round(self.oy - lat * self.scale, 1)


def visible(points: list[MapPoint]) -> list[MapPoint]:
    lo0, la0, lo1, la1 = LIMITS
    return [p for p in points if lo0 <= p.lon <= lo1 and la0 <= p.lat <= la1]


def svg(points: list[MapPoint]) -> str:
    points = visible(points)
    proj = Projection(points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}"'
        ' role="img" aria-label="Map of places named in the calls">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{SEA}"/>',
    ]
    for name, rings in basemap():
        fill = UKRAINE if name == "Ukraine" else LAND
        for ring in rings:
            d = " ".join(f"{x},{y}" for x, y in (proj(lon, lat) for lon, lat in ring))
            parts.append(f'<polygon points="{d}" fill="{fill}" stroke="{BORDER}" stroke-width="0.8"/>')
    for p in points:
        x, y = proj(p.lon, p.lat)
        r = 7 + min(p.mentions, 10) * 0.4
        parts.append(f'<circle cx="{x}" cy="{y}" r="{r:.1f}" fill="{MARKER}" stroke="#fff" stroke-width="1.2"/>')
        parts.append(f'<text x="{x}" y="{y + 3.5}" font-size="10" font-family="sans-serif" text-anchor="middle"'
                     f' fill="#fff">{p.number}</text>')
    parts.append(f'<text x="{WIDTH - 6}" y="{HEIGHT - 6}" font-size="9" font-family="sans-serif" text-anchor="end"'
                 f' fill="#555">Basemap: Natural Earth (public domain)</text>')
    parts.append("</svg>")
    return "".join(parts)


def png(points: list[MapPoint], scale: int = 2) -> bytes:
    """The same map as a PNG (DOCX cannot embed SVG). Deterministic bytes for the same points."""
    points = visible(points)
    proj = Projection(points)
    img = Image.new("RGB", (WIDTH * scale, HEIGHT * scale), SEA)
    draw = ImageDraw.Draw(img)
    for name, rings in basemap():
        fill = UKRAINE if name == "Ukraine" else LAND
        for ring in rings:
            xy = [(x * scale, y * scale) for x, y in (proj(lon, lat) for lon, lat in ring)]
            draw.polygon(xy, fill=fill, outline=BORDER)
    for p in points:
        x, y = proj(p.lon, p.lat)
        r = (7 + min(p.mentions, 10) * 0.4) * scale
        draw.ellipse((x * scale - r, y * scale - r, x * scale + r, y * scale + r), fill=MARKER, outline="#ffffff",
                     width=scale)
        draw.text((x * scale, y * scale), str(p.number), fill="#ffffff", anchor="mm", font_size=10 * scale)
    draw.text((WIDTH * scale - 6, HEIGHT * scale - 6), "Basemap: Natural Earth (public domain)", fill="#555555",
              anchor="rd", font_size=9 * scale)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
