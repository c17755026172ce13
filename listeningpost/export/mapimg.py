"""The report's map of places: the Natural Earth country outlines of ``listeningpost.maps`` (public
domain) with numbered markers, drawn as SVG for HTML/PDF and as PNG (Pillow) for DOCX.

Equirectangular projection (``maps.Projection``) scaled by cos(latitude) around the view's centre.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw

from listeningpost import maps

WIDTH, HEIGHT = 720, 460
#: the default view (Ukraine), widened to take in every marker but kept inside LIMITS (within the basemap's extent)
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


def outlines() -> list[tuple[str, list[maps.Ring]]]:
    """(country name, the outer ring of each of its polygons) of the basemap."""
    return [(name, [poly[0] for poly in polygons]) for name, polygons in maps.basemap().countries]


class Projection:
    """The view (``VIEW`` widened to every marker, inside ``LIMITS``) centred in the canvas; canvas
    coordinates rounded to 0.1."""

    def __init__(self, points: list[MapPoint]):
        lo0, la0, lo1, la1 = VIEW
        for p in points:
            lo0, lo1 = min(lo0, p.lon - 0.8), max(lo1, p.lon + 0.8)
            la0, la1 = min(la0, p.lat - 0.6), max(la1, p.lat + 0.6)
        lo0, la0 = max(lo0, LIMITS[0]), max(la0, LIMITS[1])
        lo1, la1 = min(lo1, LIMITS[2]), min(la1, LIMITS[3])
        self.projection = maps.Projection.fitted((lo0, la0, lo1, la1), WIDTH, HEIGHT)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self.projection(lon, lat)
        return round(x, 1), round(y, 1)

    def ring(self, ring: maps.Ring) -> list[tuple[float, float]]:
        """A ring in canvas coordinates, a vertex that rounds onto the one before it left out; empty
        when the ring lies wholly off the canvas (nothing of it would show)."""
        out: list[tuple[float, float]] = []
        for lon, lat in ring:
            xy = self(lon, lat)
            if not out or xy != out[-1]:
                out.append(xy)
        xs, ys = [x for x, _ in out], [y for _, y in out]
        if not out or max(xs) < 0 or min(xs) > WIDTH or max(ys) < 0 or min(ys) > HEIGHT:
            return []
        return out


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
    for name, rings in outlines():
        fill = UKRAINE if name == "Ukraine" else LAND
        for ring in filter(None, map(proj.ring, rings)):
            d = " ".join(f"{x},{y}" for x, y in ring)
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
    for name, rings in outlines():
        fill = UKRAINE if name == "Ukraine" else LAND
        for ring in filter(None, map(proj.ring, rings)):
            xy = [(x * scale, y * scale) for x, y in ring]
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
