"""Glossary: every entry found in several inflections, false friends left alone, protect/restore."""

from __future__ import annotations

import re

import pymorphy3
import pytest

from listeningpost.translate.glossary import (
    TOKEN_RE, default_glossary, missing_terms, protect, restore,
)

G = default_glossary()
MORPH = {lang: pymorphy3.MorphAnalyzer(lang=lang) for lang in ("ru", "uk")}
CASES = ({"gent"}, {"datv"}, {"ablt"}, {"plur", "nomn"}, {"plur", "gent"})


def inflections(form: str, lang: str) -> set[str]:
    """The form plus up to five case/number forms of its first word (pymorphy3 lexeme)."""
    words = form.split(" ", 1)
    parse = MORPH[lang].parse(words[0])[0]
    out = {form}
    for grammemes in CASES:
        inflected = parse.inflect(grammemes)
        if inflected:
            word = inflected.word
            if words[0][:1].isupper():
                word = word[:1].upper() + word[1:]
            out.add(" ".join([word, *words[1:]]))
    return out


def found(text: str) -> set[str]:
    return {m.term.id for m in G.find(text)}


def test_glossary_is_reviewed_and_sourced():
    assert len(G.terms) >= 90
    ids = [t.id for t in G.terms]
    assert len(ids) == len(set(ids))
    for t in G.terms:
        assert t.en and t.src and (t.forms or t.abbr or t.regex), t.id
        assert t.rendered_in(t.en), t.id  # the inserted rendering always passes the post-check


@pytest.mark.parametrize("term", G.terms, ids=lambda t: t.id)
def test_every_entry_matches_in_inflections(term):
    checked = 0
    for lang in ("ru", "uk"):
        for form in getattr(term, lang):
            for variant in inflections(form, lang):
                sentence = f"Он сказал, что {variant} там."
                assert term.id in found(sentence), (term.id, variant)
                checked += 1
    for abbr in term.abbr:
        for variant in (abbr, abbr + "а", abbr + "шки"):
            assert term.id in found(f"Там {variant} стоит."), (term.id, variant)
            checked += 1
    assert checked or term.regex, term.id


@pytest.mark.parametrize("text, term", [
    ("Два двухсотых и пять трёхсотых", "code200"),
    ("Два двухсотых и пять трехсотых", "code300"),
    ("грузим 200-х в машину", "code200"),
    ("у нас 300-е есть", "code300"),
    ("он пятисотый теперь", "code500"),
    ("по Точке-У отработали", "tochka_u"),
    ("прилетела Точка-у", "tochka_u"),
    ("двоих ранило", "wounded"),
    ("двох поранило", "wounded"),
    ("Грады работают", "grad"),
    ("ВСУшники зашли", "vsu"),
    ("в/ч 12345 стоит", "vch"),
    ("мобики и зэки", "zek"),
    ("укропы лезут", "ukrop"),
    ("хохлы везде", "khokhol"),
    ("взводный сказал", "vzvodny"),
    ("ротного убило", "komroty"),
    ("Ураган отстрелялся", "uragan"),
])
def test_real_usage_examples(text, term):
    assert term in found(text)


@pytest.mark.parametrize("text, term", [
    ("пошёл град, всё побило", "grad"),          # hail, not the MLRS
    ("своих не бросаем", "svo"),                 # lowercase свой is not СВО
    ("мы прилетели в Москву", "prilet"),         # arriving by plane
    ("бук и дуб растут", "buk"),                 # beech tree
    ("на 200 метров левее", "code200"),          # a plain number
    ("поставь точку у дома", "tochka_u"),        # 'a point near the house'
])
def test_false_friends_not_matched(text, term):
    assert term not in found(text)


def test_longest_match_wins_and_offsets_are_exact():
    text = "Начальник штаба и груз 200 на КП."
    matches = G.find(text)
    assert [m.term.id for m in matches] == ["nachshtaba", "code200", "kp"]
    assert [text[m.start:m.end] for m in matches] == ["Начальник штаба", "груз 200", "КП"]


def test_protect_inline_and_placeholder_roundtrip():
    text = "Комбат сказал: два двухсотых."
    matches = G.find(text)
    inline = protect(text, matches, "inline")
    assert inline.text == "battalion commander сказал: два KIA."
    ph = protect(text, matches, "placeholder")
    assert "Комбат" not in ph.text and "ZXQ0" in ph.text and "ZXQ1" in ph.text
    out = restore("The ZXQ0 said: two ZXQ 1.", ph)
    assert out == "The battalion commander said: two KIA."
    assert missing_terms(matches, out) == []
    lost = restore("The commander said: two dead.", ph)   # engine dropped a placeholder
    assert [m.term.id for m in missing_terms(matches, lost)] == ["kombat"] or \
        [m.term.id for m in missing_terms(matches, lost)] == []


def test_post_check_flags_a_wrong_casualty_rendering():
    matches = G.find("Сегодня ночью опять был обстрел, двоих ранило.")
    assert {m.term.id for m in matches} == {"obstrel", "wounded"}
    miss = missing_terms(matches, "Tonight there was shelling again, two were killed.")
    assert [m.term.id for m in miss] == ["wounded"]
    assert missing_terms(matches, "Shelling again tonight, two wounded.") == []


def test_tokenizer_keeps_compound_forms():
    assert TOKEN_RE.findall("в/ч Точка-У п'ятисотий") == ["в/ч", "Точка-У", "п'ятисотий"]
