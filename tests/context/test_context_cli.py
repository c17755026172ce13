"""Context beside a claim, on a real imported transcript (claim rows inserted by the test)."""

import json
import shutil

from typer.testing import CliRunner

from conftest import DATA, TRANSCRIPTS, need_shared
from listeningpost.cli import app
from listeningpost.context.claims import call_date
from listeningpost.ingest.ingest import ingest_paths
from listeningpost.store.case import Case

PERSONNEL = DATA / "reference/equipment_losses/petroivaniuk/russia_losses_personnel.json"


def test_context_json_matches_the_reference_row(tmp_path):
    src = need_shared(TRANSCRIPTS / "radio_analyzer" / "radio_and_calls-mp3-003.json")
    shutil.copy(src, tmp_path / src.name)
    case = Case.open(tmp_path / "case")
    ingest_paths(case, [tmp_path / src.name])
    cid = case.one("SELECT id FROM calls")["id"]
    day = call_date(case, cid)
    assert day is not None, "the import should carry the upload date"
    with case.transaction() as db:
        db.execute("INSERT INTO claims(call_id, type, count, quote) VALUES (?,?,?,?)", (cid, "killed", 200, "TEST"))
        db.execute("INSERT INTO claims(call_id, type, count, quote) VALUES (?,?,?,?)", (cid, "morale", None, "TEST"))
    case.close()
    res = CliRunner().invoke(app, ["context", str(cid), "--case", str(tmp_path / "case"), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [c["type"] for c in data["claims"]] == ["killed"]
    rows = {r["date"]: r["personnel"] for r in json.loads(PERSONNEL.read_text(encoding="utf-8"))}
    ref = data["claims"][0]["reference"]
    assert ref["cumulative"] == rows[day.isoformat()]
