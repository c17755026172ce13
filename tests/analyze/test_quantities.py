"""Quantified facts (issue 13): counts of people, prisoners, ammunition, money, equipment as ``other``
claims, and casualty nouns as background. Every sentence here is SYNTHETIC, written for these tests
from general Russian: none is taken from a transcript or a gold file."""

import pytest

from listeningpost.analyze.stage import analyze_turns
from listeningpost.analyze.themes import ThemeOptions


def claims(*texts):
    out = analyze_turns([{"speaker": "AB"[i % 2], "text": t} for i, t in enumerate(texts)],
                        ThemeOptions(embeddings=False))
    return [(c["type"], c["count"]) for c in out["claims"] if not c["negated"]]


@pytest.mark.parametrize("text, expected", [
    ("В городе сейчас воюют двадцать тысяч бойцов.", ("other", 20000)),  # people, number words
    ("За месяц нам передали 300 снарядов.", ("other", 300)),  # ammunition
    ("Каждый получил по сто тысяч рублей.", ("other", 100000)),  # money
    ("Мобилизовали триста тысяч человек.", ("other", 300000)),
    ("Три человека вышли к нам из леса.", ("other", 3)),
])
def test_counted_fact_is_other(text, expected):
    assert expected in claims(text)


@pytest.mark.parametrize("text", [
    "Нам нужно 80 тысяч снарядов в месяц.",  # a need, not a fact
    "Министерство выделило нам 10 процентов боеприпасов.",  # a share is no count
    "По три снаряда беглым.",  # a fire order: things counted without a verb
    "Сколько у вас человек?",
    "Если пришлют двести человек, будет легче.",
    "Нам не передали двести снарядов.",
])
def test_no_counted_fact(text):
    assert [c for c in claims(text) if c[0] == "other" and c[1] is not None] == []


def test_specific_class_wins_over_the_count():
    assert claims("Сегодня погибли 94 бойца.") == [("killed", 94)]
    assert claims("Противник бросил 5 танков.") == [("equipment_lost", 5)]


@pytest.mark.parametrize("text", [
    "После ранения всех отправляют домой.",
    "Выплаты за ранения задерживают на месяц.",
    "Семьям погибших помогают соседи.",
])
def test_casualty_noun_as_background_is_no_claim(text):
    assert not [c for c in claims(text) if c[0] in ("killed", "wounded")]


def test_casualty_noun_with_its_own_count_stays():
    assert ("killed", 20) in claims("После гибели двадцати человек роту отвели.")


@pytest.mark.parametrize("text, expected", [
    ("Ему присвоили звание Героя.", ("other", None)),  # an award: no count
    ("Первого января его помиловали и отпустили.", ("other", None)),
    ("Уровень преступности сократился до 2,5%.", ("other", None)),  # a share is no count
    ("Бойцы на передовой просят снаряды.", ("shortage", None)),
    ("Нам урезали поставки боеприпасов.", ("shortage", None)),
])
def test_uncounted_classes(text, expected):
    assert claims(text) == [expected]


def test_share_and_decimal_are_no_count():
    assert ("killed", 30) not in claims("Погибло 30% личного состава.")
    assert claims("Он получил награду 23 февраля.") == [("other", None)]


def test_one_count_of_one_sentence_is_one_claim():
    assert claims("Туда завезли пятьдесят тысяч заключённых.") == [("other", 50000)]


@pytest.mark.parametrize("text, expected", [
    ("Наши штурмовые отряды взяли Бахмут.", [("other", None)]),  # a settlement taken
    ("Город взят полностью.", [("other", None)]),
    ("Он взял рацию и ушёл.", []),
])
def test_place_taken(text, expected):
    assert claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Смерти они не боятся.", []),
    ("Их отправляют на смерть.", []),
    ("Мы отомстим за смерть наших товарищей.", [("killed", None)]),  # a victim named: news
])
def test_death_as_such(text, expected):
    assert claims(text) == expected


def test_promise_is_no_counted_fact():
    assert ("other", 300000) not in claims("Нам обещали триста тысяч снарядов.")


def test_purpose_clause_leaves_the_main_clause_a_fact():
    assert claims("Туда отправили двести человек, чтобы закрыть дыру.") == [("other", 200)]
    assert claims("Чтоб вы все сдохли.") == []


def test_an_order_is_no_counted_fact():
    assert claims("Отправь туда пять человек.") == []
    assert claims("Отправили туда пять человек.") == [("other", 5)]


def test_quote_closes_an_editors_reading():
    out = analyze_turns([{"text": "Уровень сократился до 2,5% [две целых пять]."}], ThemeOptions(embeddings=False))
    assert out["claims"][0]["quote"].endswith("пять]")
