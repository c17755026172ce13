"""A case made by the release b58ebd6 (the last before the store moved to SQLAlchemy Core) still
opens, migrates and reads the same with the current code: call documents, search results, edit
history (and undo of the old edit), redaction marks, the old web user's login and the audit log,
against the snapshot the old code wrote (tests/data/release_b58ebd6/, made by make_fixture.py).
`lpost migrate` copies it into PostgreSQL, where documents, history, search, marks and audit are the
same too.

The SQLite part opens the case's own case.sqlite even when LPOST_TEST_DB=postgresql puts every
``Case.open`` case in PostgreSQL (the old release's case is a SQLite file)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from listeningpost.store.case import Case

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "release_b58ebd6"
ANALYST, PASSWORD = "analyst1", "fixture-password-b58ebd6"  # make_fixture.py: a test account only
EDITED_TEXT = "Понял, я Шестой, приём."
OLD_TEXT = "Понял, я Шестой, приЁм."


@pytest.fixture(scope="module")
def snap() -> dict:
    return json.loads((FIXTURE / "snapshot.json").read_text(encoding="utf-8"))


def as_json(value):
    """What the snapshot holds: the value through json.dumps(default=str), as make_fixture.py wrote it."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def copy_case(tmp_path: Path) -> Path:
    dst = tmp_path / "case"  # same folder name as the fixture's (exports record it)
    shutil.copytree(FIXTURE / "case", dst)
    return dst


def sqlite_case(root: Path) -> Case:
    """The folder's own case.sqlite, whatever LPOST_TEST_DB / LPOST_DB say (as tests/scale/scalefix.py)."""
    case = Case(root)
    case.migrate()
    return case


@pytest.fixture
def old_case(tmp_path, monkeypatch):
    monkeypatch.delenv("LPOST_DB", raising=False)
    case = sqlite_case(copy_case(tmp_path))
    yield case
    case.close()


def test_fixture_is_a_checkpointed_release_case(snap):
    case_dir = FIXTURE / "case"
    assert (case_dir / "case.sqlite").is_file()
    assert not [p.name for p in case_dir.iterdir() if p.name.endswith(("-wal", "-shm", "-journal"))]
    assert sum(p.stat().st_size for p in case_dir.rglob("*") if p.is_file()) < 1024 * 1024
    assert snap["release"] == "b58ebd6"
    assert len(snap["documents"]) == 3


def test_migrations_apply_to_the_old_case(tmp_path, monkeypatch, snap):
    from listeningpost.store.schema import migration_files

    monkeypatch.delenv("LPOST_DB", raising=False)
    case = Case(copy_case(tmp_path))
    applied = case.migrate()
    names = [r[0] for r in case.query("SELECT name FROM schema_migrations ORDER BY name")]
    # every migration of the current code is recorded; those the old release had were not re-run
    assert set(names) == {name for name, _ in migration_files()}
    assert set(applied) == set(names) - set(snap["migrations"])
    assert case.migrate() == []
    case.close()


def test_same_calls_and_documents(old_case, snap):
    from listeningpost.store.views import call_document, list_calls

    assert as_json(list_calls(old_case)) == snap["calls"]
    for doc in snap["documents"]:
        assert as_json(call_document(old_case, doc["id"])) == doc, doc["external_id"]


def test_same_search_results(old_case, snap):
    from listeningpost.search import api

    for entry in snap["search"]:
        result = as_json(api.search(old_case, entry["query"], mode=entry["mode"]).to_dict())
        assert result == entry["result"], (entry["query"], entry["mode"])


def test_same_history_and_the_old_edit_undoes(old_case, snap):
    from listeningpost.search import api
    from listeningpost.store import corrections
    from listeningpost.store.views import call_document

    for call_id, history in snap["history"].items():
        assert as_json(corrections.history(old_case, int(call_id))) == history
    text_edit = next(e for h in snap["history"].values() for e in h if e["target_table"] == "turns")
    call_id = int(next(k for k, h in snap["history"].items() if text_edit in h))
    turn_id = text_edit["target_id"]
    assert text_edit["after"]["turns"][str(turn_id)]["text"] == EDITED_TEXT

    undo_id = corrections.undo(old_case, text_edit["id"], ANALYST)
    turn = next(t for t in call_document(old_case, call_id)["turns"] if t["id"] == turn_id)
    assert (turn["text"], turn["edited"]) == (OLD_TEXT, False)
    history = corrections.history(old_case, call_id)
    assert history[0]["id"] == undo_id and history[0]["action"] == "undo"
    assert next(e for e in history if e["id"] == text_edit["id"])["undone_by"] == undo_id
    # the search index follows the undo: the exact phrase of the edit is gone, the old one is back
    hits = api.search(old_case, '"Шестой приЁм"', mode="lexical").hits
    assert [h.turn_id for h in hits] == [turn_id] and hits[0].text == OLD_TEXT
    with pytest.raises(corrections.EditError):
        corrections.undo(old_case, text_edit["id"], ANALYST)


