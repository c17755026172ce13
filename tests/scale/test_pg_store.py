"""The case store on PostgreSQL (a throwaway server on a unix socket): same schema, same documents,
same stage results as SQLite; SQLite's transaction and error semantics kept; `lpost migrate` copies
a case without loss and notices a difference."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import TRANSCRIPTS, need_shared
from listeningpost.ingest.ingest import ingest_paths
from listeningpost.jobs.executors import InlineExecutor
from listeningpost.jobs.runner import run_stage, status
from listeningpost.pipeline import available_stages, make_stage
from listeningpost.store.case import Case
from listeningpost.store.layers import record_edit
from listeningpost.store.views import call_document, list_calls
from scalefix import pg_server, pg_url, snapshot, sqlite_case  # noqa: F401  (fixtures)

# the analyze stage costs seconds per call on 2 cores: a few calls are enough to compare backends
N_CALLS = 2
TIME_KEYS = {"added_at", "created_at", "at", "started_at", "finished_at", "updated_at", "applied_at"}


def real_files() -> list[Path]:
    return sorted(need_shared(TRANSCRIPTS / "radio_analyzer").glob("*.json"))[:N_CALLS]


def without_times(value):
    if isinstance(value, dict):
        return {k: without_times(v) for k, v in value.items() if k not in TIME_KEYS}
    if isinstance(value, list):
        return [without_times(v) for v in value]
    return value


def stages_here() -> list[str]:
    return [s for s in ("analyze", "index") if s in available_stages()]


def process(case: Case) -> None:
    for name in stages_here():
        opts = {"semantic": False} if name == "index" else {}
        report = run_stage(case, make_stage(name, **opts), InlineExecutor())
        assert report.failed == 0, report.errors


def test_schema_matches_sqlite(pg_url, tmp_path):
    """Every SQLite table and column exists on PostgreSQL (catches a table left out of store/tables.py)."""
    lite = sqlite_case(tmp_path / "lite")
    pg = Case.open(tmp_path / "pg", db=pg_url)
    lite_tables = {r[0] for r in lite.query("SELECT name FROM sqlite_master WHERE type='table' AND sql NOT LIKE 'CREATE VIRTUAL%'")
                   if not r[0].startswith(("sqlite_", "search_fts"))}
    pg_columns: dict[str, list[str]] = {}
    for table, column in pg.query("SELECT table_name, column_name FROM information_schema.columns"
                                  " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"):
        pg_columns.setdefault(table, []).append(column)
    assert lite_tables <= set(pg_columns)
    for table in sorted(lite_tables):
        lite_cols = [r["name"] for r in lite.query(f"PRAGMA table_info({table})")]
        assert pg_columns[table][:len(lite_cols)] == lite_cols, table
    assert [r[0] for r in pg.query("SELECT name FROM schema_migrations ORDER BY name")] == \
        [r[0] for r in lite.query("SELECT name FROM schema_migrations ORDER BY name")]
    lite.close()
    pg.close()


def test_same_documents_and_stage_results_as_sqlite(pg_url, tmp_path):
    lite = sqlite_case(tmp_path / "lite")
    pg = Case.open(tmp_path / "pg", db=pg_url)
    for case in (lite, pg):
        report = ingest_paths(case, real_files())
        assert [i.status for i in report.items] == ["added"] * N_CALLS, report.items
        process(case)
    assert without_times(list_calls(pg)) == without_times(list_calls(lite))
    for call in list_calls(lite):
        assert without_times(call_document(pg, call["id"])) == without_times(call_document(lite, call["id"]))
    assert snapshot(pg) == snapshot(lite)
    assert status(pg) == status(lite)
    # a second ingest of the same files is recognised as duplicates on both
    again = ingest_paths(pg, real_files()[:1])
    assert [i.status for i in again.items] == [i.status for i in ingest_paths(lite, real_files()[:1]).items]
    lite.close()
    pg.close()


def test_sqlite_semantics_kept(pg_url, tmp_path):
    import psycopg

    case = Case.open(tmp_path / "pg", db=pg_url)
    ingest_paths(case, real_files()[:1])
    call_id = case.one("SELECT id FROM calls")["id"]
    with case.transaction():
        # a failed statement inside a transaction can be caught and the transaction goes on
        with pytest.raises(psycopg.IntegrityError):
            case.db.execute("INSERT INTO calls(id, source_id, created_at) VALUES (:id, :source_id, :created_at)", {"id": call_id, "source_id": 1, "created_at": "x"})
        edit = record_edit(case, author="analyst", target_table="calls", target_id=call_id, action="set",
                           field="title", before=None, after="Title", call_id=call_id)
        case.db.execute("UPDATE calls SET title=:title WHERE id=:id", {"title": "Title", "id": call_id})
    assert case.one("SELECT title FROM calls WHERE id=:id", {"id": call_id})["title"] == "Title"
    assert case.one("SELECT * FROM edits WHERE id=:id", {"id": edit})["author"] == "analyst"
    # a failed transaction leaves nothing behind
    with pytest.raises(RuntimeError):
        with case.transaction():
            case.db.execute("UPDATE calls SET title='lost' WHERE id=:id", {"id": call_id})
            raise RuntimeError("abort")
    assert case.one("SELECT title FROM calls WHERE id=:id", {"id": call_id})[0] == "Title"
    # rows read like sqlite3.Row; sums come back as numbers, booleans as stored integers
    row = case.one("SELECT COUNT(*) AS n, SUM(idx) AS s, AVG(idx) AS a, MAX(edited) AS e FROM turns")
    assert row["N"] == row[0] and isinstance(row["s"], int) and isinstance(row["a"], float) and row["e"] == 0
    assert dict(row).keys() == {"n", "s", "a", "e"}
    case.set_setting("k", {"v": [1, "два"]})
    case.set_setting("k", {"v": 2})
    assert case.setting("k") == {"v": 2}
    assert case.resolve_call(str(call_id)) == call_id
    case.close()


def test_write_transactions_serialise_like_sqlite(pg_url, tmp_path):
    """BEGIN IMMEDIATE holds the case's write lock: a second writer waits for the first to commit."""
    first = Case.open(tmp_path / "pg", db=pg_url)
    second = Case(first.root, pg_url)
    first.set_setting("counter", 0)
    order: list[str] = []

    def writer():
        with second.transaction():
            value = second.setting("counter")
            second.set_setting("counter", value + 1)
            order.append("second")

    with first.transaction():
        value = first.setting("counter")
        thread = threading.Thread(target=writer)
        thread.start()
        # wait until the second writer is blocked on the advisory lock
        for _ in range(200):
            waiting = first.one("SELECT COUNT(*) FROM pg_locks WHERE locktype='advisory' AND NOT granted")[0]
            if waiting:
                break
            time.sleep(0.05)
        assert waiting == 1 and not order
        first.set_setting("counter", value + 1)
        order.append("first")
    thread.join(30)
    assert order == ["first", "second"]
    assert first.setting("counter") == 2  # no lost update
    first.close()
    second.close()


