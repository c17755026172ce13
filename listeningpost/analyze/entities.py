"""Entity extraction: natasha NER for PERSON/PLACE/ORG, then rule layers for what news NER lacks.

``extract_entities(doc)`` fills ``doc.entities``. Each layer proposes candidate spans with a priority;
overlaps are resolved per turn (higher priority, then longer span, wins); PLACEs are geocoded last so
that the call's other places give oblast context. Every entity gets a canonical English/Latin ``norm``
so inflected forms across calls group together (Лампасу / Лампас-28 -> Lampas / Lampas-28).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml

from listeningpost.analyze.document import AnalysisDoc, DocTurn, Entity, Token
from listeningpost.analyze.geocode import gazetteer
from listeningpost.analyze.numbers import find_numbers, parse_number
from listeningpost.analyze.structure import classes_of
from listeningpost.text.morph import all_parses, analyzer
from listeningpost.text.normalise import fold

DATA = Path(__file__).parent / "data"

# candidate priority when spans overlap
PRIORITY = {"CASUALTY_CODE": 9, "DATE": 8, "PERSON_ROLE": 7, "EQUIPMENT": 7, "UNIT": 6, "ORG": 5,
            "CALLSIGN": 5, "PLACE": 4, "PERSON": 3}
_QUOTES = re.compile(r"[\"«„“]([^\"«»„“”\n]{1,40}?)[\"»“”]")
_ORDINAL_DIGITS = re.compile(r"^(\d+)-?(?:ый|ой|ий|й|ая|я|ое|е|го|му|м|ым|ых|ые)$", re.IGNORECASE)
_ADDRESSED = re.compile(r"[\"»”]?\s*,\s*[яЯ]\b")  # 'Шестой, я ...': the word before is who is called
_CODE_CALLSIGN = re.compile(r"^\d{1,3}(?:-\d{1,3}){2,}$")
_MILITARY_UNIT_NO = re.compile(r"\b[вВ]\s?/\s?[чЧ]\s*№?\s*(\d{4,5})\b")
_GRID = re.compile(r"\b[рР]айон[е]?\s+([А-ЯЁ][а-яё]+)\s+(\d+-\d+)")
_TIME_OF_DAY = re.compile(r"\b[вВ]\s+(\d{1,2}|один|одиннадцать|двенадцать|два|две|три|четыре|пять|шесть|семь|восемь|"
                          r"девять|десять)\s+(утра|вечера|ночи|часов|часа|час)\b")
_DAY_RANGE = re.compile(r"\b[сС]\s+\d{1,2}-?(?:го|е)?\s+по\s+\d{1,2}-?(?:го|е)?(?:\s+[а-яё]+(?:я|а))?")
_MONTHS = ("январ", "феврал", "март", "апрел", "ма[йя]", "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр")
_DAY_MONTH = re.compile(r"\b\d{1,2}(?:-?(?:го|е))?\s+(?:" + "|".join(_MONTHS) + r")[а-яё]*", re.IGNORECASE)
_TIME_UNITS = {"минута": "minute", "час": "hour", "день": "day", "сутки": "day", "неделя": "week", "месяц": "month",
               "год": "year", "хвилина": "minute", "тиждень": "week", "місяць": "month", "рік": "year"}
_RELATIVE = {"прошлый": "last", "этот": "this", "следующий": "next", "позапрошлый": "the one before last"}
_FEW = {"пара": 2, "несколько": "several", "полтора": 1.5, "пару": 2}
_DETERMINERS = {"наш", "весь", "свой", "мой", "ваш", "их", "его", "соседний", "этот"}
_ORDINAL_WORDS = {"первый": 1, "второй": 2, "третий": 3, "четвертый": 4, "пятый": 5, "шестой": 6, "седьмой": 7,
                  "восьмой": 8, "девятый": 9, "десятый": 10}
_NAME_TAGS = {"Name", "Surn", "Patr"}
_ROLE_HEADS = {"командир", "командующий", "начальник"}
_PRONOUNS = {"я", "ты", "вы", "мы", "он", "она", "они", "оно"}
# radio procedure words that follow "я" but are not call signs
_PROCEDURE = {"прием", "понял", "понять", "принял", "принять", "повторяю", "повторять", "конец", "связь", "слышу",
              "слышать", "да", "нет", "здесь", "тут", "на", "приду", "приеду"}


# --- lexicons -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LexEntry:
    type: str
    words: tuple[str, ...]
    norm: str
    upper: bool = False  # surface must be in capitals
    capital: bool = False  # surface must start with a capital
    quoted: bool = False  # only inside quotes (slang that is a common word otherwise)


@lru_cache(maxsize=1)
def lexicon() -> dict[str, list[LexEntry]]:
    """First word -> entries (longest first)."""
    raw = yaml.safe_load((DATA / "lexicon.yaml").read_text(encoding="utf-8"))
    index: dict[str, list[LexEntry]] = {}
    for etype, items in raw.items():
        for it in items:
            words = tuple(fold(w) for w in str(it["match"]).split())
            entry = LexEntry(etype, words, it["norm"], it.get("upper", False), it.get("capital", False),
                             it.get("quoted", False))
            index.setdefault(words[0], []).append(entry)
    for entries in index.values():
        entries.sort(key=lambda e: -len(e.words))
    return index


@lru_cache(maxsize=1)
def classes() -> dict:
    """Lemma classes of data/entity_classes.yaml: POSTS, WEAPON_NAMES, WEAPON_CUES, NOT_NAMES."""
    raw = yaml.safe_load((DATA / "entity_classes.yaml").read_text(encoding="utf-8"))
    return {k: (dict(v) if isinstance(v, dict) else frozenset(v)) for k, v in raw.items()}


#: swear roots: a capitalised "Хуясе" or "Ёбана" is never a name
_SWEAR_ROOT = re.compile(r"^(?:ху[йяеию]|пизд|[её]б|бля|нах)")


def not_a_name(t: Token) -> bool:
    """Interjections, fillers and swearing: the stop class for PERSON and CALLSIGN."""
    key = fold(t.text)
    if key in classes()["NOT_NAMES"] or t.lemma in classes()["NOT_NAMES"] or _SWEAR_ROOT.match(key):
        return True
    return any(p.tag.POS == "INTJ" for p in all_parses(t.text)[:2])


def _keys(tok: Token) -> set[str]:
    return {tok.lemma, fold(tok.text)}


# --- candidates -----------------------------------------------------------------------------------


@dataclass
class Cand:
    type: str
    start: int  # token index range [start, end) in the turn's word list
    end: int
    norm: str
    priority: int
    layer: str


class TurnView:
    """The word tokens of a turn with the facts layers ask about."""

    def __init__(self, turn: DocTurn):
        self.turn = turn
        self.toks = [t for t in turn.tokens if t.is_word or t.text in ('"', "«", "»", "“", "”", "„")]
        self.words = [i for i, t in enumerate(self.toks) if t.is_word]
        norm = turn.norm.text
        self.quoted: set[int] = set()
        self.quote_spans: list[tuple[int, int]] = []
        for m in _QUOTES.finditer(norm):
            idx = [i for i, t in enumerate(self.toks) if t.is_word and m.start(1) <= t.nstart and t.nend <= m.end(1)]
            if idx:
                self.quoted.update(idx)
                self.quote_spans.append((idx[0], idx[-1] + 1))
        self.sent_start = set()
        for s in turn.sentences:
            first = next((t for t in s.tokens if t.is_word), None)
            if first is not None:
                self.sent_start.add(first.nstart)

    def capital(self, i: int) -> bool:
        return self.toks[i].text[:1].isupper()

    def starts_sentence(self, i: int) -> bool:
        return self.toks[i].nstart in self.sent_start

    def next_word(self, i: int) -> int | None:
        j = i + 1
        return j if j < len(self.toks) and self.toks[j].is_word else None

    def prev_word(self, i: int) -> int | None:
        j = i - 1
        return j if j >= 0 and self.toks[j].is_word else None


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
                if len(span) < n or not all(w == t.lemma or w == fold(t.text) for w, t in zip(e.words, span)):
                    continue
                if e.upper and not all(t.text.isupper() for t in span):
                    continue
                if e.capital and not span[0].text[:1].isupper():
                    continue
                if e.quoted and words[k] not in v.quoted:
                    continue
                if hit is None or n > len(hit.words):
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


#: a part of the day after a day word: 'сегодня с утра', 'вчера вечером' (folded surface words)
_PART_OF_DAY = {("с", "утра"): "morning", ("утром",): "morning", ("с", "вечера"): "evening",
                ("вечером",): "evening", ("ночью",): "night", ("днем",): "afternoon", ("с", "ночи"): "night"}
_DAY_PART_EN = {"today": "this", "yesterday": "yesterday", "tomorrow": "tomorrow"}


def _with_part_of_day(v: TurnView, b: int, norm: str) -> tuple[int, str]:
    """Extend a day word over a following part of the day: 'сегодня с утра' -> 'this morning'."""
    if norm not in _DAY_PART_EN:
        return b, norm
    for words, part in _PART_OF_DAY.items():
        idx, j = [], b - 1
        for w in words:
            j = v.next_word(j)
            if j is None or fold(v.toks[j].text) != w:
                break
            idx.append(j)
        else:
            return idx[-1] + 1, f"{_DAY_PART_EN[norm]} {part}"
    return b, norm


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


def _ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def casualty_layer(v: TurnView) -> Iterable[Cand]:
    """Casualty codes as ``numbers.find_numbers`` reads them (slang first): двухсотый / трёхсотых / 200-ых in
    every inflection, 'груз 200', and a bare 300 right after a count ('Вчера 4 300')."""
    for span in find_numbers(v.turn.norm.text):
        if span.kind != "code" or not span.code:
            continue
        idx = [i for i, t in enumerate(v.toks) if t.is_word and span.start <= t.nstart and t.nend <= span.end]
        if idx:
            meaning = {200: "killed", 300: "wounded", 400: "shell-shocked", 500: "refuser"}.get(span.code, "casualty")
            yield Cand("CASUALTY_CODE", idx[0], idx[-1] + 1, f'{meaning} ("{span.code}")', PRIORITY["CASUALTY_CODE"],
                       "casualty")


def callsign_layer(v: TurnView) -> Iterable[Cand]:
    toks = v.toks
    for a, b in v.quote_spans:
        if b - a > 3:
            continue
        first = toks[a]
        if first.text[:1].isupper() or first.text[:1].isdigit():
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
    if {"Name", "Surn", "Patr", "Geox", "Orgn", "Abbr"} & set(str(top.tag).replace(" ", ",").split(",")):
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
        and not not_a_name(t) \
        and fold(t.text) not in _PROCEDURE and t.pos not in (
        "VERB", "INFN", "PRCL", "CONJ", "PREP", "INTJ", "ADVB", "NPRO")


def _with_number(v: TurnView, i: int) -> int:
    nxt = v.next_word(i)
    return nxt + 1 if nxt is not None and v.toks[nxt].text.isdigit() and "-" not in v.toks[i].text else i + 1


def _code_norm(text: str) -> str:
    parts = text.split("-")
    return "-".join(parts[:2]) + "-" + "".join(parts[2:]) if len(parts) > 3 else text


def _callsign_norm(toks: list[Token]) -> str:
    out = []
    for t in toks:
        m = _ORDINAL_DIGITS.match(t.text)
        if m:
            out.append(_ordinal_en(int(m.group(1))))
            continue
        head, _, tail = t.text.partition("-")
        base = lemma_of_name(head)
        out.append(translit(base).capitalize() + (f"-{tail}" if tail else ""))
    return " ".join(out)


def lemma_of_name(word: str) -> str:
    """Nominative of a name-like word: prefer a noun parse (Лампасу -> лампас, Шестой -> шестой)."""
    parses = all_parses(word)
    nouns = [p for p in parses if p.tag.POS == "NOUN"]
    return fold((nouns or parses)[0].normal_form) if parses else fold(word)


def date_layer(v: TurnView) -> Iterable[Cand]:
    toks = v.toks
    for i in v.words:
        unit = _TIME_UNITS.get(toks[i].lemma)
        if unit is None or "-" in toks[i].text:
            continue
        a, b, number = i, i + 1, None
        prev = v.prev_word(i)
        if prev is not None and _number(toks[prev]) is not None:
            a, number = prev, _number(toks[prev])
        elif prev is not None and toks[prev].lemma in _RELATIVE:
            yield Cand("DATE", prev, i + 1, f"{_RELATIVE[toks[prev].lemma]} {unit}", PRIORITY["DATE"], "date")
            continue
        nxt = v.next_word(i)
        if number is None and nxt is not None and _number(toks[nxt]) is not None:
            b, number = nxt + 1, _number(toks[nxt])  # 'минут сорок' (about forty minutes)
        ago = v.next_word(b - 1)
        is_ago = ago is not None and toks[ago].lemma in ("назад", "спустя", "тому")
        if is_ago:
            b = ago + 1
        before = v.prev_word(a)
        already = before is not None and toks[before].lemma == "уже"
        bare_duration = number is None and unit in ("week", "month", "year") and {"accs", "sing"} <= toks[i].tags
        if number is None and not is_ago and not bare_duration and not already:
            continue
        if already and unit in ("week", "month", "year", "day"):
            a = before
        norm = _duration_norm(number, unit, is_ago, already)
        yield Cand("DATE", a, b, norm, PRIORITY["DATE"], "date")
    yield from _regex_dates(v)


def _regex_dates(v: TurnView) -> Iterable[Cand]:
    norm = v.turn.norm.text
    for rx, label in ((_TIME_OF_DAY, "time of day"), (_DAY_RANGE, "date range"), (_DAY_MONTH, "date")):
        for m in rx.finditer(norm):
            idx = [i for i, t in enumerate(v.toks) if t.is_word and m.start() <= t.nstart and t.nend <= m.end()]
            if idx:
                yield Cand("DATE", idx[0], idx[-1] + 1, _date_text_norm(m.group(0), label), PRIORITY["DATE"] + 1, "date")


_MONTHS_EN = dict(zip(_MONTHS, ("January", "February", "March", "April", "May", "June", "July", "August",
                                 "September", "October", "November", "December")))


def _date_text_norm(text: str, label: str) -> str:
    """'23 февраля' -> '23 February'; 'в пять утра' -> 'time of day: 5 utra'."""
    out = []
    for word in fold(text).split():
        month = next((en for stem, en in _MONTHS_EN.items() if re.match(stem, word)), None)
        value = parse_number(word) if not word[:1].isdigit() else None
        out.append(month or (str(value) if value is not None else re.sub(r"-?(го|е)$", "", word)))
    return f"{label}: {' '.join(out)}" if label != "date" else " ".join(out)


def _number(tok: Token) -> float | str | None:
    if tok.text.isdigit():
        return int(tok.text)
    if tok.lemma in _FEW:
        return _FEW[tok.lemma]
    if "NUMR" in tok.tags or tok.lemma in ("один", "одна", "полтора"):
        return parse_number(tok.text)
    return None


def _duration_norm(number: float | str | None, unit: str, ago: bool, already: bool) -> str:
    if isinstance(number, str):
        text = f"{number} {unit}s"
    elif number:
        n = int(number) if float(number).is_integer() else number
        text = f"{n} {unit}{'s' if n != 1 else ''}"
    else:
        text = f"a {unit}" if not already else f"for a {unit}"
    return f"{text} ago" if ago else text


def natasha_layer(v: TurnView, spans: list[tuple[str, int, int]]) -> Iterable[Cand]:
    """natasha PER/LOC/ORG, kept only where our own evidence agrees (news NER misfires on profanity)."""
    toks = v.toks
    for kind, nstart, nend in spans:
        idx = [i for i, t in enumerate(toks) if t.is_word and nstart <= t.nstart and t.nend <= nend]
        if not idx:
            continue
        a, b = idx[0], idx[-1] + 1
        words = [toks[i] for i in idx]
        if kind == "PER":
            if any(_is_name(t) for t in words) and not any(not_a_name(t) for t in words):
                yield Cand("PERSON", a, b, " ".join(translit(lemma_of_person(t)).capitalize() for t in words),
                           PRIORITY["PERSON"], "natasha")
        elif kind == "LOC":
            if words[-1].lemma in ("монастырь", "лавра", "собор") or any(_is_geo(t) for t in words) or gazetteer().lookup(
                    [t.text for t in words]):
                yield Cand("PLACE", a, b, "", PRIORITY["PLACE"], "natasha")
        elif kind == "ORG":
            if words[-1].lemma in ("монастырь", "лавра", "собор"):
                yield Cand("PLACE", a, b, " ".join(translit(t.text) for t in words), PRIORITY["PLACE"], "natasha")
            elif len(words) == 1 and words[0].text.isupper() and 2 <= len(words[0].text) <= 6 and a not in v.quoted:
                yield Cand("ORG", a, b, translit(words[0].text).upper(), PRIORITY["ORG"] - 1, "natasha")


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
        name = short_name(t)
        if name:
            yield Cand("PERSON", i, i + 1, translit(name).capitalize(), PRIORITY["CALLSIGN"] + 1, "vocative")


def _female_name(t: Token) -> bool:
    p = all_parses(t.text)[0] if t.text[:1].isupper() else None
    return p is not None and "Name" in p.tag and "femn" in p.tag


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
    after = [v.toks[j] for j in v.words if i < j <= i + 3]
    return any(classes_of(a) for a in after)


def _agrees(noun: Token, adj: Token) -> bool:
    cases = {"nomn", "gent", "datv", "accs", "ablt", "loct"}
    return adj.pos in ("ADJF", "PRTF") and "Apro" not in adj.tags and "sing" in adj.tags \
        and bool(noun.tags & adj.tags & cases)


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


def _name_first(t: Token) -> bool:
    parses = all_parses(t.text)
    return bool(parses) and bool(_NAME_TAGS & set(str(parses[0].tag).replace(" ", ",").split(",")))


def _is_name(t: Token) -> bool:
    if not t.text[:1].isupper():
        return False
    parses = all_parses(t.text)
    return any(_NAME_TAGS & set(str(p.tag).replace(" ", ",").split(",")) for p in parses[:3])


def lemma_of_person(t: Token) -> str:
    for p in all_parses(t.text):
        if _NAME_TAGS & set(str(p.tag).replace(" ", ",").split(",")):
            return fold(p.normal_form)
    return t.lemma


def _is_geo(t: Token) -> bool:
    return t.text[:1].isupper() and any("Geox" in str(p.tag) for p in all_parses(t.text)[:3])


def place_layer(v: TurnView) -> Iterable[Cand]:
    """Capitalised words the gazetteer knows, when introduced as places ('под Бахмутом', 'в Лимане')."""
    toks = v.toks
    g = gazetteer()
    for i in v.words:
        t = toks[i]
        if not t.text[:1].isupper() or i in v.quoted or t.text.isupper():
            continue
        prev = v.prev_word(i)
        after_prep = prev is not None and fold(toks[prev].text) in _PLACE_PREPS
        for n in (2, 1):
            span = toks[i:i + n]
            if len(span) < n or not all(s.is_word for s in span):
                continue
            found = g.lookup([s.text for s in span])
            trusted = [p for p in found if p.source in ("hand", "infoportal", "radatlas") or p.kind == "M"]
            if trusted and (after_prep or any(p.source == "hand" for p in trusted) or _is_geo(t)):
                yield Cand("PLACE", i, i + n, "", PRIORITY["PLACE"] + 1, "gazetteer")
                break
            if found and after_prep and (_is_geo(t) or not t.known):
                yield Cand("PLACE", i, i + n, "", PRIORITY["PLACE"], "gazetteer")
                break
    yield from _place_adjectives(v)
    for m in _GRID.finditer(v.turn.norm.text):
        idx = [i for i, t in enumerate(toks) if t.is_word and m.start(1) <= t.nstart and t.nend <= m.end(2)]
        if idx:
            yield Cand("PLACE", idx[0], idx[-1] + 1, f'map grid "{translit(m.group(1)).capitalize()} {m.group(2)}"',
                       PRIORITY["PLACE"] + 2, "grid")


def _place_adjectives(v: TurnView) -> Iterable[Cand]:
    """Relational adjectives of towns, often used for the people from there: 'липецких' (Lipetsk),
    'харьковская', 'мариупольских'. Only towns/cities (a village name is too likely a coincidence), and
    not nationality adjectives (pymorphy tags 'украинский', 'русский' Geox; Украинск the town loses)."""
    g = gazetteer()
    for i in v.words:
        t = v.toks[i]
        lemma = fold(t.lemma)
        if i in v.quoted or t.text.isupper() or not lemma.endswith(("ский", "цкий")) or len(lemma) < 7:
            continue
        parses = all_parses(t.text)
        if not parses or "ADJF" not in parses[0].tag or any("Geox" in str(p.tag) for p in parses[:3]):
            continue
        stems = [lemma[:-2]] if lemma.endswith("цкий") else []
        stems += [lemma[:-4], lemma[:-4] + "ь", lemma[:-2]]
        for stem in dict.fromkeys(stems):
            towns = [p for p in g.index.get(stem, ()) if p.kind in ("city", "M")]
            if towns:
                hand = [p for p in towns if p.source == "hand"] or towns
                norm = hand[0].en or translit(hand[0].name) if len(hand) == 1 else ""
                yield Cand("PLACE", i, i + 1, norm, PRIORITY["PLACE"], "place-adjective")
                break


_PLACE_PREPS = {"в", "во", "на", "под", "из", "с", "со", "до", "около", "возле", "через", "от", "к", "біля", "під",
                "з", "із", "у"}


def military_unit_numbers(v: TurnView) -> Iterable[Cand]:
    for m in _MILITARY_UNIT_NO.finditer(v.turn.norm.text):
        idx = [i for i, t in enumerate(v.toks) if m.start() <= t.nstart and t.nend <= m.end()]
        if idx:
            yield Cand("UNIT", idx[0], idx[-1] + 1, f"military unit {m.group(1)}", PRIORITY["UNIT"] + 2, "vch")


# --- natasha --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _ner():
    from natasha import NewsEmbedding, NewsNERTagger

    return NewsNERTagger(NewsEmbedding())


def natasha_spans(texts: list[str]) -> list[list[tuple[str, int, int]]]:
    """natasha NER over the normalised turn texts (one batch per call); offsets in those texts."""
    if not texts:
        return []
    return [[(s.type, s.start, s.stop) for s in markup.spans] for markup in _ner().map(texts)]


def _worth_ner(tok: Token) -> bool:
    """A capitalised word that could be a name or place (natasha only sees sentences that have one)."""
    if not tok.text[:1].isupper() or tok.text.isupper() or not tok.is_word:
        return False
    return not tok.known or _is_name(tok) or _is_geo(tok)


def _natasha_for(doc: AnalysisDoc) -> list[list[tuple[str, int, int]]]:
    """natasha on the sentences that can hold a PER/LOC (the NER is most of the stage's time otherwise)."""
    pieces: list[tuple[int, int, str]] = []
    for turn in doc.turns:
        for sent in turn.sentences:
            words = [t for t in sent.tokens if t.is_word]
            if words and any(_worth_ner(t) for t in words):
                a, b = sent.tokens[0].nstart, sent.tokens[-1].nend
                pieces.append((turn.index, a, turn.norm.text[a:b]))
    out: list[list[tuple[str, int, int]]] = [[] for _ in doc.turns]
    for (ti, offset, _), spans in zip(pieces, natasha_spans([p[2] for p in pieces])):
        out[ti].extend((kind, a + offset, b + offset) for kind, a, b in spans)
    return out


# --- transliteration --------------------------------------------------------------------------------

_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
})


