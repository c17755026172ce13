"""End to end in headless Chromium (Debian's, driven by Playwright) against a served demo case:
log in, search, open a call, play and seek from a word and a claim, correct a word and see the
history, reject an entity, viewer cannot edit, anonymous redirected, CSRF-less POST refused, hostile
transcript rendered as text. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from listeningpost.store.case import Case
from webdemo import HOSTILE, PASSWORDS, demo  # noqa: F401  (demo is a fixture)

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo):
    import uvicorn

    from listeningpost.web.app import create_app

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(Case.open(demo[0]), run_jobs=False), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", demo[1]
    srv.should_exit = True
    thread.join(10)


def _login(browser, base: str, user: str, path: str = "/calls"):
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(base + path)
    assert "/login" in page.url  # anonymous is redirected
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORDS[user])
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_analyst_workflow(server, browser):
    base, info = server
    page = _login(browser, base, "ana")
    assert page.url.endswith("/calls")
    _shot(page, "calls")
    # search (the search index or the substring fallback) and open the hit
    page.fill("input[name=q]", "Лимане")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    links = page.locator("a.calllink")
    assert links.count() >= 1
    _shot(page, "search")
    page.click(f"a.calllink[href='/calls/{info['gold_call']}']")
    page.wait_for_load_state()
    assert page.locator(".turn").count() >= 2 and page.locator(".entity").count() >= 1
    _shot(page, "call-transcript")

    # reject an entity (plain HTML form with the CSRF field)
    first = page.locator(".entity").first
    ent_id = first.get_attribute("id")
    first.locator("button.no").click()
    page.wait_for_load_state()
    assert "s-rejected" in page.locator(f"#{ent_id} .status").get_attribute("class")

    # the media call: play, seek from a word and from a claim's quote
    page.goto(f"{base}/calls/{info['clip']}")
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    page.evaluate("document.getElementById('player').play()")
    words = page.locator(".w[data-start]")
    assert words.count() == 6 and page.locator(".w.low").count() == 1
    target = words.nth(3)
    start = float(target.get_attribute("data-start"))
    target.click()
    page.wait_for_function(f"Math.abs(document.getElementById('player').currentTime - {start}) < 0.6")
    page.wait_for_function("document.querySelector('.w.cur') !== null")
    claim = page.locator("button.seek.quote").first
    claim_start = float(claim.get_attribute("data-seek"))
    claim.click()
    page.wait_for_function(f"Math.abs(document.getElementById('player').currentTime - {claim_start}) < 0.6")
    page.evaluate("document.getElementById('player').pause()")
    _shot(page, "call-media")

    # correct a word (double-click opens the prompt), then see it in the history
    page.once("dialog", lambda d: d.accept("Ильф"))
    words.nth(1).dblclick()
    page.wait_for_function("document.querySelectorAll('.w')[1].textContent.trim() === 'Ильф'")
    assert "Ильф" in page.locator(".history .summary").first.inner_text()
    page.click("text=Full history")
    page.wait_for_load_state()
    assert "ильф → Ильф" in page.locator("tr .summary").first.inner_text()
    _shot(page, "history")

    # a POST without the CSRF token is refused, even from a logged-in page
    status = page.evaluate(f"""async () => (await fetch('/api/calls/{info['clip']}/turns/1',
        {{method: 'POST', headers: {{'Content-Type': 'application/json'}}, body: '{{"text": "x"}}'}})).status""")
    assert status == 403

    page.goto(f"{base}/dashboard")
    assert page.locator("svg.map circle.place").count() >= 3 and page.locator(".seg").count() >= 3
    _shot(page, "dashboard")
    page.context.close()


def test_viewer_cannot_edit_and_hostile_text_is_inert(server, browser):
    base, info = server
    page = _login(browser, base, "vic", f"/calls/{info['hostile']}")
    assert page.url.endswith(f"/calls/{info['hostile']}")  # back where the login started
    assert page.locator(".tools").count() == 0 and page.locator("button.no").count() == 0
    # the hostile transcript shows as text and none of its script ran
    assert HOSTILE in page.locator(".turn .text").first.inner_text()
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator(".turn img, .turn b, .side script").count() == 0
    _shot(page, "hostile")
    # a viewer's POST with a valid token is refused by role
    status = page.evaluate(f"""async () => (await fetch('/api/calls/{info['gold_call']}/turns/1', {{method: 'POST',
        headers: {{'Content-Type': 'application/json',
                  'X-CSRF-Token': document.querySelector('meta[name=csrf-token]').content}},
        body: '{{"text": "x"}}'}})).status""")
    assert status == 403
    page.context.close()


def test_admin_changes_a_setting(server, browser):
    base, _ = server
    page = _login(browser, base, "admin")
    page.click("header nav a[href='/settings']")
    page.wait_for_load_state()
    assert page.url.endswith("/settings") and page.locator(".setting").count() == 3
    page.fill("input[name='case.id']", "DEMO-CASE")
    page.fill("textarea[name='export.public_figures']", "Морозов\nMorozov")
    page.click("text=Save settings")
    page.wait_for_load_state()
    assert page.url.endswith("/settings")
    assert page.locator("input[name='case.id']").input_value() == "DEMO-CASE"
    rows = page.locator(".settings-history tr:has(td)").all_inner_texts()
    # the form posts every field; only the two changed ones are in the history (key shown bare)
    assert len(rows) == 2 and "Morozov" in rows[0] and "case.id" in rows[1] and "DEMO-CASE" in rows[1], rows
    _shot(page, "settings")
    page.context.close()