def test_migrate_copies_without_loss_and_detects_differences(pg_server, tmp_path):
    from listeningpost.cli import app
    from listeningpost.scale.migrate import _source_tables, _verify, migrate_case

    src = sqlite_case(tmp_path / "case")
    ingest_paths(src, real_files())
    process(src)
    call_id = src.one("SELECT id FROM calls ORDER BY id DESC")[0]
    with src.transaction():
        first = record_edit(src, author="a", target_table="calls", target_id=call_id, action="set", field="title",
                            before=None, after="x", call_id=call_id)
        # a self reference pointing forward (undone_by) and a value SQLite keeps as REAL
        second = record_edit(src, author="b", target_table="calls", target_id=call_id, action="undo", call_id=call_id)
        src.db.execute("UPDATE edits SET undone_by=:undone_by WHERE id=:id", {"undone_by": second, "id": first})
        src.db.execute("UPDATE turns SET start_s=1.1 + 2.2, text=:text WHERE id=(SELECT MIN(id) FROM turns)",
                       {"text": "ёжик «кавычки» ✓ '; DROP"})
    expected = snapshot(src)
    docs = {c["id"]: without_times(call_document(src, c["id"])) for c in list_calls(src)}
    dirty = [r[0] for r in src.query("SELECT call_id FROM search_dirty")]  # the edited turn's call
    src.close()

    url = pg_server.create_database("migrated")
    result = CliRunner().invoke(app, ["migrate", "--from", str(tmp_path / "case"), "--to", url, "--json"])
    assert result.exit_code == 0, result.output
    assert '"ok": true' in result.output

    dst = Case.open(tmp_path / "case", db=url, create=False)
    assert snapshot(dst) == expected
    assert {cid: without_times(call_document(dst, cid)) for cid in docs} == docs
    assert dst.one("SELECT undone_by FROM edits WHERE id=:id", {"id": first})[0] == second
    assert dst.one("SELECT start_s FROM turns ORDER BY id LIMIT 1")[0] == 1.1 + 2.2
    # the copy did not fire the search triggers: exactly the source's dirty marks
    assert [r[0] for r in dst.query("SELECT call_id FROM search_dirty")] == dirty
    # ids continue after the copied ones
    new_edit = record_edit(dst, author="c", target_table="calls", target_id=call_id, action="set", call_id=call_id)
    assert new_edit == second + 1
    # a second migration into the same database is refused; a changed value is caught by the checksum
    with pytest.raises(Exception, match="already holds data"):
        migrate_case(tmp_path / "case", url)
    dst.db.execute("UPDATE sources SET title = COALESCE(title, '') || '.' WHERE id=(SELECT MAX(id) FROM sources)")
    lite = sqlite3.connect(tmp_path / "case" / "case.sqlite")
    checks = {t.name: _verify(lite, dst.db.pg, t) for t in _source_tables(lite)}
    assert not checks["sources"].ok and checks["sources"].source_rows == checks["sources"].copied_rows
    # edits differs by the row added above; every other table still matches
    assert {name for name, c in checks.items() if not c.ok} == {"sources", "edits"}
    lite.close()
    dst.close()