def translit(text: str) -> str:
    """Russian/Ukrainian -> Latin (BGN/PCGN-like, simplified; 'ый'/'ий' endings -> 'y')."""
    low = re.sub(r"(ый|ий)\b", "y", text.lower())
    out = low.translate(_TRANSLIT)
    return out if text[:1].islower() else out[:1].upper() + out[1:]


# --- driver ---------------------------------------------------------------------------------------


def _resolve(cands: list[Cand]) -> list[Cand]:
    kept: list[Cand] = []
    for c in sorted(cands, key=lambda c: (-c.priority, -(c.end - c.start), c.start)):
        if all(c.end <= k.start or k.end <= c.start for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: c.start)


def turn_candidates(v: TurnView, ner: list[tuple[str, int, int]]) -> list[Cand]:
    cands: list[Cand] = []
    for layer in (lexicon_layer, casualty_layer, callsign_layer, date_layer, place_layer, military_unit_numbers,
                  name_layer, vocative_layer, post_layer, weapon_name_layer, role_callsign_layer):
        cands.extend(layer(v))
    cands.extend(natasha_layer(v, ner))
    return _resolve(cands)


def extract_entities(doc: AnalysisDoc, use_natasha: bool = True) -> None:
    """Fill ``doc.entities`` (all mentions, in turn order); PLACEs carry coordinates where resolved."""
    views = [TurnView(t) for t in doc.turns]
    ner = _natasha_for(doc) if use_natasha else [[] for _ in doc.turns]
    entities: list[Entity] = []
    for v, spans in zip(views, ner):
        for c in turn_candidates(v, spans):
            start, end = v.toks[c.start].start, v.toks[c.end - 1].end
            text = v.turn.text[start:end]
            entities.append(Entity(c.type, text, c.norm, v.turn.index, start, end,
                                   data={"layer": c.layer, "lemma": " ".join(t.lemma for t in v.toks[c.start:c.end])}))
    _geocode_places(doc, entities)
    doc.entities.extend(entities)


def _geocode_places(doc: AnalysisDoc, entities: list[Entity]) -> None:
    g = gazetteer()
    places = [e for e in entities if e.type == "PLACE" and e.data.get("layer") != "grid"]
    first = {id(e): g.resolve(_words(e.text)) for e in places}
    sure = [r.place for r in first.values() if r.place and not r.ambiguous and r.place.kind not in ("country", "region")]
    context = {p.oblast for p in sure if p.oblast}
    points = [(p.lat, p.lon) for p in sure if p.kind not in ("oblast", "river")]
    for e in places:
        result = first[id(e)]
        if result.ambiguous and (context or points):
            result = g.resolve(_words(e.text), context, points)
        if result.place is not None:
            e.lat, e.lon, e.geo_confidence = result.place.lat, result.place.lon, result.confidence
            e.norm = e.norm or result.place.en or translit(result.place.name)
            e.data["geo"] = result.as_data()
        if not e.norm:
            e.norm = " ".join(translit(lemma_of_name(w)).capitalize() for w in _words(e.text))


def _words(text: str) -> list[str]:
    return re.findall(r"[\w-]+", text)
