"""Web workbench through FastAPI's TestClient: auth, roles, CSRF, route protection, corrections with
history and undo, escaping of hostile transcripts, dashboards, CLI."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from listeningpost.store.case import Case
from listeningpost.web.app import create_app
from webdemo import HOSTILE, PASSWORDS, csrf_of, demo, login  # noqa: F401  (demo is a fixture)


@pytest.fixture(scope="module")
def app(demo):
    return create_app(Case.open(demo[0]), run_jobs=False)


@pytest.fixture
def anon(app):
    return TestClient(app)


def client_for(app, user: str, password: str | None = None) -> TestClient:
    c = TestClient(app)
    assert login(c, user, password).status_code == 303
    return c


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "claims" if m.group(0) == "{table}" else "1", path)


def _routes(app):
    for route in app.routes:
        for method in sorted(getattr(route, "methods", None) or ()):
            if method != "HEAD":
                yield method, route.path


def test_every_api_route_requires_auth(app, anon):
    api = [(m, p) for m, p in _routes(app) if p.startswith("/api/")]
    assert len(api) >= 20
    for method, path in api:
        r = anon.request(method, _concrete(path))
        assert r.status_code == 401, (method, path, r.status_code)


def test_every_page_redirects_anonymous_to_login(app, anon):
    pages = [(m, p) for m, p in _routes(app)
             if m == "GET" and not p.startswith(("/api/", "/static", "/login"))]
    assert {"/calls", "/calls/{call_id}", "/dashboard", "/admin/users"} <= {p for _, p in pages}
    for _, path in pages:
        r = anon.get(_concrete(path), follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path


def test_every_post_needs_csrf(app):
    c = client_for(app, "admin")
    posts = [p for m, p in _routes(app) if m == "POST" and p != "/login"]
    assert len(posts) >= 12
    for path in posts:
        r = c.post(_concrete(path), json={"text": "x", "status": "rejected"})
        assert r.status_code == 403 and "CSRF" in r.json()["detail"], (path, r.status_code)
        r = c.post(_concrete(path), data={"csrf_token": "wrong", "text": "x"}, follow_redirects=False)
        assert r.status_code == 403, path


def test_login_needs_its_csrf_token_and_right_password(app, anon):
    r = anon.post("/login", data={"username": "ana", "password": PASSWORDS["ana"]}, follow_redirects=False)
    assert r.status_code == 403
    assert login(anon, "ana", "wrong-password").status_code == 401
    r = login(anon, "ana")
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert anon.get("/api/me").json()["role"] == "analyst"


def test_login_rate_limit(app, demo):
    from listeningpost.web.auth import add_user

    add_user(Case.open(demo[0]), "target", "target-pass-1", "viewer")
    c = TestClient(app)
    for _ in range(5):
        assert login(c, "target", "not-the-password").status_code == 401
    assert login(c, "target", "target-pass-1").status_code == 429  # even the right password, for a while
    assert c.get("/api/me").status_code == 401


def test_logout_revokes_the_session(app):
    c = client_for(app, "ana")
    token = csrf_of(c)
    assert c.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert c.get("/api/me").status_code == 401


def test_roles(app, demo):
    call = demo[1]["gold_call"]
    viewer, analyst = client_for(app, "vic"), client_for(app, "ana")
    turn = viewer.get(f"/api/calls/{call}").json()["turns"][0]
    r = viewer.post(f"/api/calls/{call}/turns/{turn['id']}", json={"text": "changed"},
                    headers={"X-CSRF-Token": csrf_of(viewer)})
    assert r.status_code == 403
    page = viewer.get(f"/calls/{call}").text
    assert "Save text" not in page and "/decision" not in page
    assert "Save text" in analyst.get(f"/calls/{call}").text
    assert analyst.get("/admin/users").status_code == 403 and analyst.get("/api/audit").status_code == 403
    r = analyst.post("/api/users", json={"username": "x", "password": "xxxxxxxxx", "role": "admin"},
                     headers={"X-CSRF-Token": csrf_of(analyst)})
    assert r.status_code == 403


def test_edit_turn_history_undo_and_rerun_keeps_edit(app, demo):
    from listeningpost.records import Turn
    from listeningpost.store.layers import replace_turns

    case = Case.open(demo[0])
    call = demo[1]["gold_call"]
    c = client_for(app, "ana")
    h = {"X-CSRF-Token": csrf_of(c)}
    turn = c.get(f"/api/calls/{call}").json()["turns"][1]
    r = c.post(f"/api/calls/{call}/turns/{turn['id']}", json={"text": turn["text"] + " [уточнено]"}, headers=h)
    assert r.status_code == 200
    doc = c.get(f"/api/calls/{call}").json()
    edited = next(t for t in doc["turns"] if t["id"] == turn["id"])
    assert edited["edited"] and edited["text"].endswith("[уточнено]")
    entry = c.get(f"/api/calls/{call}/history").json()["edits"][0]
    assert entry["author"] == "ana" and entry["action"] == "set" and "[уточнено]" in entry["summary"]
    # a re-run of a stage replaces machine turns but keeps the analyst's
    with case.transaction():
        replace_turns(case, call, [Turn(text="machine re-run")], None, "import")
    assert case.one("SELECT text FROM turns WHERE id=:id", {"id": turn["id"]})["text"].endswith("[уточнено]")
    # undo restores the text and marks the edit undone
    assert c.post(f"/api/edits/{entry['id']}/undo", headers=h).status_code == 200
    assert case.one("SELECT text FROM turns WHERE id=:id", {"id": turn["id"]})["text"] == turn["text"]
    assert case.one("SELECT undone_by FROM edits WHERE id=:id", {"id": entry["id"]})[0] is not None
    assert c.post(f"/api/edits/{entry['id']}/undo", headers=h).status_code == 409


def test_word_correction_updates_turn_text(app, demo):
    call = demo[1]["clip"]
    c = client_for(app, "ana")
    h = {"X-CSRF-Token": csrf_of(c)}
    turn = c.get(f"/api/calls/{call}").json()["turns"][0]
    word = turn["words"][1]
    assert c.post(f"/api/calls/{call}/words/{word['id']}", json={"text": "Ильф"}, headers=h).status_code == 200
    after = c.get(f"/api/calls/{call}").json()["turns"][0]
    assert after["words"][1]["text"].strip() == "Ильф" and after["words"][1]["start"] == word["start"]
    assert after["text"].split()[1] == "Ильф" and after["edited"]
    # a word of another call is refused
    other = demo[1]["gold_call"]
    assert c.post(f"/api/calls/{other}/words/{word['id']}", json={"text": "x"}, headers=h).status_code == 409


def test_decisions_split_merge_and_speaker(app, demo):
    case = Case.open(demo[0])
    call = demo[1]["gold_call"]
    c = client_for(app, "ana")
    h = {"X-CSRF-Token": csrf_of(c)}
    doc = c.get(f"/api/calls/{call}").json()
    ent, claim = doc["entities"][0], doc["claims"][0]
    assert c.post(f"/api/calls/{call}/entities/{ent['id']}/decision", json={"status": "rejected"}, headers=h).status_code == 200
    r = c.post(f"/api/calls/{call}/claims/{claim['id']}/decision",
               json={"status": "corrected", "changes": {"count": 3}}, headers=h)
    assert r.status_code == 200
    doc = c.get(f"/api/calls/{call}").json()
    assert next(e for e in doc["entities"] if e["id"] == ent["id"])["status"] == "rejected"
    fixed = next(x for x in doc["claims"] if x["id"] == claim["id"])
    assert fixed["status"] == "corrected" and fixed["count"] == 3
    bad = c.post(f"/api/calls/{call}/entities/{ent['id']}/decision", json={"status": "deleted"}, headers=h)
    assert bad.status_code == 409
    # split the first turn in two, then undo it
    n = len(doc["turns"])
    first = doc["turns"][0]
    at = first["text"].index(" ", 5)
    assert c.post(f"/api/calls/{call}/turns/{first['id']}/split", json={"at": at}, headers=h).status_code == 200
    split = c.get(f"/api/calls/{call}").json()["turns"]
    assert len(split) == n + 1 and split[0]["text"] == first["text"][:at].strip()
    assert split[1]["text"] == first["text"][at:].strip() and split[1]["speaker"] == first["speaker"]
    last = c.get(f"/api/calls/{call}/history").json()["edits"][0]
    assert c.post(f"/api/edits/{last['id']}/undo", headers=h).status_code == 200
    assert [t["text"] for t in c.get(f"/api/calls/{call}").json()["turns"]] == [t["text"] for t in doc["turns"]]
    # merge turns 0 and 1 (human translations are merged too), then undo
    t0, t1 = doc["turns"][0], doc["turns"][1]
    assert c.post(f"/api/calls/{call}/turns/{t0['id']}/merge", headers=h).status_code == 200
    merged = c.get(f"/api/calls/{call}").json()["turns"]
    assert len(merged) == n - 1 and merged[0]["text"] == f"{t0['text']} {t1['text']}"
    assert merged[0]["translations"][0]["text"].endswith(t1["translations"][0]["text"])
    last = c.get(f"/api/calls/{call}/history").json()["edits"][0]
    assert c.post(f"/api/edits/{last['id']}/undo", headers=h).status_code == 200
    restored = c.get(f"/api/calls/{call}").json()["turns"]
    assert [(t["id"], t["text"]) for t in restored] == [(t["id"], t["text"]) for t in doc["turns"]]
    assert restored[1]["translations"] == t1["translations"]
    # speakers: rename and reassign
    label = sorted(doc["speakers"])[0]
    assert c.post(f"/api/calls/{call}/speakers/{label}", json={"name": "Командир"}, headers=h).status_code == 200
    assert c.get(f"/api/calls/{call}").json()["speakers"][label] == "Командир"
    assert c.post(f"/api/calls/{call}/turns/{t1['id']}/speaker", json={"label": "C"}, headers=h).status_code == 200
    assert case.one("SELECT speaker, edited FROM turns WHERE id=:id", {"id": t1["id"]})[:] == ("C", 1)


def test_hostile_transcript_is_escaped(app, demo):
    c = client_for(app, "ana")
    call = demo[1]["hostile"]
    for url in (f"/calls/{call}", "/calls", "/calls?q=SYNTHETIC", "/dashboard"):
        html = c.get(url).text
        assert "<script>window.__pwned" not in html and "<img src=x" not in html and "<b>bold</b>" not in html, url
    page = c.get(f"/calls/{call}").text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert 'href="javascript:' not in page and 'href="javascript:' not in c.get("/calls").text
    assert c.get(f"/api/calls/{call}").json()["turns"][0]["text"] == "SYNTHETIC " + HOSTILE


def test_calls_list_search_facets_and_failures(app, demo):
    c = client_for(app, "vic")
    data = c.get("/api/calls").json()
    assert data["total"] == Case.open(demo[0]).one("SELECT COUNT(*) FROM calls")[0]
    assert {f["value"] for f in data["facets"]["kind"]} >= {"audio", "transcript"}
    assert data["failed"]["jobs"][0]["error"] == "decoder error: <synthetic>"
    hit = c.get("/api/calls", params={"q": "Лимане"}).json()
    assert demo[1]["gold_call"] in [x["id"] for x in hit["calls"]]
    assert hit["total"] < data["total"]
    page2 = c.get("/api/calls", params={"sort": "date", "desc": "1"}).json()["calls"]
    dates = [x["published_date"] for x in page2 if x["published_date"]]
    assert dates == sorted(dates, reverse=True)
    audio = c.get("/api/calls", params={"kind": "audio"}).json()
    assert audio["total"] == 1 and audio["calls"][0]["has_media"]
    assert "speech" in audio["calls"][0]["stages"]


def test_dashboard_counts_and_links(app, demo):
    c = client_for(app, "vic")
    d = c.get("/api/dashboard").json()
    types = set(d["claims_over_time"]["keys"])
    assert {"killed", "civilian_harm"} <= types
    months = d["claims_over_time"]["months"]
    total = sum(m["total"] for m in months)
    assert total == Case.open(demo[0]).one("SELECT COUNT(*) FROM claims WHERE status<>'rejected'")[0]
    lyman = next(p for p in d["places"] if p["name"] == "Lyman")
    assert 48 < lyman["lat"] < 50 and 37 < lyman["lon"] < 39
    # the chart link for a month and type lists exactly the calls behind it
    m = next(m for m in months if m["counts"].get("civilian_harm"))
    listed = c.get("/api/calls", params={"claim_type": "civilian_harm", "month": m["month"]}).json()
    assert 0 < listed["total"] <= m["counts"]["civilian_harm"]
    html = c.get("/dashboard").text
    assert "/calls?entity=PLACE:Lyman" in html and "<circle" in html and "Natural Earth" in html
    assert f"/calls?claim_type=civilian_harm&amp;month={m['month']}" in html


def test_media_served_with_ranges(app, demo):
    c = client_for(app, "vic")
    r = c.get(f"/api/calls/{demo[1]['clip']}/media", headers={"Range": "bytes=0-99"})
    assert r.status_code == 206 and len(r.content) == 100
    assert c.get(f"/api/calls/{demo[1]['gold_call']}/media").status_code == 404


def test_audit_log_records_views_and_edits(app, demo):
    c = client_for(app, "vic")
    c.get(f"/calls/{demo[1]['gold_call']}")
    admin = client_for(app, "admin")
    entries = admin.get("/api/audit", params={"who": "vic"}).json()["entries"]
    assert any(e["action"] == "view" and e["target"] == f"call:{demo[1]['gold_call']}" for e in entries)
    assert admin.get("/admin/audit").status_code == 200


def test_admin_manages_users(app):
    admin = client_for(app, "admin")
    h = {"X-CSRF-Token": csrf_of(admin)}
    assert admin.post("/api/users", json={"username": "newbie", "password": "short", "role": "viewer"}, headers=h).status_code == 422
    assert admin.post("/api/users", json={"username": "newbie", "password": "long-enough-1", "role": "viewer"}, headers=h).status_code == 200
    assert client_for(app, "newbie", "long-enough-1").get("/api/me").json()["role"] == "viewer"
    assert admin.post("/api/users/newbie/remove", headers=h).status_code == 200
    assert login(TestClient(app), "newbie", "long-enough-1").status_code == 401


def test_cli_users_audit_and_serve_guard(tmp_path):
    from listeningpost.cli import app as cli

    run = CliRunner().invoke
    case = str(tmp_path / "c")
    Case.open(case)
    r = run(cli, ["serve", "--case", case, "--host", "0.0.0.0"])
    assert r.exit_code == 2 and "admin" in r.output
    assert run(cli, ["users", "add", "root", "--role", "admin", "--password", "p4ssword!", "--case", case]).exit_code == 0
    assert run(cli, ["users", "add", "root", "--password", "p4ssword!", "--case", case]).exit_code == 2
    assert run(cli, ["users", "passwd", "root", "--password", "n3w-password", "--case", case]).exit_code == 0
    listed = run(cli, ["users", "list", "--case", case, "--json"])
    assert '"role": "admin"' in listed.output
    assert run(cli, ["users", "remove", "root", "--case", case]).exit_code == 0
    out = run(cli, ["audit", "--case", case, "--json"]).output
    assert '"user.add"' in out and '"user.passwd"' in out and '"user.remove"' in out


def test_settings_admin_only_validated_audited_and_read_by_export(app, demo):
    from listeningpost.export.redact import case_public_figures
    from listeningpost.export.report import case_label

    admin, analyst, viewer = client_for(app, "admin"), client_for(app, "ana"), client_for(app, "vic")
    for other in (analyst, viewer):
        assert other.get("/settings").status_code == 403 and other.get("/api/settings").status_code == 403
        r = other.post("/api/settings", json={"export.redact": True}, headers={"X-CSRF-Token": csrf_of(other)})
        assert r.status_code == 403
    assert admin.post("/api/settings", json={"export.redact": True}).status_code == 403  # no CSRF token
    page = admin.get("/settings").text
    assert 'href="/settings"' in page and "export.public_figures" in page and "speech" in page
    data = admin.get("/api/settings").json()
    assert {s["key"] for s in data["settings"]} == {"case.id", "export.redact", "export.public_figures"}
    assert {s["stage"] for s in data["stages"]} >= {"speech", "analyze"}
    h = {"X-CSRF-Token": csrf_of(admin)}
    for bad in ({"no.such": 1}, {"export.redact": "maybe"}, {"case.id": "x" * 500}):
        assert admin.post("/api/settings", json=bad, headers=h).status_code == 422, bad
    case = Case.open(demo[0])
    assert case.setting("export.redact") is None and case_label(case) == demo[0].name  # nothing half-applied

    r = admin.post("/api/settings", json={"case.id": " UA-2022 / 17 ", "export.redact": True,
                                          "export.public_figures": ["Морозов", " Morozov ", "Морозов", ""]}, headers=h)
    assert r.status_code == 200 and len(r.json()["changed"]) == 3
    assert case_label(case) == "UA-2022 / 17" and case.setting("export.redact") is True
    assert case_public_figures(case) == ["Морозов", "Morozov"]
    # the HTML form posts every field; unchanged ones are not logged again, an empty one clears
    r = admin.post("/api/settings", data={"csrf_token": h["X-CSRF-Token"], "case.id": "", "export.redact": "true",
                                          "export.public_figures": "Морозов\r\nMorozov"}, follow_redirects=False)
    assert r.status_code == 303
    assert case_label(case) == demo[0].name and case.one("SELECT 1 FROM settings WHERE key='case.id'") is None
    log = admin.get("/api/audit", params={"action": "settings.change"}).json()["entries"]
    assert [(e["user"], e["target"]) for e in log] == [  # newest first
        ("admin", f"setting:{k}") for k in ("case.id", "export.public_figures", "export.redact", "case.id")]
    assert log[0]["detail"] == {"before": "UA-2022 / 17", "after": None}
    history = admin.get("/api/settings").json()["history"]
    assert [e["id"] for e in history] == [e["id"] for e in log]
    assert "UA-2022 / 17" in admin.get("/settings").text
    admin.post("/api/settings", json={"export.redact": False, "export.public_figures": []}, headers=h)
    assert case.setting("export.redact") is False and case_public_figures(case) == []


def test_call_page_shows_the_gloss_under_machine_english_only(app, demo):
    from markupsafe import escape

    from listeningpost.store.case import now
    from listeningpost.translate.gloss import gloss_line

    case = Case.open(demo[0])
    turn = case.one("SELECT t.id, t.text FROM turns t JOIN calls c ON c.id=t.call_id"
                    " WHERE c.external_id='ra-radio_and_calls-mp3-008' AND t.text LIKE '%200-ых%'")
    with case.transaction():
        case.db.execute("INSERT INTO translations(turn_id, lang, engine, model, text, created_at) VALUES (:turn_id,:lang,:engine,:model,:text,:created_at)",
                        {"turn_id": turn["id"], "lang": "en", "engine": "gloss-test", "model": "m1", "text": "Send your men to the Tiger area.", "created_at": now()})
    call = case.one("SELECT call_id FROM turns WHERE id=:id", {"id": turn["id"]})[0]
    page = client_for(app, "vic").get(f"/calls/{call}").text
    glosses = re.findall(r'<div class="gloss muted"[^>]*>gloss: ([^<]*)</div>', page)
    assert len(glosses) == 1  # the human lines carry none
    assert "200-ых → KIA" in glosses[0] and glosses[0] == str(escape(gloss_line(turn["text"])))