def test_same_redaction_marks(old_case, snap):
    from sqlalchemy import select

    from listeningpost.export.redact import case_marks, redact_documents
    from listeningpost.store.tables import redaction_marks
    from listeningpost.store.views import call_document

    ids = [d["id"] for d in snap["documents"]]
    rows = old_case.query(select(redaction_marks).order_by(redaction_marks.c.id))
    assert as_json([dict(r) for r in rows]) == snap["redaction_marks"]
    assert [[m.text, m.kind] for m in case_marks(old_case, ids)] == snap["case_marks"]
    docs = [call_document(old_case, i) for i in ids]
    assert as_json(redact_documents(old_case, docs)[0]) == snap["redacted_documents"]


def test_old_user_logs_in_and_audit_is_kept(old_case, snap):
    from listeningpost.store import audit
    from listeningpost.web.auth import authenticate, list_users

    assert as_json(audit.entries(old_case, limit=1000)) == snap["audit"]
    assert as_json(list_users(old_case)) == snap["users"]
    user = authenticate(old_case, ANALYST, PASSWORD)
    assert user is not None and (user.username, user.role) == (ANALYST, "analyst")
    assert authenticate(old_case, ANALYST, PASSWORD + "x") is None


def test_same_export(old_case, snap, tmp_path):
    from listeningpost.export.run import ExportOptions, export

    out = tmp_path / "export.json"
    export(old_case, ExportOptions(format="json", output=out, call_ids=[old_case.resolve_call("ra-radio_and_calls-mp3-001")],
                                   redact=True, user=ANALYST))
    assert json.loads(out.read_text(encoding="utf-8")) == snap["export_json"]


# -- PostgreSQL: `lpost migrate` of the old case ----------------------------------------------------

@pytest.fixture
def pg_url(request):
    """A fresh database: on the session's server in the PostgreSQL pass, else on a throwaway one."""
    pytest.importorskip("psycopg", reason="the postgres extra is not installed (pip install listeningpost[postgres])")
    from tests.pgserver import TempPostgres, find_bindir

    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]
    server = request.getfixturevalue("pg_backend")
    if server is not None:
        yield server.create_database(name)
        return
    if find_bindir() is None:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    server = TempPostgres().start()
    try:
        yield server.create_database(name)
    finally:
        server.stop()


def test_migrates_into_postgresql_with_the_same_documents(tmp_path, monkeypatch, snap, pg_url):
    from listeningpost.cli import app
    from listeningpost.export.redact import case_marks
    from listeningpost.search import api
    from listeningpost.store import audit, corrections
    from listeningpost.store.views import call_document, list_calls
    from listeningpost.web.auth import authenticate

    monkeypatch.delenv("LPOST_DB", raising=False)
    root = copy_case(tmp_path)
    result = CliRunner().invoke(app, ["migrate", "--from", str(root), "--to", pg_url, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{"):])
    assert report["ok"] and report["rows"] > 0

    pg = Case.open(root, create=False, db=pg_url)
    try:
        assert pg.migrate() == []
        assert as_json(list_calls(pg)) == snap["calls"]
        for doc in snap["documents"]:
            assert as_json(call_document(pg, doc["id"])) == doc, doc["external_id"]
        for call_id, history in snap["history"].items():
            assert as_json(corrections.history(pg, int(call_id))) == history
        # measured: PostgreSQL's search gives the same hits, ranks and scores for these queries
        for entry in snap["search"]:
            result = as_json(api.search(pg, entry["query"], mode=entry["mode"]).to_dict())
            assert result == entry["result"], (entry["query"], entry["mode"])
        assert [[m.text, m.kind] for m in case_marks(pg, [d["id"] for d in snap["documents"]])] == snap["case_marks"]
        assert as_json(audit.entries(pg, limit=1000)) == snap["audit"]
        user = authenticate(pg, ANALYST, PASSWORD)
        assert user is not None and user.role == "analyst"
    finally:
        pg.close()
