"""Units, equipment and casualty codes: the lexicon layer (``data/lexicon.yaml``: units, equipment, posts,
day words), formations that are numbered or owned, military unit numbers (в/ч), casualty codes, and
weapons called by a name."""

from __future__ import annotations

import re
from typing import Iterable

from listeningpost.analyze.entity_base import (PRIORITY, _DETERMINERS, _ORDINAL_DIGITS, _ORDINAL_WORDS, Cand,
                                               LexEntry, TurnView, _keys, _ordinal_en, classes, lemma_of_person,
                                               lexicon)
from listeningpost.analyze.entity_dates import _with_part_of_day
from listeningpost.analyze.numbers import find_numbers
from listeningpost.text.morph import all_parses
from listeningpost.text.normalise import fold

_MILITARY_UNIT_NO = re.compile(r"\b[вВ]\s?/\s?[чЧ]\s*№?\s*(\d{4,5})\b")
_ROLE_HEADS = {"командир", "командующий", "начальник"}


def lexicon_layer(v: TurnView) -> Iterable[Cand]:
    lex = lexicon()
    toks, words = v.toks, v.words
    k = 0
    while k < len(words):
        tok = toks[words[k]]
        hit = None
        for key in _keys(tok):
            for e in lex.get(key, ()):
                n = len(e.words)
                span = [toks[i] for i in words[k:k + n]]  # quotes between words do not break a match
                fits = len(span) == n and all(w in (t.lemma, fold(t.text)) for w, t in zip(e.words, span)) \
                    and (not e.upper or all(t.text.isupper() for t in span)) \
                    and (not e.capital or span[0].text[:1].isupper()) \
                    and (not e.quoted or words[k] in v.quoted)
                if fits and (hit is None or n > len(hit.words)):
                    hit = e
        if hit is None:
            k += 1
            continue
        n = len(hit.words)
        yield from _lex_cand(v, hit, words[k], words[k + n - 1] + 1)
        k += n


def _lex_cand(v: TurnView, e: LexEntry, a: int, b: int) -> Iterable[Cand]:
    if e.type == "UNIT_NOUN":
        yield from _unit_from_noun(v, e, a, b)
        return
    if e.type == "DATE_WORD":
        b, norm = _with_part_of_day(v, b, e.norm)
        yield Cand("DATE", a, b, norm, PRIORITY["DATE"], "lexicon")
        return
    if e.type == "PERSON_ROLE" and v.toks[a].lemma in _ROLE_HEADS:
        nxt = v.next_word(b - 1)
        if nxt is not None and any("gent" in str(p.tag) for p in all_parses(v.toks[nxt].text)):
            unit = next((u for u in lexicon().get(v.toks[nxt].lemma, ()) if u.type == "UNIT_NOUN"), None)
            if unit is not None:
                yield Cand("PERSON_ROLE", a, nxt + 1, f"{unit.norm} commander", PRIORITY["PERSON_ROLE"], "lexicon")
                return
    yield Cand(e.type, a, b, e.norm, PRIORITY[e.type], "lexicon")


#: 'у нас в роте', 'у них в батальоне': a formation owned through "у нас" before its preposition
_OWNER_PRONOUNS = {"нас": "speaker's", "них": None, "вас": None}
_UNIT_PREPS = {"в", "во", "из", "с", "со", "на", "по"}


def _unit_from_noun(v: TurnView, e: LexEntry, a: int, b: int) -> Iterable[Cand]:
    """A formation noun is a UNIT when numbered or owned: 'первое хозяйство', 'наш батальон', 'полк 123'."""
    prev = v.prev_word(a)
    nxt = v.next_word(b - 1)
    if prev is not None:
        p = v.toks[prev]
        number = _ORDINAL_WORDS.get(p.lemma) or (_ORDINAL_DIGITS.match(p.text) and int(_ORDINAL_DIGITS.match(p.text).group(1)))
        if number:
            yield Cand("UNIT", prev, b, f"{_ordinal_en(number)} {e.norm}", PRIORITY["UNIT"], "unit")
            return
        if p.lemma in _DETERMINERS:
            yield Cand("UNIT", a, b, f"{e.norm} (speaker's)" if p.lemma in ("наш", "мой", "свой", "весь") else e.norm,
                       PRIORITY["UNIT"], "unit")
            return
        owner, u = v.prev_word(prev), None
        if fold(p.text) in _UNIT_PREPS and owner is not None and fold(v.toks[owner].text) in _OWNER_PRONOUNS:
            u = v.prev_word(owner)
        if u is not None and fold(v.toks[u].text) == "у":
            whose = _OWNER_PRONOUNS[fold(v.toks[owner].text)]
            yield Cand("UNIT", a, b, f"{e.norm} ({whose})" if whose else e.norm, PRIORITY["UNIT"], "unit")
            return
    if nxt is not None and v.toks[nxt].text.isdigit():
        yield Cand("UNIT", a, nxt + 1, f"{_ordinal_en(int(v.toks[nxt].text))} {e.norm}", PRIORITY["UNIT"], "unit")


def casualty_layer(v: TurnView) -> Iterable[Cand]:
    """Casualty codes as ``numbers.find_numbers`` reads them (slang first): двухсотый / трёхсотых / 200-ых in
    every inflection, 'груз 200', and a bare 300 right after a count ('Вчера 4 300')."""
    for span in (s for s in find_numbers(v.turn.norm.text) if s.kind == "code"):  # 200, 300 or 500
        if words := v.span(span.start, span.end):
            meaning = {200: "killed", 300: "wounded", 500: "refuser"}[span.code]
            yield Cand("CASUALTY_CODE", *words, f'{meaning} ("{span.code}")', PRIORITY["CASUALTY_CODE"],
                       "casualty")


def military_unit_numbers(v: TurnView) -> Iterable[Cand]:
    for m in _MILITARY_UNIT_NO.finditer(v.turn.norm.text):
        if span := v.span(m.start(), m.end()):
            yield Cand("UNIT", *span, f"military unit {m.group(1)}", PRIORITY["UNIT"] + 2, "vch")


def weapon_name_layer(v: TurnView) -> Iterable[Cand]:
    """A weapon called by a name ("Максим", "Печенег", "Утёс") is EQUIPMENT when a weapon cue is near."""
    names, cues = classes()["WEAPON_NAMES"], classes()["WEAPON_CUES"]
    for k, i in enumerate(v.words):
        t = v.toks[i]
        if not (t.text[:1].isupper() or i in v.quoted):
            continue
        lem = t.lemma if t.lemma in names else lemma_of_person(t)
        if lem not in names:
            continue
        near = [v.toks[j] for j in v.words[max(0, k - 6):k + 7] if j != i]
        if any(n.lemma in cues or any(e.type == "EQUIPMENT" for e in lexicon().get(n.lemma, ())) for n in near):
            yield Cand("EQUIPMENT", i, i + 1, names[lem], PRIORITY["EQUIPMENT"] + 1, "weapon-name")
