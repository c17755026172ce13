"""People and call signs: quoted and radio-addressed call signs, call signs in the role of a person on
the radio, first names and surnames, vocatives and short names, and posts that stand for one person."""

from __future__ import annotations

import re
from typing import Iterable

from listeningpost.analyze.document import Token
from listeningpost.analyze.entity_base import (PRIORITY, _DETERMINERS, _ORDINAL_DIGITS, _PROCEDURE, _PRONOUNS, Cand,
                                               TurnView, _female_name, _is_name, _name_first, _ordinal_en, classes,
                                               lemma_of_name, lemma_of_person, lexicon, not_a_name, translit)
from listeningpost.analyze.structure import classes_of
from listeningpost.text.morph import all_parses, analyzer
from listeningpost.text.normalise import fold

_ADDRESSED = re.compile(r"[\"»”]?\s*,\s*[яЯ]\b")  # 'Шестой, я ...': the word before is who is called
_CODE_CALLSIGN = re.compile(r"^\d{1,3}(?:-\d{1,3}){2,}$")


def callsign_layer(v: TurnView) -> Iterable[Cand]:
    toks = v.toks
    for a, b in v.quote_spans:
        if b - a <= 3 and (toks[a].text[:1].isupper() or toks[a].text[:1].isdigit()):
            yield Cand("CALLSIGN", a, b, _callsign_norm(toks[a:b]), PRIORITY["CALLSIGN"], "quoted")
    for i in v.words:
        t = toks[i]
        if _CODE_CALLSIGN.match(t.text):
            yield Cand("CALLSIGN", i, i + 1, _code_norm(t.text), PRIORITY["CALLSIGN"], "code")
            continue
        prev = v.prev_word(i)
        # radio address: "Шестой, я Первый", "я Шестой", "позывной Пчела"
        if prev is not None and toks[prev].lemma in ("я", "позывной") and _name_like(v, i) \
                and not (toks[prev].lemma == "я" and _personal_name(t)):
            yield Cand("CALLSIGN", i, _with_number(v, i), _callsign_norm(toks[i:_with_number(v, i)]),
                       PRIORITY["CALLSIGN"], "address")
        elif _name_like(v, i) and _ADDRESSED.match(v.turn.norm.text, t.nend) and not _personal_name(t):
            yield Cand("CALLSIGN", i, i + 1, _callsign_norm(toks[i:i + 1]), PRIORITY["CALLSIGN"], "address")


#: verbs whose addressee is a person or a radio station ("ответь Пятому", "передай Вектору")
_TALK_VERBS = {"ответить", "отвечать", "сказать", "говорить", "передать", "передавать", "доложить", "докладывать",
               "позвонить", "звонить", "вызвать", "вызывать", "слышать", "связаться", "отозваться", "сообщить"}
#: radio procedure that marks an address ("Кедр, как слышно? Приём")
_RADIO = {"прием", "ответь", "ответьте", "слышно", "слышишь", "слышите", "отзовись", "доложи", "доложите"}
#: kin and endearments: a vocative of family, never newly taken as a call sign
_KIN = {"мама", "мамочка", "мамуля", "папа", "папка", "батя", "бабушка", "бабуля", "дедушка", "дед", "сын", "сынок",
        "дочь", "доча", "дочка", "брат", "братан", "братишка", "сестра", "сестренка", "жена", "муж", "дорогой",
        "дорогая", "любимый", "любимая", "родной", "родная", "солнце", "зайка", "котик", "малыш", "милый", "милая"}


def role_callsign_layer(v: TurnView) -> Iterable[Cand]:
    """A capitalised common noun or ordinal (not a name, place or lexicon word) in the role of a person on
    the radio is a call sign: addressed ("Кедр, как слышно?") or the addressee of a verb of talking
    ("ответь Пятому", "передай Вектору")."""
    for k, i in enumerate(v.words):
        t = v.toks[i]
        if not _callsign_word(v, i):
            continue
        prev = [v.toks[j].lemma for j in v.words[max(0, k - 2):k]]
        addressee = any(p in _TALK_VERBS for p in prev) and bool({"datv", "accs"} & t.tags)
        if addressee or _vocative_position(v, i) and _addressed_clause(v, k):
            yield Cand("CALLSIGN", i, i + 1, _callsign_norm([t]), PRIORITY["CALLSIGN"], "role")


def _callsign_word(v: TurnView, i: int) -> bool:
    t = v.toks[i]
    if not t.text[:1].isupper() or i in v.quoted or t.text.isupper() or "-" in t.text or not_a_name(t):
        return False
    top = all_parses(t.text)[0]
    if {"Name", "Surn", "Patr", "Geox", "Orgn", "Abbr"} & top.tag.grammemes:
        return False
    if t.lemma in _KIN or t.lemma in lexicon() or t.lemma in classes()["POSTS"] or t.lemma in _PRONOUNS | _PROCEDURE:
        return False
    return top.tag.POS == "NOUN" or top.tag.POS == "ADJF" and "Anum" in t.tags


def _addressed_clause(v: TurnView, k: int) -> bool:
    """The words after an address speak to someone: a 2nd-person or imperative verb, or radio procedure."""
    after = [v.toks[j] for j in v.words[k + 1:k + 6]]
    return any(fold(a.text) in _RADIO or "2per" in a.tags or "impr" in a.tags for a in after)


def _personal_name(t: Token) -> bool:
    """A girl's name or a vocative/short first name: someone called by name, not a call sign."""
    return _female_name(t) or short_name(t) is not None


