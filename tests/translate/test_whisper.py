"""Whisper task=translate on real Russian speech from ../shared/data/audio (Whisper base: the only
offline size -- draft quality, MODELS.md §1.1; the test checks the path, not the English)."""

from __future__ import annotations

import json

import pytest

from listeningpost.records import Turn

from translate_fixtures import add_call  # noqa: F401  (fixture)

pytest.importorskip("faster_whisper")


def test_whisper_translates_each_turn_span_of_real_speech(case, add_call, shared):
    from listeningpost.pipeline import make_stage

    audio = shared / "data" / "audio"
    clip = audio / "pisets_test_sound_ru.wav"          # 3.2 s read speech
    text = (audio / "pisets_test_sound_ru.txt").read_text(encoding="utf-8").strip()
    call = add_call(case, [Turn(text, speaker="A", start=0.0, end=3.2, language="ru"),
                           Turn("без времени", speaker="B")], media=clip)
    stage = make_stage("translate", engine="whisper")
    assert stage.applies_to(case, call)
    results = stage.compute(stage.load(case, call))
    with case.transaction():
        stage.save(case, call, results, None)
    ok, failed = [r for r in results if r.error is None], [r for r in results if r.error]
    assert len(ok) == 1 and len(failed) == 1 and "audio span" in failed[0].error   # a turn without times fails alone
    row = case.one("SELECT * FROM translations WHERE engine='whisper'")
    assert row["model"] == "whisper-base" and row["text"].strip()
    assert sum(c.isascii() for c in row["text"]) == len(row["text"])   # English (Latin) output
    assert "draft" in json.loads(row["flags_json"])


def test_whisper_does_not_apply_to_transcript_calls(case, add_call):
    from listeningpost.pipeline import make_stage

    call = add_call(case, [Turn("только текст")])
    assert not make_stage("translate", engine="whisper").applies_to(case, call)
