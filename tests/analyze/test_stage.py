"""The analyze stage on a real call in a case: rows written with the run, analyst decisions kept."""

import json

import pytest
from sqlalchemy import insert

from listeningpost.analyze.stage import AnalyzeStage
from listeningpost.pipeline import make_stage
from listeningpost.records import Turn
from listeningpost.store import tables
from listeningpost.store.case import now
from listeningpost.store.layers import record_edit, replace_turns, start_run
from listeningpost.store.views import call_document
from tests.conftest import EVAL, need_shared


@pytest.fixture
def call(case):
    item = next(json.loads(l) for l in need_shared(EVAL / "dev_gold.jsonl").read_text(encoding="utf-8").splitlines()
                if json.loads(l)["id"] == "ra-radio_and_calls-mp3-016")
    with case.transaction():
        sid = case.db.execute(insert(tables.sources).values(
            sha256="ab16", original_name="call016.json", archive_path="archive/ab/ab16.json", size=1, kind="transcript",
            format="json", added_at=now())).lastrowid
        cid = case.db.execute(insert(tables.calls).values(source_id=sid, external_id=item["id"], created_at=now())).lastrowid
        replace_turns(case, cid, [Turn(text=t["text"], speaker=t["speaker"], start=float(i * 5), end=float(i * 5 + 4))
                                  for i, t in enumerate(item["turns"])], None, "import")
    return cid


def run(case, call_id):
    stage = AnalyzeStage(embeddings=False)
    run_id = start_run(case, "analyze", stage.settings())
    stage.save(case, call_id, stage.compute(stage.load(case, call_id)), run_id)
    return run_id


def test_registered():
    assert isinstance(make_stage("analyze", embeddings=False), AnalyzeStage)


def test_save_writes_rows_with_run_and_turn(case, call):
    run_id = run(case, call)
    doc = call_document(case, call)
    kinds = {(c["type"], c["count"]) for c in doc["claims"]}
    assert ("civilian_harm", None) in kinds and ("killed", 1) in kinds and ("shortage", None) in kinds
    turns = {t["id"]: t for t in doc["turns"]}
    for c in doc["claims"]:
        assert c["quote"] in turns[c["turn_id"]]["text"]
        assert c["start"] == turns[c["turn_id"]]["start"] and c["speaker"] == turns[c["turn_id"]]["speaker"]
    assert {"casualties", "civilian_abuse"} <= {t["theme"] for t in doc["themes"] if t["turn_id"] is None}
    assert all(r[0] == run_id for r in case.query("SELECT run_id FROM claims WHERE call_id=:call_id", {"call_id": call}))
    assert all(r[0] == run_id for r in case.query("SELECT run_id FROM themes WHERE call_id=:call_id", {"call_id": call}))


def test_rerun_keeps_analyst_decisions(case, call):
    run(case, call)
    n_claims = case.one("SELECT COUNT(*) FROM claims WHERE call_id=:call_id", {"call_id": call})[0]
    rejected = case.one("SELECT id, type FROM claims WHERE call_id=:call_id AND type='shortage'", {"call_id": call})
    confirmed = case.one("SELECT id FROM claims WHERE call_id=:call_id AND type='civilian_harm'", {"call_id": call})
    theme = case.one("SELECT id FROM themes WHERE call_id=:call_id AND turn_id IS NULL AND theme='casualties'", {"call_id": call})
    with case.transaction():
        case.db.execute("UPDATE claims SET status='rejected' WHERE id=:id", {"id": rejected["id"]})
        case.db.execute("UPDATE claims SET status='confirmed' WHERE id=:id", {"id": confirmed["id"]})
        case.db.execute("UPDATE themes SET status='rejected' WHERE id=:id", {"id": theme["id"]})
        record_edit(case, author="analyst", target_table="claims", target_id=rejected["id"], action="status",
                    field="status", before="machine", after="rejected", call_id=call)
    second = run(case, call)
    rows = case.query("SELECT id, type, status, run_id FROM claims WHERE call_id=:call_id", {"call_id": call})
    assert len(rows) == n_claims  # nothing duplicated, nothing lost
    assert [r["status"] for r in rows if r["type"] == "shortage"] == ["rejected"]
    assert {r["id"] for r in rows if r["status"] == "confirmed"} == {confirmed["id"]}
    assert all(r["run_id"] == second for r in rows if r["status"] == "machine")
    themes = case.query("SELECT status FROM themes WHERE call_id=:call_id AND turn_id IS NULL AND theme='casualties'", {"call_id": call})
    assert [t["status"] for t in themes] == ["rejected"]
