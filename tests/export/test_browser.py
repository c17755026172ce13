"""Exports in headless Chromium: WebVTT loads in a <track>; the HTML report renders (screenshot)."""

from __future__ import annotations

from pathlib import Path

import pytest

from exportfix import REAL_CALLS, call_id, export_case  # noqa: F401
from listeningpost.export.run import ExportOptions, export

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


PAGE = """<!DOCTYPE html><html><body>
<video id="v" width="320" height="180"><track id="t" kind="subtitles" srclang="ru" label="ru+en" src="subs.vtt" default></video>
</body></html>"""


@pytest.mark.parametrize("lang", ["both", "orig"])
def test_vtt_loads_in_chromium_track(export_case, browser, tmp_path, lang):
    out = tmp_path / "subs.vtt"
    export(export_case, ExportOptions(format="vtt", output=out, call_ids=[call_id(export_case, REAL_CALLS[1])],
                                      lang=lang, redact=False, user="test"))
    page = browser.new_page()
    files = {"/index.html": (PAGE, "text/html"), "/subs.vtt": (out.read_text(encoding="utf-8"), "text/vtt")}
    page.route("http://export.test/**", lambda route: route.fulfill(
        status=200, body=files[route.request.url.removeprefix("http://export.test")][0],
        content_type=files[route.request.url.removeprefix("http://export.test")][1]))
    page.goto("http://export.test/index.html")
    page.wait_for_function("document.getElementById('t').readyState >= 2", timeout=15000)
    state = page.evaluate("""() => { const t = document.getElementById('t');
        const cues = Array.from(t.track.cues);
        return {ready: t.readyState, n: cues.length, first: cues[0].text, start: cues[0].startTime,
                end: cues[cues.length - 1].endTime}; }""")
    page.close()
    assert state["ready"] == 2  # LOADED (3 would be ERROR)
    blocks = out.read_text(encoding="utf-8").strip().split("\n\n")[1:]
    assert state["n"] == len(blocks) > 10
    assert state["first"] == "\n".join(blocks[0].splitlines()[1:])
    assert state["start"] == 0.0 and state["end"] > 60


def test_case_report_screenshot(export_case, browser, tmp_path):
    out = tmp_path / "report.html"
    export(export_case, ExportOptions(format="html", output=out, call_ids=[r[0] for r in export_case.query(
        "SELECT id FROM calls ORDER BY id")], redact=True, user="test"))
    page = browser.new_page(viewport={"width": 1200, "height": 1500})
    page.goto(out.as_uri())
    headings = page.locator("h2").all_inner_texts()
    svg_box = page.locator(".map svg").bounding_box()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "export_case_report_test.png"), full_page=False)
    page.close()
    assert headings[:3] == ["Claims: totals by type", "Claims across calls", "Places"]
    assert svg_box and svg_box["width"] > 300 and svg_box["height"] > 200
