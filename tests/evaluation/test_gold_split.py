"""eval/unseen_gold.jsonl and eval/split.json (issue 13): well-formed gold, verbatim turns and quotes,
a split that covers every gold call exactly once. Checks the data only; never runs the rules."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from conftest import EVAL, REPO, TRANSCRIPTS, need_shared

UNSEEN = REPO / "eval" / "unseen_gold.jsonl"
SPLIT = REPO / "eval" / "split.json"
ENTITY_TYPES = {"PERSON", "CALLSIGN", "PERSON_ROLE", "UNIT", "ORG", "PLACE", "EQUIPMENT", "DATE", "CASUALTY_CODE"}
CLAIM_TYPES = {"killed", "wounded", "missing", "captured", "refused_or_deserted", "equipment_lost", "shortage",
               "civilian_harm", "other"}
THEMES = {"casualties", "morale", "supply_shortage", "equipment_loss", "refusal_desertion", "command_failure",
          "civilian_abuse", "enemy_fire", "distrust_of_officials", "money_and_pay", "family_and_home", "mobilization"}


def _unseen() -> list[dict]:
    return [json.loads(line) for line in UNSEEN.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_unseen_gold_is_well_formed_and_verbatim():
    recs = _unseen()
    assert len(recs) == 15
    assert len({r["id"] for r in recs}) == 15
    for r in recs:
        assert re.fullmatch(r"(ra-radio_and_calls-mp3-02[456]|pz-prigoshin-mp3-0(0[1-9]|1[0-2]))", r["id"]), r["id"]
        assert "MIT" in r["source"] and "78efa58d2ba335866eb4c4069dc673eef8834649" in r["source"]
        texts = [t["text"] for t in r["turns"]]
        assert texts and all(isinstance(t, str) and t for t in texts)
        for e in r["entities"]:
            assert e["type"] in ENTITY_TYPES and e["norm"]
            assert any(e["text"] in t for t in texts), (r["id"], e["text"])
        for c in r["claims"]:
            assert c["type"] in CLAIM_TYPES
            assert c["count"] is None or isinstance(c["count"], int)
            assert any(c["quote"] in t for t in texts), (r["id"], c["quote"])
        assert set(r["themes"]) <= THEMES


def test_unseen_turns_are_the_shared_turns():
    need_shared(TRANSCRIPTS)
    for r in _unseen():
        folder = r["id"].split("-", 1)[1]
        sub = "radio_analyzer" if folder.startswith("radio") else "prigozhin"
        src = json.loads((TRANSCRIPTS / sub / f"{folder}.json").read_text(encoding="utf-8"))
        assert [(t["speaker"], t["text"]) for t in r["turns"]] == [(t["speaker"], t["text"]) for t in src["turns"]]


def test_licence_texts_beside_the_annotations():
    for name in ("Radio-Analyzer_radio_and_calls_MIT_LICENSE", "Radio-Analyzer_prigoshin_MIT_LICENSE"):
        text = (REPO / "eval" / "LICENSES" / name).read_text(encoding="utf-8")
        assert "MIT License" in text and "Albert Lattke" in text


def test_split_covers_every_call_once(tmp_path):
    dev = need_shared(EVAL / "dev_gold.jsonl")
    split = json.loads(SPLIT.read_text(encoding="utf-8"))
    assert not set(split["tune"]) & set(split["test"])
    out = subprocess.run([sys.executable, str(REPO / "scripts" / "split_gold.py"), str(tmp_path),
                          "--dev-gold", str(dev)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    ids = lambda name: [json.loads(l)["id"] for l in (tmp_path / name).read_text(encoding="utf-8").splitlines()]
    assert ids("tune_gold.jsonl") == split["tune"] and ids("test_gold.jsonl") == split["test"]
    assert len(ids("test_new_gold.jsonl")) == 12 and len(ids("test_seen_gold.jsonl")) == 4
    assert sorted(ids("tune_dev_gold.jsonl") + ids("test_seen_gold.jsonl")) == sorted(
        json.loads(l)["id"] for l in dev.read_text(encoding="utf-8").splitlines() if l.strip())
