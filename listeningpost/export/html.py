"""HTML report (Jinja2, autoescaped): one self-contained file with inline CSS and an inline SVG map,
no scripts and no comments, so nothing hidden travels with it."""

from __future__ import annotations

import re

from jinja2 import Environment, PackageLoader, select_autoescape

from listeningpost.export import mapimg
from listeningpost.export.report import CaseReport

_env = Environment(
    loader=PackageLoader("listeningpost.export", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_HIDDEN = re.compile(r"<!--.*?-->|<script\b.*?</script>", re.S | re.I)


def render(report: CaseReport) -> str:
    html = _env.get_template("report.html").render(r=report, map_svg=mapimg.svg(report.places))
    # the template has neither; data could (an SVG label, a note pasted by an analyst is escaped anyway)
    return _HIDDEN.sub("", html)
