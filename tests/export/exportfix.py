"""A small export case built from real transcripts plus clearly SYNTHETIC personal data.

Real: three Radio-Analyzer transcripts (Russian, with human English translations) and one real
speech clip from ../shared. Synthetic (never facts): one added turn holding a made-up phone number,
a placeholder name ("Пупкин", the Russian "John Doe"), a made-up address and callsign; made-up
entity and claim rows; evenly spaced word timestamps on one real call (the speech stage's word
times are not in the case yet).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import insert

from listeningpost.ingest.ingest import ingest_paths
from listeningpost.records import Turn, Word
from listeningpost.store import tables
from listeningpost.store.case import Case, now
from listeningpost.store.layers import insert_turn, renumber_turns

import pytest

from conftest import AUDIO, TRANSCRIPTS, need_shared

REAL_CALLS = ("radio_and_calls-mp3-003", "radio_and_calls-mp3-013", "radio_and_calls-mp3-016")
PHONE = "+7 916 555-01-23"
SPOKEN_PHONE = "восемь девятьсот шестнадцать пятьсот пятьдесят пять ноль один двадцать три"
SECRETS = {
    # the strings that must not appear anywhere in a redacted export (any format, any metadata)
    "phone": ["+7 916 555-01-23", "9165550123", "916 555", "555-01-23", "79165550123"],
    "spoken": [SPOKEN_PHONE, "пятьсот пятьдесят пять ноль один"],
    "person": ["Пупкин", "Pupkin", "Василий", "Vasily", "Лебедева", "Lebedeva"],
    "address": ["Садовая", "Sadovaya"],
    "mark": ["Кузнечик", "Kuznechik"],
}
SYNTH_TURN = (f"СИНТЕТИКА: запиши номер {PHONE}, спроси Василия Пупкина, он живёт ул. Садовая, д. 7, кв. 12. "
              f"Позывной Кузнечик. Или звони: {SPOKEN_PHONE}.")
SYNTH_EN = ("SYNTHETIC: write down the number +7 916 555-01-23, ask Vasily Pupkin, he lives at 7 Sadovaya Street, "
            "apartment 12. Callsign Kuznechik.")
SYNTH_QUOTE = "Пупкин сказал: двести наших за неделю"
AUDIO_CLIP = AUDIO / "voxforge_ru_rhasspy" / "ru_0022.wav"


@pytest.fixture(scope="session")
def export_case(tmp_path_factory) -> Case:
    """Built once per test session (read-only use: tests write their exports to their own tmp_path)."""
    need_shared(TRANSCRIPTS)
    return build(tmp_path_factory.mktemp("export"))


def build(root: Path) -> Case:
    src = root / "in"
    src.mkdir(parents=True)
    for name in REAL_CALLS:
        shutil.copy(TRANSCRIPTS / "radio_analyzer" / f"{name}.json", src / f"{name}.json")
    # a file name that itself carries personal data
    shutil.copy(TRANSCRIPTS / "radio_analyzer" / "radio_and_calls-mp3-011.json", src / "Пупкин_79165550123.json")
    case = Case.open(root / "case")
    ingest_paths(case, sorted(src.iterdir()))
    if AUDIO_CLIP.exists():
        ingest_paths(case, [AUDIO_CLIP], {"publisher": "VoxForge (test clip)"})
    with case.transaction():
        _add_synthetic(case)
    return case


def call_id(case: Case, external: str) -> int:
    return case.one("SELECT id FROM calls WHERE external_id=:external_id", {"external_id": f"ra-{external}"})["id"]


def _add_synthetic(case: Case) -> None:
    db = case.db
    first = call_id(case, REAL_CALLS[0])
    turn = Turn(text=SYNTH_TURN, speaker="B", start=None, end=None, translations={"en": SYNTH_EN},
                data={"synthetic": True})
    tid = insert_turn(case, first, turn, None, "analyst", idx=10_000)
    renumber_turns(case, first)
    db.execute("UPDATE sources SET notes=:notes, authenticity_notes=:authenticity_notes WHERE id=(SELECT source_id FROM calls WHERE id=:id)",
               {"notes": "SYNTHETIC note: informant Лебедева Ольга", "authenticity_notes": "SYNTHETIC: voice not compared with known samples", "id": first})
    db.execute("INSERT INTO entities(call_id, turn_id, type, text, norm, status) VALUES (:call_id,:turn_id,:type,:text,:norm,:status)",
               {"call_id": first, "turn_id": tid, "type": "PERSON", "text": "Василия Пупкина", "norm": "Василий Пупкин", "status": "machine"})
    db.execute("INSERT INTO entities(call_id, turn_id, type, text, norm, lat, lon, geo_confidence, status) VALUES (:call_id,:turn_id,:type,:text,:norm,:lat,:lon,:geo_confidence,:status)", {"call_id": first, "turn_id": tid, "type": "PLACE", "text": "Бахмуте", "norm": "Бахмут", "lat": 48.595, "lon": 37.999, "geo_confidence": 0.9, "status": "confirmed"})
    db.execute("INSERT INTO claims(call_id, turn_id, type, count, quote, start_s, speaker, period, confidence, status) VALUES (:call_id,:turn_id,:type,:count,:quote,:start_s,:speaker,:period,:confidence,:status)", {"call_id": first, "turn_id": tid, "type": "killed", "count": 200, "quote": SYNTH_QUOTE, "start_s": 30.0, "speaker": "B", "period": "за неделю", "confidence": 0.7, "status": "machine"})
    db.execute("INSERT INTO claims(call_id, turn_id, type, count, quote, start_s, speaker, confidence, status) VALUES (:call_id,:turn_id,:type,:count,:quote,:start_s,:speaker,:confidence,:status)", {"call_id": first, "turn_id": tid, "type": "wounded", "count": 3, "quote": "SYNTHETIC: трое трёхсотых", "start_s": 31.0, "speaker": "B", "confidence": 0.8, "status": "confirmed"})
    db.execute("INSERT INTO redaction_marks(call_id, kind, text, author, at) VALUES (:call_id,:kind,:text,:author,:at)",
               {"call_id": None, "kind": "REDACTED", "text": "Кузнечик", "author": "test", "at": now()})
    db.execute("INSERT INTO redaction_marks(call_id, kind, text, author, at) VALUES (:call_id,:kind,:text,:author,:at)",
               {"call_id": None, "kind": "REDACTED", "text": "Kuznechik", "author": "test", "at": now()})
    _synthetic_word_times(case, call_id(case, REAL_CALLS[1]))
    clip = case.one("SELECT c.id, c.duration_s FROM calls c JOIN sources s ON s.id=c.source_id WHERE s.kind='audio'")
    if clip is not None:
        _clip_turn(case, clip["id"], clip["duration_s"])


def _synthetic_word_times(case: Case, cid: int) -> None:
    """SYNTHETIC timing: 0.32 s per word, 0.6 s between turns (a real call's real words)."""
    pos = 0.0
    for t in case.query("SELECT id, text FROM turns WHERE call_id=:call_id ORDER BY idx", {"call_id": cid}):
        words = t["text"].split()
        start = pos
        rows = []
        for i, w in enumerate(words):
            rows.append({"turn_id": t["id"], "idx": i, "start_s": pos, "end_s": pos + 0.3,
                         "text": (" " if i else "") + w, "probability": 0.9})
            pos += 0.32
        case.db.executemany(insert(tables.words), rows)
        case.db.execute("UPDATE turns SET start_s=:start_s, end_s=:end_s WHERE id=:id", {"start_s": start, "end_s": pos, "id": t["id"]})
        pos += 0.6


def _clip_turn(case: Case, cid: int, duration: float) -> None:
    """The real clip gets a SYNTHETIC transcript turn whose middle words are a made-up phone number,
    so the audio export must bleep that stretch."""
    words = ["СИНТЕТИКА", "звони", *SPOKEN_PHONE.split(), "конец"]
    step = duration / len(words)
    turn = Turn(text=" ".join(words), speaker="A", start=0.0, end=duration, data={"synthetic": True},
                words=[Word(w, i * step, (i + 1) * step, 0.9) for i, w in enumerate(words)])
    insert_turn(case, cid, turn, None, "analyst", idx=0)