def test_one_runner_per_case_across_machines(pg_url, tmp_path):
    """Two coordinators with different case folders (two machines) on one database: the second waits."""
    from listeningpost.jobs.runner import RunnerBusy, runner_lock

    here = Case.open(tmp_path / "machine-a", db=pg_url)
    there = Case.open(tmp_path / "machine-b", db=pg_url)
    with runner_lock(here):
        with pytest.raises(RunnerBusy, match="database"):
            with runner_lock(there):
                pass
    with runner_lock(there):  # released on exit
        pass
    here.close()
    there.close()


# The catalog a new PostgreSQL case gets: what scale/pgmigrations makes from store/tables.py must be,
# column for column, constraint for constraint, what the hand-written PostgreSQL twins of the
# migrations built before (tests/data/pg_schema_release.json, read from a case made with them;
# the schema's name is SCHEMA there).
CATALOG = {
    "columns": "SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default, is_identity,"
               " identity_generation, is_generated, generation_expression FROM information_schema.columns"
               " WHERE table_schema = current_schema() ORDER BY 1, 3",
    "constraints": "SELECT conrelid::regclass::text AS t, contype, pg_get_constraintdef(oid) AS def FROM pg_constraint"
                   " WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2, 3",
    "indexes": "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1, 2",
    "functions": "SELECT proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace ORDER BY 1",
    "triggers": "SELECT event_object_table, trigger_name, action_timing, event_manipulation FROM information_schema.triggers"
                " WHERE trigger_schema = current_schema() ORDER BY 1, 2, 4",
    "views": "SELECT table_name FROM information_schema.views WHERE table_schema = current_schema() ORDER BY 1",
}


def test_new_case_schema_is_the_released_one(pg_url, tmp_path):
    expected = json.loads((Path(__file__).parents[1] / "data" / "pg_schema_release.json").read_text(encoding="utf-8"))
    case = Case.open(tmp_path / "pg", db=pg_url)
    schema = case.db.pg.execute("SELECT current_schema()").fetchone()[0]
    got = {k: [[str(v).replace(f" ON {schema}.", " ON SCHEMA.") if v is not None else None for v in r]
               for r in case.db.pg.execute(q).fetchall()] for k, q in CATALOG.items()}
    case.close()
    for kind, rows in expected.items():
        want = [[str(v) if v is not None else None for v in r] for r in rows]
        assert got[kind] == want, kind
