"""General claim structures added for issue 13 after the third test measurement: compound ordinals,
shortages stated with "без" / "мало" / a small share, idioms of dying, groups of victims. Every
sentence here is SYNTHETIC, written for these tests from general Russian: none is taken from a
transcript or a gold file."""

import pytest

from listeningpost.analyze.claims import extract_claims
from listeningpost.analyze.document import build_document


def claims(text):
    doc = build_document([{"speaker": "A", "text": text}])
    return [(c.type, c.count) for c in extract_claims(doc) if not c.negated]


@pytest.mark.parametrize("text, count", [
    ("Дедушка погиб на войне в сорок третьем году.", 1),  # a year is no count of 40
    ("Двадцать третьего числа погибли двое.", 2),  # a date, and a thing taken for a subject
    ("Из сто пятой бригады погибло сорок человек.", 40),
    ("Погибли двадцать три человека.", 23),  # a plain compound count stays one
])
def test_compound_ordinals_are_no_counts(text, count):
    assert claims(text) == [("killed", count)]


@pytest.mark.parametrize("text", [
    "Патронов мало, воды почти нет.",
    "Снарядов недостаточно.",
    "Сидим без еды второй день.",
    "Нас отправили на штурм без оружия и без бронежилетов.",
    "Уже неделю без воды.",
    "Остались без связи.",
    "Мы получили только десять процентов снарядов.",
    "Нам дали всего 10% боеприпасов от потребности.",
])
def test_shortage_forms(text):
    assert ("shortage", None) in claims(text)


@pytest.mark.parametrize("text", [
    "Без оружия не выходить.",  # an order
    "Каска без ремешка висит на стене.",  # "без" qualifies a thing
    "Я пришёл без каски, потому что забыл.",  # one person's choice
    "Мало кто знает об этом.",
    "Там было всего пять процентов населения.",  # a share of no supply
])
def test_no_shortage(text):
    assert [c for c in claims(text) if c[0] == "shortage"] == []


def test_idioms_of_dying():
    assert claims("Двадцать человек отдали свои жизни.") == [("killed", 20)]
    assert claims("Ребята сложили головы под этим посёлком.") == [("killed", None)]
    assert claims("Мы готовы отдать жизнь за Родину.") == []  # a readiness, not a death
    assert claims("Он положил голову под подушку.") == []


def test_groups_of_victims():
    assert claims("Они расстреляли колонну беженцев.") == [("civilian_harm", None)]
    assert claims("Тысячи погибших лежат на этой земле.") == [("killed", None)]
    assert claims("Семьи погибших получили компенсацию.") == []  # the dead as background


@pytest.mark.parametrize("text", [
    "Противник отступил, оставив позиции.",  # a side fell back or broke through
    "Вчера наши отошли от реки.",
    "Хохлы прорвали оборону у посёлка.",
    "Мы ушли с позиций, потому что некому было держать.",  # positions given up
    "Мы оставили город без боя.",
    "Министерство вывело войска из города.",  # troops pulled out
    "Начальника штаба арестовали за взятки.",  # acts of the state
    "Прокуратура возбудила уголовное дело против командира полка.",
    "Там все дома разрушены.",  # buildings destroyed
    "Они разбомбили школу.",
    "Обнаружили тайник с гранатами.",  # found, seized
    "Они нашли склад с оружием.",  # "нашли" is "найти", not the imperative of "наслать"
    "Командование скрыло реальные потери.",  # deeds of state bodies and officers
    "Командир полка уехал в Москву.",
])
def test_other_facts(text):
    assert ("other", None) in claims(text)


@pytest.mark.parametrize("text", [
    "Отойди от окна.",  # an order
    "Бросай позиции, уходим.",
    "Он отошёл покурить.",  # one man, not a side
    "Оставь его в покое.",
    "Мы оставили машину у дома.",
    "Мы разбили лагерь возле села.",  # a place named as where, not as what was destroyed
    "Мы нашли общий язык.",  # an idiom
    "Я нашёл ключи под столом.",
    "Дело открыли, но ничего не нашли.",
    "Командир сказал, что всё хорошо.",  # words, not deeds
])
def test_no_other_fact(text):
    assert [c for c in claims(text) if c[0] == "other"] == []


def test_two_deeds_of_two_people_are_two_claims():
    assert claims("Генерал Петров подписал приказ. Министр Сидоров уехал в Москву.") == [("other", None)] * 2
