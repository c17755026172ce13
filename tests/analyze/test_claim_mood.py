"""Casualty words that state no fact (issue 13, claim_mood.py). Every sentence here is SYNTHETIC,
written for these tests from general Russian: none is taken from a transcript or a gold file."""

import pytest

from listeningpost.analyze.claims import extract_claims
from listeningpost.analyze.document import build_document


def claims(text):
    doc = build_document([{"speaker": "A", "text": text}])
    return [(c.type, c.count) for c in extract_claims(doc) if not c.negated]


@pytest.mark.parametrize("text", [
    "Убей его.",  # an order
    "Убейте их всех.",
    "На войне всегда убивают.",  # a general truth: no victim, no agent, no count
    "Мы тут время убиваем.",  # a thing as the object
    "Это убило всю мотивацию.",
    "Мёртвая тишина стояла.",  # an epithet of a thing
    "Это мёртвая зона.",
    "Он мёртвым сном спит.",
    "Убиваться так не надо.",  # to grieve
    "Смерть шпионам.",  # a slogan
    "Тебя разъебут из окопа.",  # the future of an unknown slang verb
])
def test_no_fact(text):
    assert [c for c in claims(text) if c[0] in ("killed", "wounded", "other")] == []


def test_the_speaker_dying_is_no_death():
    assert ("killed", 1) not in claims("Я от голода умираю.")
    assert claims("Мы тут все гибнем.") == []


def test_a_count_of_thousands_is_not_one():
    assert claims("Погибли тысячи человек.") == [("killed", None)]


def test_a_statistic_that_changed_is_the_claim():
    assert claims("Количество погибших сократилось на тридцать процентов.") == [("other", None)]


@pytest.mark.parametrize("text, expected", [
    ("Вчера убили двоих наших.", ("killed", 2)),
    ("Они убивают наших ребят каждый день.", ("killed", None)),
    ("Командира убило осколком.", ("killed", 1)),
    ("Он умер в госпитале.", ("killed", 1)),
    ("Мы убили там двести человек противника.", ("killed", 200)),
    ("Я обморозился, но живой.", ("wounded", 1)),  # the speaker's own injury is a fact
    ("Соседа ранили в ногу.", ("wounded", 1)),
])
def test_facts_stay(text, expected):
    assert expected in claims(text)


def test_uncounted_deaths_told_again_in_one_turn_are_one_claim():
    text = ("Под утро ребята погибли на переправе. Связи не было. Снабжения тоже. Командиры молчали. "
            "Там же у моста погибли все, кто шёл первым.")
    assert claims(text) == [("killed", None)]
    # a counted death of the same turn stays a claim of its own
    assert claims("Весь взвод там положили. Мы ждали до вечера. Потом было тихо. Потом ещё комбата убили.") \
        == [("killed", None), ("killed", 1)]


# --- deeds of named people (claim_actors.py) ---------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Иван Петров три раза лично ездил в штаб.", [("other", 3)]),  # "N раз" is the count
    ("Иван Сидоров трижды подписывал приказ.", [("other", 3)]),
    ("Генерал Петров отдал приказ отходить.", [("other", None)]),
    ("Саня вчера приехал.", []),  # a first name alone: talk among friends
    ("Иван Петров сказал, что всё хорошо.", []),  # words, not deeds
    ("Иван Петров не приехал.", []),
    ("Если бы Иван Петров приехал, было бы лучше.", []),
    ("Приезжал ли Иван Петров?", []),
])
def test_deeds_of_named_people(text, expected):
    assert claims(text) == expected
