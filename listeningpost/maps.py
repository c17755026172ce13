"""The one basemap and the one projection behind every map: the workbench's inline SVG maps
(``web.mapsvg``) and the report's SVG/PNG map (``export.mapimg``).

The basemap is Natural Earth 1:50m country outlines around Ukraine (public domain; Crimea within
Ukraine's recognised borders), shipped in ``data/basemap.geojson`` and rebuilt by
``scripts/build_web_basemap.py``; vertices are clamped to its extent. The projection is
equirectangular with x scaled by cos(reference latitude): at this scale it is indistinguishable
from a conformal one and needs no projection library.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

Ring = tuple[tuple[float, float], ...]  # (lon, lat) vertices


@dataclass(frozen=True)
class Basemap:
    extent: tuple[float, float, float, float]  # lon0, lat0, lon1, lat1
    #: (country name, its polygons; each polygon its rings, the outer one first)
    countries: tuple[tuple[str, tuple[tuple[Ring, ...], ...]], ...]

    def contains(self, lon: float, lat: float) -> bool:
        x0, y0, x1, y1 = self.extent
        return x0 <= lon <= x1 and y0 <= lat <= y1


@lru_cache(maxsize=1)
def basemap() -> Basemap:
    data = json.loads((resources.files("listeningpost") / "data" / "basemap.geojson").read_text("utf-8"))
    countries = tuple(
        (feat["properties"].get("name") or "",
         tuple(tuple(tuple((x, y) for x, y in ring) for ring in poly) for poly in feat["geometry"]["coordinates"]))
        for feat in data["features"]
    )
    return Basemap(tuple(data["bbox"]), countries)


@dataclass(frozen=True)
class Projection:
    """Equirectangular, x scaled by cos(``lat_ref``): a degree of latitude is ``scale`` units, the
    corner (``lon0``, ``lat1``) lands on (``x0``, ``y0``) and y grows southwards."""

    lat_ref: float
    scale: float
    lon0: float
    lat1: float
    x0: float = 0.0
    y0: float = 0.0
    k: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "k", math.cos(math.radians(self.lat_ref)))

    @classmethod
    def fitted(cls, box: tuple[float, float, float, float], width: float, height: float) -> Projection:
        """``box`` (lon0, lat0, lon1, lat1) as large as a ``width`` x ``height`` canvas allows and
        centred in it, x scaled at the box's middle latitude."""
        lon0, lat0, lon1, lat1 = box
        lat_ref = (lat0 + lat1) / 2
        k = math.cos(math.radians(lat_ref))
        scale = min(width / ((lon1 - lon0) * k), height / (lat1 - lat0))
        return cls(lat_ref, scale, lon0, lat1, (width - (lon1 - lon0) * k * scale) / 2, (height - (lat1 - lat0) * scale) / 2)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return self.x0 + (lon - self.lon0) * self.scale * self.k, self.y0 + (self.lat1 - lat) * self.scale