def _name_like(v: TurnView, i: int) -> bool:
    t = v.toks[i]
    return (t.text[:1].isupper() or bool(_ORDINAL_DIGITS.match(t.text))) and t.lemma not in _PRONOUNS | _PROCEDURE \
        and not not_a_name(t) and fold(t.text) not in _PROCEDURE \
        and t.pos not in ("VERB", "INFN", "PRCL", "CONJ", "PREP", "INTJ", "ADVB", "NPRO")


def _with_number(v: TurnView, i: int) -> int:
    nxt = v.next_word(i)
    return nxt + 1 if nxt is not None and v.toks[nxt].text.isdigit() and "-" not in v.toks[i].text else i + 1


def _code_norm(text: str) -> str:
    parts = text.split("-")
    return "-".join(parts[:2]) + "-" + "".join(parts[2:]) if len(parts) > 3 else text


def _callsign_norm(toks: list[Token]) -> str:
    return " ".join(map(_callsign_word_norm, toks))


def _callsign_word_norm(t: Token) -> str:
    if m := _ORDINAL_DIGITS.match(t.text):
        return _ordinal_en(int(m.group(1)))
    head, _, tail = t.text.partition("-")
    return translit(lemma_of_name(head)).capitalize() + (f"-{tail}" if tail else "")


def name_layer(v: TurnView) -> Iterable[Cand]:
    """A capitalised first name / surname the dictionary knows (Лёха, Володьке, Путин) outside quotes."""
    for i in v.words:
        t = v.toks[i]
        if i in v.quoted or t.text.isupper() or "-" in t.text or not _is_name(t) or not_a_name(t):
            continue
        if v.starts_sentence(i) and t.known and not _name_first(t):
            continue  # a sentence-initial common word that is also a rare name
        yield Cand("PERSON", i, i + 1, translit(lemma_of_person(t)).capitalize(), PRIORITY["PERSON"] - 1, "name")


_VOCATIVE_AFTER = re.compile(r"\s*(?:[,!?]|\.\.\.|…|$)")


def short_name(t: Token) -> str | None:
    """The full first name of a vocative or short form ("Коль" -> коля, "Вов" -> вова, "Насть" -> настя)."""
    if not t.text[:1].isupper() or "-" in t.text or len(t.text) < 3 or fold(t.text[-1]) in "аеиоуыэюяй":
        return None  # a short form drops the final vowel: Вова -> Вов, Коля -> Коль
    if all_parses(t.text)[0].tag.POS in ("NPRO", "PREP", "PRCL", "NUMR", "VERB", "INFN", "ADVB", "PRED"):
        return None  # "Вас" is the pronoun, not Вася
    for p in all_parses(t.text)[:3]:
        if "Name" in p.tag and "voct" in p.tag:
            return fold(p.normal_form)
    stem = t.text[:-1] if t.text.endswith("ь") else t.text
    for full in (stem + "я", stem + "а") if t.text.endswith("ь") else (t.text + "а", t.text + "я"):
        p = all_parses(full)[0]
        if "Name" in p.tag and "nomn" in p.tag and "sing" in p.tag and analyzer("ru").word_is_known(full.lower()):
            return fold(p.normal_form)
    return None


def _vocative_position(v: TurnView, i: int) -> bool:
    """Set off as an address: a comma, "!" / "?" or the end after it ("Коль, ты где?", "Давай, Вов!")."""
    t = v.toks[i]
    return bool(_VOCATIVE_AFTER.match(v.turn.norm.text, t.nend)) and t.nend <= len(v.turn.norm.text)


def vocative_layer(v: TurnView) -> Iterable[Cand]:
    """Vocative and short name forms in address position are PERSONs (a call to Коля, not a call sign)."""
    for i in v.words:
        t = v.toks[i]
        if not t.text[:1].isupper() or i in v.quoted or not _vocative_position(v, i) or not_a_name(t):
            continue
        if name := short_name(t):
            yield Cand("PERSON", i, i + 1, translit(name).capitalize(), PRIORITY["CALLSIGN"] + 1, "vocative")


def post_layer(v: TurnView) -> Iterable[Cand]:
    """A post in the singular stands for one person (PERSON_ROLE): "танкиста", "офицер мобилизованный";
    an agreeing adjective right after it belongs to it."""
    posts = classes()["POSTS"]
    for i in v.words:
        t = v.toks[i]
        if t.lemma not in posts or i in v.quoted or "sing" not in t.tags:
            continue
        end, nxt = i + 1, v.next_word(i)
        if nxt is not None and _agrees(t, v.toks[nxt]):
            end = nxt + 1
        if end > i + 1 or _specific(v, i):
            yield Cand("PERSON_ROLE", i, end, posts[t.lemma], PRIORITY["PERSON_ROLE"], "post")


def _specific(v: TurnView, i: int) -> bool:
    """A post that stands for one participant: acted upon (an oblique case: "танкиста убили"), owned or
    pointed at ("наш снайпер", "этот офицер"), or the subject of a casualty predicate ("наводчик погиб")."""
    t, prev = v.toks[i], v.prev_word(i)
    if "nomn" not in t.tags:
        return True
    if prev is not None and v.toks[prev].lemma in _DETERMINERS | {"тот", "твой", "ваш"}:
        return True
    return any(classes_of(v.toks[j]) for j in v.words if i < j <= i + 3)


def _agrees(noun: Token, adj: Token) -> bool:
    cases = {"nomn", "gent", "datv", "accs", "ablt", "loct"}
    return adj.pos in ("ADJF", "PRTF") and "Apro" not in adj.tags and "sing" in adj.tags \
        and bool(noun.tags & adj.tags & cases)
