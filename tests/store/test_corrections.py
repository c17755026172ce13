"""Corrections, layers and the call document on SYNTHETIC calls (every text here is made up): edits,
splits, merges and their undo restore exactly what was there (this file is in the PostgreSQL pass)."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from listeningpost.records import Turn, Word
from listeningpost.store import corrections as co
from listeningpost.store.case import now
from listeningpost.store.layers import call_turns, replace_turns
from listeningpost.store.tables import (calls, claims, edits, entities, sources, speakers, themes, translations, turns,
                                       voice_links, words)
from listeningpost.store.views import call_document, list_calls


def _words(text: str, start: float) -> list[Word]:
    # whisper-style words: every word but the first keeps its leading space
    return [Word(text=(" " if i else "") + w, start=start + i, end=start + i + 0.9, probability=0.9)
            for i, w in enumerate(text.split())]


SYNTHETIC_TURNS = [
    ("alpha bravo charlie", "A", 0.0, {"en": "SYNTHETIC one two three"}),
    ("delta echo", "B", 3.0, {"en": "SYNTHETIC four five"}),
    ("foxtrot", "A", 5.0, {}),
]


def _call(case, sha: str) -> int:
    with case.transaction():
        sid = case.db.execute(insert(sources).values(
            sha256=sha * 64, original_name=f"synthetic-{sha}.json", archive_path=f"archive/{sha}", size=1,
            kind="transcript", format="json", publisher="SYNTHETIC", added_at=now())).lastrowid
        cid = case.db.execute(insert(calls).values(source_id=sid, external_id=f"synthetic-{sha}", title="SYNTHETIC",
                                                   language="ru", created_at=now())).lastrowid
        replace_turns(case, cid, [Turn(text=t, speaker=s, start=start, end=start + len(t.split()), language="ru",
                                       words=_words(t, start), translations=tr)
                                  for t, s, start, tr in SYNTHETIC_TURNS], None, "import")
    return cid


@pytest.fixture
def synthetic(case):
    cid = _call(case, "a")
    t = [r["id"] for r in call_turns(case, cid)]
    with case.transaction():
        case.db.execute(insert(entities).values(call_id=cid, turn_id=t[1], type="PLACE", text="echo", norm="Echo"))
        case.db.execute(insert(entities).values(call_id=cid, turn_id=None, type="PERSON", text="nobody"))
        case.db.execute(insert(claims).values(call_id=cid, turn_id=t[1], type="other", quote="delta echo"))
        case.db.execute(insert(themes).values(call_id=cid, turn_id=t[1], theme="synthetic", score=0.5))
        case.db.execute(insert(themes).values(call_id=cid, turn_id=None, theme="unscored"))
    return case, cid


def _doc(case, cid):
    doc = call_document(case, cid)
    for key in ("created_at", "stages", "runs", "source"):
        doc.pop(key)
    return doc


def test_document_shape_and_order(synthetic):
    case, cid = synthetic
    doc = call_document(case, cid)
    assert [t["text"] for t in doc["turns"]] == [t for t, *_ in SYNTHETIC_TURNS]
    assert [t["idx"] for t in doc["turns"]] == [0, 1, 2]
    assert [w["text"] for w in doc["turns"][0]["words"]] == ["alpha", " bravo", " charlie"]
    assert doc["turns"][0]["translations"][0]["engine"] == "human"
    assert doc["speakers"] == {"A": None, "B": None}
    # SQLite's order on both databases: NULL turn first (ascending), NULL score last (descending)
    assert [e["turn_id"] for e in doc["entities"]][0] is None
    assert [t["theme"] for t in doc["themes"]] == ["unscored", "synthetic"]
    listed = list_calls(case)
    assert [c["id"] for c in listed] == [cid] and listed[0]["turns"] == 3 and listed[0]["publisher"] == "SYNTHETIC"
    assert list_calls(case, limit=1, offset=1) == []


def test_edits_and_undo_restore_the_document(synthetic):
    case, cid = synthetic
    start = _doc(case, cid)
    t0, t1, t2 = (t["id"] for t in start["turns"])
    word = case.query(select(words.c.id).where(words.c.turn_id == t0).order_by(words.c.idx))[1]
    tr = case.one(select(translations.c.id).where(translations.c.turn_id == t1))
    ent, claim = start["entities"][1], start["claims"][0]
    done = [
        co.edit_turn_text(case, cid, t2, "golf", "analyst"),
        co.edit_word(case, cid, word["id"], "BRAVO", "analyst"),
        co.edit_translation(case, cid, tr["id"], "SYNTHETIC four and five", "analyst"),
        co.rename_speaker(case, cid, "A", "Synthetic Person", "analyst"),
        co.decide(case, cid, "entities", ent["id"], "rejected", "analyst"),
        co.decide(case, cid, "claims", claim["id"], "corrected", "analyst", {"count": 3, "hedged": 1}),
    ]
    doc = _doc(case, cid)
    assert doc["turns"][2]["text"] == "golf" and doc["turns"][2]["edited"]
    assert doc["turns"][0]["text"] == "alpha BRAVO charlie"
    assert doc["turns"][0]["words"][1]["text"] == " BRAVO"
    assert doc["turns"][1]["translations"][0]["text"] == "SYNTHETIC four and five"
    assert doc["speakers"]["A"] == "Synthetic Person"
    assert doc["entities"][1]["status"] == "rejected"
    assert (doc["claims"][0]["count"], doc["claims"][0]["hedged"], doc["claims"][0]["status"]) == (3, True, "corrected")
    with pytest.raises(co.EditError):
        co.edit_turn_text(case, cid, t2, "golf", "analyst")  # nothing changed
    with pytest.raises(co.EditError):
        co.edit_turn_text(case, cid + 99, t2, "x", "analyst")  # not a turn of that call
    log = co.history(case, cid)
    assert [e["id"] for e in log] == sorted(done, reverse=True)
    assert log[-1]["summary"] == f"turn {t2} text: foxtrot → golf"
    for edit_id in reversed(done):
        co.undo(case, edit_id, "analyst")
    assert _doc(case, cid) == start
    with pytest.raises(co.EditError):
        co.undo(case, done[0], "analyst")  # already undone
    assert all(e["undone_by"] for e in co.history(case, cid) if e["action"] != "undo")


def test_undo_refused_when_changed_again(synthetic):
    case, cid = synthetic
    t0 = call_turns(case, cid)[0]["id"]
    first = co.edit_turn_text(case, cid, t0, "SYNTHETIC first", "a")
    second = co.edit_turn_text(case, cid, t0, "SYNTHETIC second", "b")
    with pytest.raises(co.EditError, match="changed again"):
        co.undo(case, first, "a")
    undo_id = co.undo(case, second, "b")
    with pytest.raises(co.EditError, match="cannot be undone"):
        co.undo(case, undo_id, "b")
    co.undo(case, first, "a")
    assert call_turns(case, cid)[0]["text"] == "alpha bravo charlie"


def test_split_by_char_and_word_then_undo(synthetic):
    case, cid = synthetic
    start = _doc(case, cid)
    t0 = start["turns"][0]["id"]
    split = co.split_turn(case, cid, t0, len("alpha bravo"), "analyst")
    doc = _doc(case, cid)
    assert [t["text"] for t in doc["turns"]][:3] == ["alpha bravo", "charlie", "delta echo"]
    new = doc["turns"][1]
    assert (new["start"], new["end"], new["speaker"], new["origin"]) == (2.0, 3.0, "A", "analyst")
    assert [w["text"] for w in new["words"]] == [" charlie"] and doc["turns"][0]["end"] == 2.0
    assert doc["turns"][0]["translations"][0]["edited"]
    with pytest.raises(co.EditError):
        co.split_turn(case, cid, t0, 0, "analyst")
    by_word = co.split_turn(case, cid, t0, 1, "analyst", word_index=True)
    assert [t["text"] for t in _doc(case, cid)["turns"]][:3] == ["alpha", "bravo", "charlie"]
    with pytest.raises(co.EditError, match="later edits"):
        co.undo(case, split, "analyst")
    co.undo(case, by_word, "analyst")
    co.undo(case, split, "analyst")
    assert _doc(case, cid) == start


def test_merge_moves_rows_and_undo_restores(synthetic):
    case, cid = synthetic
    start = _doc(case, cid)
    t0, t1, t2 = (t["id"] for t in start["turns"])
    merged = co.merge_turns(case, cid, t0, "analyst")
    doc = _doc(case, cid)
    assert [t["text"] for t in doc["turns"]] == ["alpha bravo charlie delta echo", "foxtrot"]
    assert [t["idx"] for t in doc["turns"]] == [0, 1]
    assert doc["turns"][0]["translations"][0]["text"] == "SYNTHETIC one two three SYNTHETIC four five"
    assert len(doc["turns"][0]["words"]) == 5 and doc["turns"][0]["end"] == 5.0
    assert {e["turn_id"] for e in doc["entities"]} == {None, t0} and doc["claims"][0]["turn_id"] == t0
    # the next turn's translation with no counterpart moves over: merge turn 1 (now idx 0) into nothing else
    second = co.merge_turns(case, cid, t0, "analyst")
    assert len(_doc(case, cid)["turns"]) == 1
    with pytest.raises(co.EditError, match="no next turn"):
        co.merge_turns(case, cid, t0, "analyst")
    co.undo(case, second, "analyst")
    co.undo(case, merged, "analyst")
    assert _doc(case, cid) == start


def test_merge_moves_a_translation_without_counterpart(case):
    cid = _call(case, "b")
    t = call_turns(case, cid)
    start = _doc(case, cid)
    merged = co.merge_turns(case, cid, t[1]["id"], "analyst")  # foxtrot has none: delta echo's stays its own
    doc = _doc(case, cid)
    assert doc["turns"][1]["translations"][0]["text"] == "SYNTHETIC four five"
    merged_first = co.merge_turns(case, cid, t[0]["id"], "analyst")
    assert _doc(case, cid)["turns"][0]["translations"][0]["text"] == \
        "SYNTHETIC one two three SYNTHETIC four five"
    co.undo(case, merged_first, "analyst")
    co.undo(case, merged, "analyst")
    assert _doc(case, cid) == start


def test_reassign_speaker_and_carry_names(case):
    a, b = _call(case, "c"), _call(case, "d")
    t0 = call_turns(case, a)[0]["id"]
    co.reassign_speaker(case, a, t0, "C", "analyst")
    row = case.one(select(turns.c.speaker, turns.c.edited).where(turns.c.id == t0))
    assert tuple(row) == ("C", 1)
    assert {r["label"] for r in case.query(select(speakers.c.label).where(speakers.c.call_id == a))} == {"A", "B", "C"}
    with pytest.raises(co.EditError):
        co.rename_speaker(case, a, "Z", "nobody", "analyst")
    with pytest.raises(co.EditError, match="no name"):
        co.carry_speaker_name(case, a, "A", "analyst")
    with case.transaction():
        ok = case.db.execute(insert(voice_links).values(call_id=a, label="A", other_call_id=b, other_label="B",
                                                        score=0.9, updated_at=now())).lastrowid
        case.db.execute(insert(voice_links).values(call_id=b, label="A", other_call_id=a, other_label="A",
                                                   score=0.8, status="rejected", updated_at=now()))
    co.rename_speaker(case, a, "A", "Synthetic Name", "analyst")
    carried = co.carry_speaker_name(case, a, "A", "analyst")
    names = {(r["call_id"], r["label"]): r["name"] for r in case.query(select(speakers))}
    assert len(carried) == 1 and names[(b, "B")] == "Synthetic Name" and names[(b, "A")] is None
    assert co.carry_speaker_name(case, a, "A", "analyst") == []  # already named
    decided = co.decide_voice_link(case, b, ok, "confirmed", "analyst")
    assert case.one(select(voice_links.c.status).where(voice_links.c.id == ok))[0] == "confirmed"
    with pytest.raises(co.EditError):
        co.decide_voice_link(case, b + 99, ok, "confirmed", "analyst")
    co.undo(case, decided, "analyst")
    co.undo(case, carried[0], "analyst")
    assert case.one(select(speakers.c.name).where(speakers.c.call_id == b, speakers.c.label == "B"))[0] is None
    edit = case.one(select(edits).where(edits.c.id == carried[0]))
    assert edit["call_id"] == b and edit["target_table"] == "speakers"


def test_rerun_keeps_edited_turns(synthetic):
    case, cid = synthetic
    t1 = call_turns(case, cid)[1]["id"]
    co.edit_turn_text(case, cid, t1, "SYNTHETIC kept", "analyst")
    with case.transaction():
        new = replace_turns(case, cid, [Turn(text="SYNTHETIC early", start=0.0, end=1.0, speaker="X"),
                                        Turn(text="SYNTHETIC overlap", start=3.5, end=4.0, speaker="Y"),
                                        Turn(text="SYNTHETIC late", start=6.0, end=7.0, speaker="Y",
                                             words=_words("SYNTHETIC late", 6.0))], None, "asr")
    got = call_turns(case, cid, with_words=True)
    assert [t["text"] for t in got] == ["SYNTHETIC early", "SYNTHETIC kept", "SYNTHETIC late"]
    assert new == [got[0]["id"], got[2]["id"]] and [t["idx"] for t in got] == [0, 1, 2]
    assert [w["text"] for w in got[2]["words"]] == ["SYNTHETIC", " late"]
    labels = {r[0] for r in case.query(select(speakers.c.label).where(speakers.c.call_id == cid))}
    assert {"X", "Y", "B"} <= labels
