"""Number words, digits and the casualty-code slang traps (real phrasing from the dev intercepts)."""

import pytest

from listeningpost.analyze.numbers import casualty_code, find_numbers, parse_number
from listeningpost.text.normalise import normalise


@pytest.mark.parametrize(
    "phrase, value",
    [
        ("двести", 200),
        ("двухсот", 200),
        ("25 тыщ [=тысяч] 900", 25900),
        ("25 900", 25900),
        ("полторы сотни", 150),
        ("пару", 2),
        ("пару десятков", 20),
        ("сто двадцать пять", 125),
        ("тремя", 3),
        ("оба", 2),
        ("двое", 2),
        ("тысяча", 1000),
        ("две тысячи триста", 2300),
        ("пять-шесть", 5),
        ("двісті п'ятдесят", 250),
        ("чотирьох", 4),
        ("полторы тысячи", 1500),
    ],
)
def test_parse_number(phrase, value):
    assert parse_number(phrase) == value


@pytest.mark.parametrize(
    "word, code",
    [("двухсотый", 200), ("двухсотых", 200), ("трёхсотые", 300), ("трехсотого", 300), ("пятисотый", 500),
     ("200-ых", 200), ("300-й", 300), ("двохсотий", 200), ("трьохсоті", 300), ("двести", None), ("200", None),
     ("сотый", None)],
)
def test_casualty_code(word, code):
    assert casualty_code(word) == code


def _read(text):
    return [(s.kind, s.value, s.code) for s in find_numbers(normalise(text).text)]


def test_slang_is_never_the_number():
    assert _read("Сегодня наших 6 трёхсотых. Вчера 4 300.") == [
        ("count", 6, None), ("code", None, 300), ("count", 4, None), ("code", None, 300)]
    assert _read("отправили груз 200") == [("code", None, 200)]
    assert _read("Направить своих 200-ых и 300-ых") == [("code", None, 200), ("code", None, 300)]
    assert parse_number("двухсотый") is None


def test_grid_references_and_ordinals():
    assert _read("Патроны 11-34. Расход 16") == [("count", 16, None)]
    assert _read("выпустили четвёртую ракету") == [("ordinal", 4, None)]
    assert _read("два три") == [("count", 2, None), ("count", 3, None)]


def test_spans_point_into_the_text():
    text = normalise("Я тебе скажу, 25 тыщ [=тысяч] 900 погибших.").text
    (span,) = find_numbers(text)
    assert text[span.start:span.end] == span.text and span.count == 25900
