"""Context beside a claim, on a real imported transcript (claim rows inserted by the test)."""

import json
from datetime import date
import shutil

from sqlalchemy import insert
from typer.testing import CliRunner

from conftest import DATA, TRANSCRIPTS, need_shared
from listeningpost.cli import app
from listeningpost.context.claims import call_date
from listeningpost.ingest.ingest import ingest_paths
from listeningpost.store.case import Case
from listeningpost.store.tables import claims

PERSONNEL = DATA / "reference/equipment_losses/petroivaniuk/russia_losses_personnel.json"


def test_context_json_matches_the_reference_row(tmp_path):
    case, cid = _case_with_call(tmp_path)
    day = call_date(case, cid)
    assert day is not None, "the import should carry the upload date"
    with case.transaction() as db:
        db.execute(insert(claims).values(call_id=cid, type="killed", count=200, quote="TEST"))
        db.execute(insert(claims).values(call_id=cid, type="morale", count=None, quote="TEST"))
    case.close()
    res = CliRunner().invoke(app, ["context", str(cid), "--case", str(tmp_path / "case"), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [c["type"] for c in data["claims"]] == ["killed"]
    rows = {r["date"]: r["personnel"] for r in json.loads(PERSONNEL.read_text(encoding="utf-8"))}
    ref = data["claims"][0]["reference"]
    assert ref["cumulative"] == rows[day.isoformat()]


EQUIPMENT = DATA / "reference/equipment_losses/petroivaniuk/russia_losses_equipment.json"
BESSUDNOV = DATA / "reference/casualties/bessudnov_ru_fatalities_anonymised.csv"


def _case_with_call(tmp_path):
    src = need_shared(TRANSCRIPTS / "radio_analyzer" / "radio_and_calls-mp3-003.json")
    shutil.copy(src, tmp_path / src.name)
    case = Case.open(tmp_path / "case")
    ingest_paths(case, [tmp_path / src.name])
    return case, case.one("SELECT id FROM calls")["id"]


def test_equipment_and_area_figures_match_the_source_files_by_hand(tmp_path):
    import csv

    case, cid = _case_with_call(tmp_path)
    day = call_date(case, cid)
    with case.transaction() as db:  # TEST-INSERTED claim rows on the real call
        db.execute(insert(claims).values(call_id=cid, type="equipment_lost", count=2, quote="TEST", equipment="tank"))
        db.execute(insert(claims).values(call_id=cid, type="killed", count=3, quote="TEST", place="Chechnya"))
        db.execute(insert(claims).values(call_id=cid, type="equipment_lost", count=1, quote="TEST", equipment="machine gun"))
    case.close()
    res = CliRunner().invoke(app, ["context", str(cid), "--case", str(tmp_path / "case"), "--json"])
    assert res.exit_code == 0, res.output
    tank, killed, gun = json.loads(res.stdout)["claims"]
    rows = {r["date"]: r for r in json.loads(EQUIPMENT.read_text(encoding="utf-8"))}
    prev = date.fromordinal(day.toordinal() - 1).isoformat()
    gs = tank["references"][0]
    assert (gs["category"], gs["date"], gs["cumulative"], gs["daily"]) == (
        "tank", day.isoformat(), rows[day.isoformat()]["tank"], rows[day.isoformat()]["tank"] - rows[prev]["tank"])
    # Oryx's daily tally of tanks starts in 2025: no Oryx figure beside a 2022 claim
    assert "General Staff" in gs["source"] and len(tank["references"]) == 1
    with open(BESSUDNOV, encoding="utf-8") as fh:
        chechens = [r["deathConfirmedDate"] for r in csv.DictReader(fh) if r["region"] == "Chechnya"]
    area = killed["area"]
    assert area["region"] == "Chechnya"
    assert area["cumulative"] == sum(1 for d in chechens if d <= day.isoformat())
    assert area["daily"] == chechens.count(day.isoformat())
    assert "Area: Chechnya" in killed["line"] and "no area figure" in tank["line"]
    # a machine gun is no General Staff category: the claim gets every category summed, and says why
    (every,) = gun["references"]
    counted = sum(v for k, v in rows[day.isoformat()].items() if isinstance(v, int) and k not in ("day", "mobile SRBM system"))
    assert every["category"] == "all equipment" and every["cumulative"] == counted
    assert "no General Staff category" in gun["line"]
    text = CliRunner().invoke(app, ["context", str(cid), "--case", str(tmp_path / "case")])
    assert f"tank on {day.isoformat()}: daily" in text.stdout


def test_outside_the_reference_range_there_is_no_figure(tmp_path):
    from listeningpost.context.claims import context_for_call

    case, cid = _case_with_call(tmp_path)
    from listeningpost.ingest.provenance import set_provenance

    # the analyst's provenance edit (with its history row), to a date before the reference series start
    sid = case.one("SELECT source_id FROM calls WHERE id=:id", {"id": cid})["source_id"]
    set_provenance(case, sid, {"published_date": "2021-06-01"}, "test")
    with case.transaction() as db:
        db.execute(insert(claims).values(call_id=cid, type="killed", count=1, quote="TEST"))
    data = context_for_call(case, cid)
    assert data["claims"][0]["reference"] is None
    assert "outside the personnel series" in data["claims"][0]["line"]
    assert "outside the fatality records" in data["claims"][0]["line"]
    case.close()


def test_report_carries_the_context_line(tmp_path):
    from listeningpost.export import docx, html
    from listeningpost.export.report import case_report
    from listeningpost.store.views import call_document

    case, cid = _case_with_call(tmp_path)
    day = call_date(case, cid).isoformat()
    with case.transaction() as db:  # TEST-INSERTED claims on the real call
        db.execute(insert(claims).values(call_id=cid, type="killed", count=2, quote="TEST"))
        db.execute(insert(claims).values(call_id=cid, type="morale", count=None, quote="TEST"))
    report = case_report(case, [call_document(case, cid)])
    killed, morale = report.claims
    people = {r["date"]: r["personnel"] for r in json.loads(PERSONNEL.read_text(encoding="utf-8"))}
    assert f"personnel losses on {day}:" in killed.context and f"cumulative {people[day]:,}" in killed.context
    assert morale.context == ""
    page = html.render(report)
    assert page.count("refline\">Reference figures:") == 2  # the case table and the call's own table
    assert any("Reference figures" in n for n in report.notes)
    assert docx.render(report)  # the Word report takes the same line
    case.close()


def test_without_the_data_folder_it_says_so(tmp_path):
    from listeningpost.context.claims import claim_context, load_references

    refs = load_references(None, shared=tmp_path / "nothing-here")
    got = claim_context({"id": 1, "type": "killed", "count": 1, "quote": "TEST"}, date(2022, 5, 1), ["Chechnya"], refs)
    assert got["reference"] is None and "not available" in got["line"] and "no area figure" in got["line"]
