"""`lpost reference import`: a newer series replaces the shipped one from its first date on (newest
import wins), the same file twice adds nothing, a bad file is refused with nothing loaded.

The imported files are TEST-MADE: the last shipped General Staff rows with figures for later days
appended or changed, clearly named by their --source; they stand for "a newer download"."""

import json
from datetime import date

from typer.testing import CliRunner

from conftest import DATA, need_shared
from listeningpost.cli import app
from listeningpost.context.claims import claim_context, load_references
from listeningpost.store.case import Case

PERSONNEL = DATA / "reference/equipment_losses/petroivaniuk/russia_losses_personnel.json"
EQUIPMENT = DATA / "reference/equipment_losses/petroivaniuk/russia_losses_equipment.json"


def _run(case_dir, *args):
    return CliRunner().invoke(app, ["reference", *args, "--case", str(case_dir)])


def _fig(case, day, ctype="killed", equipment=None):
    claim = {"id": 1, "type": ctype, "count": 1, "quote": "TEST", "equipment": equipment}
    return claim_context(claim, day, [], load_references(case))["reference"]


def _tables(case):
    return (case.one("SELECT COUNT(*) FROM reference_imports")[0], case.one("SELECT COUNT(*) FROM reference_series")[0])


def test_newer_csv_wins_and_importing_twice_adds_nothing(tmp_path):
    rows = json.loads(need_shared(PERSONNEL).read_text(encoding="utf-8"))
    last = rows[-1]  # 2026-08-08 in the shipped file
    last_day = date.fromisoformat(last["date"])
    case = Case.open(tmp_path / "case")
    assert _fig(case, date.fromordinal(last_day.toordinal() + 2)) is None  # after the shipped series: nothing
    d = [date.fromordinal(last_day.toordinal() + i).isoformat() for i in range(-1, 3)]
    newer = tmp_path / "personnel_newer.csv"
    newer.write_text("date,day,personnel,personnel*\n"
                     f"{d[0]},0,{rows[-2]['personnel']},about\n{d[1]},0,{last['personnel'] + 10},about\n"
                     f"{d[2]},0,{last['personnel'] + 1010},about\n{d[3]},0,{last['personnel'] + 2000},about\n",
                     encoding="utf-8")
    res = _run(tmp_path / "case", "import", str(newer), "--kind", "personnel", "--source", "TEST newer download")
    assert res.exit_code == 0, res.output
    assert "4 rows" in res.stdout
    fig = _fig(case, date.fromisoformat(d[1]))  # the import's corrected figure replaces the shipped one
    assert (fig["cumulative"], fig["daily"], fig["source"]) == (last["personnel"] + 10, last["personnel"] + 10 - rows[-2]["personnel"],
                                                                "TEST newer download")
    fig = _fig(case, date.fromisoformat(d[3]))
    assert (fig["cumulative"], fig["daily"], fig["date"]) == (last["personnel"] + 2000, 990, d[3])
    early = _fig(case, date(2023, 5, 1))  # before the import's first date: the shipped series
    assert "General Staff" in early["source"] and early["cumulative"] == {r["date"]: r["personnel"] for r in rows}["2023-05-01"]
    assert _tables(case) == (1, 4)

    again = _run(tmp_path / "case", "import", str(newer), "--kind", "personnel", "--source", "other name")
    assert again.exit_code == 0 and "nothing added" in again.stdout
    assert _tables(case) == (1, 4)

    # a second, newer import from d[2] on wins over the first for those dates
    newest = tmp_path / "personnel_newest.json"
    newest.write_text(json.dumps([{"date": d[2], "personnel": last["personnel"] + 1500},
                                  {"date": d[3], "personnel": last["personnel"] + 2500}]), encoding="utf-8")
    assert _run(tmp_path / "case", "import", str(newest), "--kind", "personnel", "--source", "TEST newest").exit_code == 0
    fig = _fig(case, date.fromisoformat(d[3]))
    assert (fig["cumulative"], fig["daily"], fig["source"]) == (last["personnel"] + 2500, 1000, "TEST newest")
    assert _fig(case, date.fromisoformat(d[2]))["daily"] == 1500 - 10  # counted from the first import's d[1]
    listed = json.loads(_run(tmp_path / "case", "list", "--json").stdout)
    assert [r["source"] for r in listed] == ["TEST newer download", "TEST newest"]
    case.close()


def test_equipment_import_reaches_equipment_claims(tmp_path):
    rows = json.loads(need_shared(EQUIPMENT).read_text(encoding="utf-8"))
    last = rows[-1]
    nxt = date.fromordinal(date.fromisoformat(last["date"]).toordinal() + 1).isoformat()
    f = tmp_path / "equipment.csv"
    f.write_text(f"date,tank,APC,field artillery\n{nxt},{last['tank'] + 3},{last['APC'] + 7},\n", encoding="utf-8")
    case = Case.open(tmp_path / "case")
    res = _run(tmp_path / "case", "import", str(f), "--kind", "equipment", "--json")
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert got["categories"] == ["APC", "tank"] and got["added"] == 2 and "equipment.csv" in got["source"]
    fig = _fig(case, date.fromisoformat(nxt), "equipment_lost", "tank")
    assert (fig["category"], fig["cumulative"], fig["daily"]) == ("tank", last["tank"] + 3, 3)
    case.close()


def test_bad_files_are_refused_and_nothing_is_loaded(tmp_path):
    case = Case.open(tmp_path / "case")
    bad = {
        "letters.csv": ("date,personnel\n2026-08-09,1460000\n2026-08-10,lots\n", "line 3, personnel: 'lots' is not a number"),
        "baddate.csv": ("date,personnel\n2026-08-09,1460000\n10.08.2026,1461000\n", "date '10.08.2026' is not YYYY-MM-DD"),
        "twice.csv": ("date,personnel\n2026-08-09,1460000\n2026-08-09,1461000\n", "appears twice"),
        "nocol.csv": ("date,tank\n2026-08-09,12000\n", "no personnel figures"),
        "nodate.csv": ("day,personnel\n1,1460000\n", "no 'date' column"),
        "empty.csv": ("", "the file is empty"),
        "broken.json": ('[{"date": "2026-08-09", "personnel": 1}', "not valid JSON"),
    }
    for name, (text, message) in bad.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        res = _run(tmp_path / "case", "import", str(path), "--kind", "personnel")
        assert res.exit_code == 2, (name, res.output)
        said = " ".join(res.output.split())  # the console wraps long lines
        assert message in said and "nothing was loaded" in said, (name, res.output)
    res = _run(tmp_path / "case", "import", str(tmp_path / "letters.csv"), "--kind", "casualties")
    assert res.exit_code == 2 and "--kind must be one of" in " ".join(res.output.split())
    assert _tables(case) == (0, 0)
    case.close()
