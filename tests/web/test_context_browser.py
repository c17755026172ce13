"""Issue 16 in headless Chromium: the call page shows a "Reference figures" line under each loss
claim and the dashboard shows the reference series beside the claims (served demo case of
tests/web/webdemo.py: real transcripts with the analysts' gold claims, dated by their upload dates)."""

from __future__ import annotations

import json

import pytest

from conftest import DATA
from test_web_browser import _login, _shot, server  # noqa: F401  (server is a fixture)
from webdemo import demo  # noqa: F401  (demo is a fixture)
from listeningpost.store.case import Case

pytestmark = pytest.mark.browser
PERSONNEL = DATA / "reference/equipment_losses/petroivaniuk/russia_losses_personnel.json"
EQUIPMENT = DATA / "reference/equipment_losses/petroivaniuk/russia_losses_equipment.json"


def test_call_page_and_dashboard_show_the_reference(server, browser, demo):
    base, _ = server
    case = Case.open(demo[0])
    call = case.one("SELECT c.id, s.published_date FROM calls c JOIN sources s ON s.id=c.source_id"
                    " WHERE c.external_id='ra-radio_and_calls-mp3-012'")
    case.close()
    day = call["published_date"][:10]
    assert day == "2022-07-08", "the sample's upload date (its provenance published date)"
    tanks = {r["date"]: r["tank"] for r in json.loads(EQUIPMENT.read_text(encoding="utf-8"))}
    people = {r["date"]: r["personnel"] for r in json.loads(PERSONNEL.read_text(encoding="utf-8"))}

    page = _login(browser, base, "ana", f"/calls/{call['id']}")
    lines = page.locator(".claim .refline").all_inner_texts()
    assert len(lines) == 4, lines  # killed, wounded x2, equipment_lost (tanks)
    assert all(t.startswith("Reference figures:") for t in lines)
    assert any(f"tank on {day}: daily {tanks[day] - tanks['2022-07-07']:,}, cumulative {tanks[day]:,}" in t for t in lines), lines
    assert any(f"personnel losses on {day}: daily {people[day] - people['2022-07-07']:,}, cumulative {people[day]:,}"
               in t and "General Staff" in t for t in lines), lines
    assert all("Area:" in t for t in lines)
    ctx = page.evaluate(f"async () => (await (await fetch('/api/calls/{call['id']}')).json()).context")
    assert [c["type"] for c in ctx] == ["killed", "wounded", "wounded", "equipment_lost"]
    _shot(page, "call-context")

    page.goto(f"{base}/dashboard")
    rows = page.locator(".refseries .refrow[data-category=personnel]")
    assert rows.count() >= 3
    july = page.locator(".refseries .refrow[data-category=personnel][data-month='2022-07'] .seg.ref")
    assert july.inner_text() == f"{people['2022-07-31'] - people['2022-06-30']:,}"
    assert page.locator(".refseries .refrow[data-category=tank] .seg.ref").count() == 1
    assert "General Staff" in page.locator(".refseries .attribution").first.inner_text()
    page.locator(".refseries").scroll_into_view_if_needed()
    _shot(page, "dashboard-reference")
    page.context.close()
