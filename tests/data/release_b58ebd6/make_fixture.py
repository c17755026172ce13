"""Regenerate this folder: a small case made by the release b58ebd6 (the last one before the store
moved to SQLAlchemy Core) and a JSON snapshot of what that release's reader sees in it.

    .venv/bin/python tests/data/release_b58ebd6/make_fixture.py

It extracts ``git archive b58ebd6 listeningpost`` to a temp dir and runs everything below with that
OLD code (``PYTHONPATH`` set to it, working directory outside the repository so the checkout's own
package is not imported). It writes ``case/`` (``case.sqlite`` with its WAL checkpointed, and
``archive/``) and ``snapshot.json`` here. tests/store/test_release_case.py opens a copy of the case
with the current code and compares it with the snapshot.

What the old code does, in order (CLI where the old CLI has a command, else its Python API):
  1. lpost ingest: two Radio-Analyzer transcripts (MIT) and one 3.2 s Russian speech clip (pisets,
     Apache-2.0) with a ``.meta.json`` sidecar giving its provenance (its real source);
  2. lpost process --stages analyze,index (semantic vectors included);
  3. store.corrections.edit_turn_text (fix the transcript's 'приЁм' to 'приём') and
     rename_speaker, both by the analyst 'analyst1';
  4. lpost redaction mark: one text mark (a call sign, in one call) and one field mark (a turn text);
  5. lpost users add analyst1 --role analyst (password below: a test password, nothing else);
     web.auth.authenticate once (a recorded login attempt);
  6. lpost export of one call as redacted JSON by analyst1 (an audit entry; the file goes in the snapshot);
  7. the snapshot: views.list_calls, views.call_document of every call, search.api.search for three
     queries, corrections.history of every call, export.redact.case_marks, the redacted call
     documents, web.auth.list_users, store.audit.entries, and the rows of redaction_marks.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

RELEASE = "b58ebd6"
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SHARED = Path(os.environ.get("LPOST_SHARED", REPO.parent / "shared")).resolve()
TRANSCRIPTS = ["radio_and_calls-mp3-001.json", "radio_and_calls-mp3-011.json"]  # the two smallest
AUDIO = "pisets_test_sound_ru.wav"
AUDIO_SIDECAR = {  # from shared/data/SOURCES.md (audio table)
    "publisher": "bond005/pisets (GitHub)",
    "url": "https://github.com/bond005/pisets/blob/e095ae626bbd18bb4490b9745d0acc34006c4eb8/tests/testdata/test_sound_ru.wav",
    "title": "test_sound_ru.wav",
    "language": "ru",
    "notes": "Apache-2.0, Copyright 2023 Ivan Bondarenko; read test sentence, not an intercept",
}
ANALYST, PASSWORD = "analyst1", "fixture-password-b58ebd6"  # a test account of this fixture only
EDITED_TEXT = "Понял, я Шестой, приём."  # the transcript has 'приЁм'
QUERIES = [  # (query, mode): lexical inflection, an exact phrase, hybrid (semantic vectors)
    ("работать", "lexical"),
    ('"всеми средствами"', "lexical"),
    ("приём", "hybrid"),
]


def run_old(oldrel: Path, work: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("LPOST_DB", "LPOST_CASE", "PYTHONPATH")}
    env.update(PYTHONPATH=str(oldrel), LOGNAME="fixture", USER="fixture", LPOST_SHARED=str(SHARED))
    proc = subprocess.run([sys.executable, *args], cwd=work, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{args[:4]} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def lpost(oldrel: Path, work: Path, *args: str) -> str:
    return run_old(oldrel, work, "-m", "listeningpost.cli", *args, "--case", str(work / "case"))


OLD_STEPS = r'''
import json, sys
from pathlib import Path
import listeningpost
assert listeningpost.__file__.startswith(sys.argv[1]), listeningpost.__file__  # the OLD code
from listeningpost.store.case import Case
from listeningpost.store import corrections, views, audit
from listeningpost.search import api
from listeningpost.export.redact import case_marks, redact_documents
from listeningpost.web.auth import authenticate, list_users

step, case_dir = sys.argv[2], Path(sys.argv[3])
conf = json.loads(sys.argv[4])
case = Case.open(case_dir, create=False)
calls = {c["external_id"]: c for c in views.list_calls(case)}
if step == "edit":
    call = calls["ra-radio_and_calls-mp3-001"]
    turn = case.one("SELECT id FROM turns WHERE call_id=? AND text LIKE ?", (call["id"], "%приЁм%"))
    corrections.edit_turn_text(case, call["id"], turn["id"], conf["edited_text"], conf["analyst"])
    corrections.rename_speaker(case, call["id"], "B", "Шестой", conf["analyst"])
    print(json.dumps({"turn_id": turn["id"], "call_id": call["id"]}))
elif step == "login":
    assert authenticate(case, conf["analyst"], conf["password"]) is not None
elif step == "snapshot":
    ids = sorted(c["id"] for c in calls.values())
    docs = [views.call_document(case, i) for i in ids]
    snap = {
        "release": conf["release"],
        "migrations": [r[0] for r in case.query("SELECT name FROM schema_migrations ORDER BY name")],
        "calls": views.list_calls(case),
        "documents": docs,
        "search": [{"query": q, "mode": m, "result": api.search(case, q, mode=m).to_dict()} for q, m in conf["queries"]],
        "history": {str(i): corrections.history(case, i) for i in ids},
        "redaction_marks": [dict(r) for r in case.query("SELECT * FROM redaction_marks ORDER BY id")],
        "case_marks": [[m.text, m.kind] for m in case_marks(case, ids)],
        "redacted_documents": redact_documents(case, docs)[0],
        "users": list_users(case),
        "audit": audit.entries(case, limit=1000),
    }
    print(json.dumps(snap, ensure_ascii=False, default=str))
case.close()
'''


def old_step(oldrel: Path, work: Path, step: str) -> str:
    conf = {"release": RELEASE, "analyst": ANALYST, "password": PASSWORD, "edited_text": EDITED_TEXT,
            "queries": QUERIES}
    return run_old(oldrel, work, "-c", OLD_STEPS, str(oldrel), step, str(work / "case"), json.dumps(conf))


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="lpost-release-"))
    try:
        oldrel, work, inputs = tmp / "oldrel", tmp / "work", tmp / "work" / "inputs"
        oldrel.mkdir()
        inputs.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", RELEASE, "listeningpost"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(oldrel)], input=archive, check=True)
        for name in TRANSCRIPTS:
            shutil.copy(SHARED / "data" / "transcripts" / "radio_analyzer" / name, inputs / name)
        shutil.copy(SHARED / "data" / "audio" / AUDIO, inputs / AUDIO)
        (inputs / (AUDIO + ".meta.json")).write_text(json.dumps(AUDIO_SIDECAR, ensure_ascii=False, indent=1))

        lpost(oldrel, work, "ingest", str(inputs))
        lpost(oldrel, work, "process", "--stages", "analyze,index")
        old_step(oldrel, work, "edit")
        lpost(oldrel, work, "redaction", "mark", "--text", "Шестой", "--kind", "PERSON", "--call",
              "ra-radio_and_calls-mp3-001", "--author", ANALYST)
        field = _turn_field(work / "case", "ra-radio_and_calls-mp3-011", 0)
        lpost(oldrel, work, "redaction", "mark", "--field", field, "--author", ANALYST)
        lpost(oldrel, work, "users", "add", ANALYST, "--role", "analyst", "--password", PASSWORD)
        old_step(oldrel, work, "login")
        lpost(oldrel, work, "export", "ra-radio_and_calls-mp3-001", "--format", "json", "--output",
              str(work / "export.json"), "--redact", "--user", ANALYST)
        snapshot = json.loads(old_step(oldrel, work, "snapshot"))
        snapshot["export_json"] = json.loads((work / "export.json").read_text(encoding="utf-8"))

        # the snapshot searched (search refreshes the index first): only now is the case final
        db = sqlite3.connect(work / "case" / "case.sqlite")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        out = HERE / "case"
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(work / "case", out, ignore=shutil.ignore_patterns(".runner.lock"))
        left = [p.name for p in out.iterdir() if p.name.endswith(("-wal", "-shm", "-journal"))]
        assert not left, left
        (HERE / "snapshot.json").write_text(json.dumps(snapshot, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        print(f"case: {size / 1024:.0f} KiB, {len(snapshot['documents'])} calls, snapshot.json written")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _turn_field(case_dir: Path, external_id: str, idx: int) -> str:
    db = sqlite3.connect(case_dir / "case.sqlite")
    row = db.execute("SELECT t.id FROM turns t JOIN calls c ON c.id=t.call_id WHERE c.external_id=? AND t.idx=?",
                     (external_id, idx)).fetchone()
    db.close()
    return f"turns:{row[0]}:text"


if __name__ == "__main__":
    main()
