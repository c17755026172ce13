"""A demo-like case for the web tests, built from the real shared data.

- real transcripts (Radio-Analyzer, Prigozhin) and one real audio clip are ingested;
- analysis rows are the analysts' gold labels from ``eval/dev_gold.jsonl`` (entities, claims,
  themes), stored as machine output the way the analyze stage would, with places geocoded from the
  shipped gazetteer;
- TEST-INSERTED, not model output: word timestamps for the audio clip (its reference text spread
  evenly over the clip) and one claim on it, so seeking can be tested without running ASR;
- SYNTHETIC: one hostile transcript with HTML/JS in every text field (escaping test).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import insert
import yaml

from listeningpost.records import Turn, Word
from listeningpost.store import tables
from listeningpost.store.case import Case, now
from listeningpost.store.layers import replace_turns
from conftest import AUDIO, EVAL, TRANSCRIPTS, need_shared

PASSWORDS = {"admin": "admin-pass-1", "ana": "analyst-pass-1", "vic": "viewer-pass-1"}
ROLES = {"admin": "admin", "ana": "analyst", "vic": "viewer"}
CLIP = "cmusphinx_ru_decoder-test_8k.wav"
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><b>bold</b>'


def _gazetteer() -> dict[str, tuple[float, float]]:
    data = Path(__file__).resolve().parents[2] / "listeningpost" / "analyze" / "data"
    out = {p["en"].lower(): (p["lat"], p["lon"]) for p in yaml.safe_load((data / "places.yaml").read_text())}
    with open(data / "gazetteer_ua.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["lat"] and row["en"]:
                out.setdefault(row["en"].lower(), (float(row["lat"]), float(row["lon"])))
    return out


def _turn_of(case: Case, call_id: int, quote: str) -> int | None:
    key = quote.strip().lower()[:25]
    for t in case.query("SELECT id, text FROM turns WHERE call_id=:call_id ORDER BY idx", {"call_id": call_id}):
        if key and key in t["text"].lower():
            return t["id"]
    return None


def add_gold_analysis(case: Case) -> int:
    """Gold entities/claims/themes of dev_gold.jsonl as machine rows on the matching calls."""
    geo = _gazetteer()
    run = case.db.execute(insert(tables.runs).values(stage="analyze", engine="gold-fixture", started_at=now(),
                                                     status="done")).lastrowid
    n = 0
    with case.transaction():
        for line in open(EVAL / "dev_gold.jsonl", encoding="utf-8"):
            gold = json.loads(line)
            row = case.one("SELECT id FROM calls WHERE external_id=:external_id", {"external_id": gold["id"]})
            if row is None:
                continue
            cid = row["id"]
            for e in gold.get("entities", []):
                lat, lon = geo.get((e.get("norm") or "").lower(), (None, None)) if e["type"] == "PLACE" else (None, None)
                case.db.execute(
                    "INSERT INTO entities(call_id, turn_id, type, text, norm, lat, lon, run_id) VALUES (:call_id,:turn_id,:type,:text,:norm,:lat,:lon,:run_id)",
                    {"call_id": cid, "turn_id": _turn_of(case, cid, e["text"]), "type": e["type"], "text": e["text"], "norm": e.get("norm"), "lat": lat, "lon": lon, "run_id": run})
            for c in gold.get("claims", []):
                case.db.execute(
                    "INSERT INTO claims(call_id, turn_id, type, count, quote, subject, place, period, equipment, run_id) VALUES (:call_id,:turn_id,:type,:count,:quote,:subject,:place,:period,:equipment,:run_id)",
                    {"call_id": cid, "turn_id": _turn_of(case, cid, c["quote"]), "type": c["type"], "count": c.get("count"), "quote": c["quote"], "subject": c.get("subject"), "place": c.get("place"), "period": c.get("period"), "equipment": c.get("equipment"), "run_id": run})
            for theme in gold.get("themes", []):
                case.db.execute("INSERT INTO themes(call_id, theme, score, evidence_json, run_id) VALUES (:call_id,:theme,:score,:evidence_json,:run_id)",
                                {"call_id": cid, "theme": theme, "score": 1.0, "evidence_json": "[]", "run_id": run})
            n += 1
    return n


def add_clip_words(case: Case) -> int:
    """TEST-INSERTED word timestamps for the real clip: reference words spread over 0.3-3.9 s."""
    call = case.one("SELECT c.id FROM calls c JOIN sources s ON s.id=c.source_id WHERE s.original_name=:original_name", {"original_name": CLIP})
    words = (AUDIO / CLIP.replace(".wav", ".txt")).read_text(encoding="utf-8").split()
    step = 3.6 / len(words)
    ws = [Word(text=(" " if i else "") + w, start=round(0.3 + i * step, 2), end=round(0.3 + (i + 1) * step - 0.05, 2),
               probability=0.3 if i == 2 else 0.9) for i, w in enumerate(words)]
    with case.transaction():
        replace_turns(case, call["id"], [Turn(text=" ".join(words), speaker="A", start=0.3, end=3.9, language="ru",
                                              words=ws, data={"fixture": "test-inserted timestamps"})], None, "asr")
        turn = case.one("SELECT id FROM turns WHERE call_id=:call_id", {"call_id": call["id"]})
        case.db.execute("INSERT INTO claims(call_id, turn_id, type, quote, start_s, end_s, data_json) VALUES (:call_id,:turn_id,:type,:quote,:start_s,:end_s,:data_json)",
                        {"call_id": call["id"], "turn_id": turn["id"], "type": "other", "quote": " ".join(words[-2:]), "start_s": ws[-2].start, "end_s": ws[-1].end, "data_json": json.dumps({"fixture": "test-inserted"})})
    return call["id"]


def add_hostile_call(case: Case) -> int:
    """SYNTHETIC hostile transcript: HTML/JS in title, provenance, speaker, text, translation, entity."""
    with case.transaction():
        sid = case.db.execute(insert(tables.sources).values(
            sha256="f" * 64, original_name=HOSTILE + ".json", archive_path="archive/ff/hostile.json", size=1,
            kind="transcript", format="json", publisher=HOSTILE, source_url="javascript:window.__pwned=3", title=HOSTILE,
            added_at=now())).lastrowid
        cid = case.db.execute(insert(tables.calls).values(source_id=sid, external_id="synthetic-hostile", title=HOSTILE,
                                                          language="ru", created_at=now())).lastrowid
        replace_turns(case, cid, [Turn(text="SYNTHETIC " + HOSTILE, speaker=HOSTILE[:20],
                                       translations={"en": "SYNTHETIC " + HOSTILE})], None, "import")
        case.db.execute("INSERT INTO entities(call_id, type, text, norm) VALUES (:call_id,:type,:text,:norm)", {"call_id": cid, "type": "PLACE", "text": HOSTILE, "norm": HOSTILE})
        case.db.execute("INSERT INTO claims(call_id, type, quote) VALUES (:call_id,:type,:quote)", {"call_id": cid, "type": "other", "quote": HOSTILE})
    return cid


def build_demo_case(root: Path) -> dict[str, int]:
    from listeningpost.ingest.ingest import ingest_paths
    from listeningpost.web.auth import add_user

    need_shared(TRANSCRIPTS)
    case = Case.open(root)
    ingest_paths(case, [TRANSCRIPTS / "radio_analyzer", TRANSCRIPTS / "prigozhin", AUDIO / CLIP])
    info = {"gold_calls": add_gold_analysis(case), "clip": add_clip_words(case), "hostile": add_hostile_call(case)}
    for name, role in ROLES.items():
        add_user(case, name, PASSWORDS[name], role)
    # one failed job, as the runner records it, for the failures panel and the retry button
    case.db.execute("INSERT INTO jobs(stage, call_id, status, error, attempts, updated_at) VALUES ('speech', :call_id, 'failed', 'decoder error: <synthetic>', 1, :updated_at)", {"call_id": info["clip"], "updated_at": now()})
    try:  # the real search index (lexical part) when the search package is present
        from listeningpost.search.index import index_calls

        index_calls(case, [r[0] for r in case.query("SELECT id FROM calls")])
    except ImportError:
        pass
    info["gold_call"] = case.one("SELECT id FROM calls WHERE external_id='ra-radio_and_calls-mp3-018'")["id"]
    case.close()
    return info


_BUILT: dict[str, tuple[Path, dict[str, int]]] = {}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """A private copy per test module of a demo case built once per session."""
    if "case" not in _BUILT:
        root = tmp_path_factory.mktemp("webcase-built") / "case"
        _BUILT["case"] = (root, build_demo_case(root))
    root, info = _BUILT["case"]
    copy = tmp_path_factory.mktemp("webcase") / "case"
    shutil.copytree(root, copy)
    return copy, dict(info)


def login(client, username: str, password: str | None = None):
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"username": username, "password": password or PASSWORDS[username],
                                       "csrf_token": token, "next": "/calls"}, follow_redirects=False)


def csrf_of(client) -> str:
    return client.get("/api/me").json()["csrf"]
