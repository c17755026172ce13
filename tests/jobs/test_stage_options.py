"""`--opt STAGE.KEY=VALUE` values arrive as text; every stage gets them as the type it expects."""

from __future__ import annotations

import pytest

from listeningpost.pipeline import coerce_option, make_stage


def test_values_follow_the_default_they_replace():
    assert coerce_option("false", True) is False
    assert coerce_option("On", False) is True
    assert coerce_option("3", 5) == 3
    assert coerce_option("0.25", 0.5) == 0.25
    assert coerce_option("ru,uk", ("ru",)) == ("ru", "uk")
    assert coerce_option("cuda", "cpu") == "cuda"
    assert coerce_option("none", 4) is None
    with pytest.raises(ValueError):
        coerce_option("maybe", True)


def test_values_without_a_default_are_inferred():
    assert coerce_option("false") is False
    assert coerce_option("12") == 12
    assert coerce_option("1.5") == 1.5
    assert coerce_option("base") == "base"


def test_analyze_embeddings_false_turns_embeddings_off():
    # before one coercer for every stage, the text "false" was truthy here
    assert make_stage("analyze", embeddings="false").settings()["model"] is None
    assert make_stage("analyze", embeddings="true").settings()["model"] is not None


def test_index_and_speech_options_are_typed():
    assert make_stage("index", semantic="false").semantic is False
    stage = make_stage("speech", beam_size="2", vad_adaptive="false")
    assert stage.options.asr.beam_size == 2
    assert stage.options.vad.adaptive is False


def test_translate_options_are_typed():
    # translate's options are **extra (engine options): typed by what the text spells
    stage = make_stage("translate", engine="nmt", skip_human="false", beam_size="2")
    assert stage.skip_human is False
    assert stage.options == {"beam_size": 2} and stage.engine.beam_size == 2
