"""HTML report (Jinja2, autoescaped): one self-contained file with inline CSS and an inline SVG map,
no scripts and no comments, so nothing hidden travels with it."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from listeningpost.export import mapimg
from listeningpost.export.report import CaseReport

_env = Environment(
    loader=PackageLoader("listeningpost.export", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(report: CaseReport) -> str:
    # everything from the case is autoescaped; the map SVG holds only coordinates and marker numbers
    return _env.get_template("report.html").render(r=report, map_svg=mapimg.svg(report.places))
