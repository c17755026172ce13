"""Numbers in Russian/Ukrainian speech: digits, number words in any case, slang, casualty codes.

The slang reading goes first: "двухсотый", "трёхсотые", "груз 200", "200-ых" and a bare 200/300/500
right after a count ("Вчера 4 300") are casualty codes (killed / wounded / refused), never the
number. Everything else is read as a cardinal ("25 тыщ 900" -> 25900, "полторы сотни" -> 150,
"пару" -> 2) or, for ordinal adjectives ("четвёртую"), as an ordinal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from listeningpost.text.morph import morph
from listeningpost.text.normalise import fold, normalise

#: what each casualty code stands for (claim type)
CODE_MEANING = {200: "killed", 300: "wounded", 500: "refused_or_deserted"}

_UNITS = {
    "ноль": 0, "нуль": 0, "один": 1, "одна": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5,
    "шесть": 6, "семь": 7, "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11,
    "двенадцать": 12, "тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16,
    "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19, "двадцать": 20, "тридцать": 30,
    "сорок": 40, "пятьдесят": 50, "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80,
    "девяносто": 90, "сто": 100, "двести": 200, "триста": 300, "четыреста": 400, "пятьсот": 500,
    "шестьсот": 600, "семьсот": 700, "восемьсот": 800, "девятьсот": 900,
    # collective and slang counts
    "оба": 2, "обе": 2, "двое": 2, "трое": 3, "четверо": 4, "пятеро": 5, "шестеро": 6, "семеро": 7,
    "восьмеро": 8, "девятеро": 9, "десятеро": 10, "пара": 2, "полтора": 1.5, "полторы": 1.5,
    "полсотни": 50, "полтинник": 50,
    # Ukrainian
    "чотири": 4, "п'ять": 5, "шість": 6, "сім": 7, "вісім": 8, "дев'ять": 9, "одинадцять": 11,
    "дванадцять": 12, "тринадцять": 13, "чотирнадцять": 14, "п'ятнадцять": 15, "шістнадцять": 16,
    "сімнадцять": 17, "вісімнадцять": 18, "дев'ятнадцять": 19, "двадцять": 20, "тридцять": 30,
    "п'ятдесят": 50, "шістдесят": 60, "сімдесят": 70, "вісімдесят": 80, "дев'яносто": 90,
    "двісті": 200, "чотириста": 400, "п'ятсот": 500, "шістсот": 600, "сімсот": 700,
    "вісімсот": 800, "дев'ятсот": 900, "обидва": 2, "обидві": 2, "п'ятеро": 5, "шестеро": 6,
    "півтора": 1.5, "півтори": 1.5,
}
_MULTIPLIERS = {
    "тысяча": 1000, "тыща": 1000, "тыс": 1000, "косарь": 1000, "тисяча": 1000, "миллион": 10**6,
    "мільйон": 10**6, "лям": 10**6, "миллиард": 10**9, "мільярд": 10**9,
    "сотня": 100, "сотка": 100, "десяток": 10, "дюжина": 12,
}
_ORDINALS = {
    "первый": 1, "второй": 2, "третий": 3, "четвертый": 4, "пятый": 5, "шестой": 6, "седьмой": 7,
    "восьмой": 8, "девятый": 9, "десятый": 10, "перший": 1, "другий": 2, "третій": 3,
    "четвертий": 4, "п'ятий": 5,
}
# 200/300/500 ordinal adjectives in every inflection, ru and uk: двухсотый, трёхсотых, пятисотые, двохсоті
_CODE_STEMS = {"двухсот": 200, "двухсотн": 200, "двохсот": 200, "трехсот": 300, "трьохсот": 300,
               "пятисот": 500, "п'ятисот": 500}  # matched on folded words, "’" read as "'"
_CODE_WORD = re.compile("^(" + "|".join(_CODE_STEMS) + r")(ый|ая|ое|ые|ого|ому|ым|ыми|ых|ом|ой|ую|"
                        r"ий|а|е|і|ого|ому|им|ими|их|ій|у)$", re.IGNORECASE)
# "200-ых", "300-й", "200-е"
_DIGIT_SUFFIX = re.compile(r"^(\d+)-?(ый|ые|ых|ой|ий|ой|й|е|я|ая|ую|ого|ому|ым|ыми|ом|го|х|ти|ть)$", re.IGNORECASE)
_TOKEN = re.compile(r"\d+(?:[-–]\w+)*|[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+)*", re.UNICODE)
_CARGO = {"груз", "вантаж"}
#: singular forms of a group noun that stand for exactly one group ("сотни" is vague: hundreds)
_ONE_GROUP = {"десяток", "десятком", "сотня", "сотню", "сотней", "дюжина", "дюжину", "дюжиной"}


@dataclass
class NumberSpan:
    """A number or casualty code found in text; ``start``/``end`` index the text given."""

    start: int
    end: int
    text: str
    kind: str  # count | code | ordinal
    value: float | int | None = None  # the count / ordinal
    code: int | None = None  # 200 / 300 / 500 when kind == code

    @property
    def count(self) -> int | None:
        whole = self.kind == "count" and self.value is not None and float(self.value).is_integer()
        return int(self.value) if whole else None


def casualty_code(word: str) -> int | None:
    """200/300/500 when ``word`` is a casualty-code adjective or suffixed digits, else None."""
    low = fold(word).replace("’", "'")
    if m := _CODE_WORD.match(low):
        return _CODE_STEMS.get(m.group(1))
    m = _DIGIT_SUFFIX.match(low)
    return int(m.group(1)) if m and int(m.group(1)) in CODE_MEANING else None


def _word_value(word: str) -> tuple[str, float | int] | None:
    """('unit'|'mult'|'ordinal', value) for a number word in any inflection."""
    low = fold(word).replace("’", "'")
    for table, kind in ((_UNITS, "unit"), (_MULTIPLIERS, "mult")):
        if low in table:
            return kind, table[low]
    langs = ("uk",) if any(ch in "іїєґ'" for ch in low) else ("ru", "uk")
    return next((got for lang in langs if (got := _morph_value(word, lang))), None)


def _morph_value(word: str, lang: str) -> tuple[str, float | int] | None:
    m = morph(word, lang)
    if not m.known:
        return None
    if m.lemma in _UNITS and ("NUMR" in m.tags or m.lemma == "пара" and m.pos == "NOUN"
                              or m.lemma in ("один", "одна") and "Anum" in m.tags):
        return "unit", _UNITS[m.lemma]
    if m.lemma in _MULTIPLIERS and m.pos == "NOUN":
        return "mult", _MULTIPLIERS[m.lemma]
    if m.lemma in _ORDINALS and "Anum" in m.tags:
        return "ordinal", _ORDINALS[m.lemma]
    return None


def _joins(last: float, value: float) -> bool:
    """Whether ``value`` continues the compound number whose last part was ``last`` (сто двадцать пять)."""
    if last >= 100 and last % 100 == 0 and last < 1000:
        return value < 100
    if 20 <= last < 100 and last % 10 == 0:
        return value < 10
    return False


def find_numbers(text: str) -> list[NumberSpan]:
    """All numbers and casualty codes in ``text`` (which should already be normalised)."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    out: list[NumberSpan] = []
    i = 0
    while i < len(tokens):
        start, _, word = tokens[i]
        code, used = casualty_code(word), 1  # a code word, or "груз 200" (two tokens)
        if not code and fold(word) in _CARGO and i + 1 < len(tokens) \
                and (value := _plain_value(tokens[i + 1][2])) in CODE_MEANING:
            code, used = int(value), 2
        if code:
            end = tokens[i + used - 1][1]
            out.append(NumberSpan(start, end, text[start:end], "code", code=code))
            i += used
            continue
        span, i = _read_number(text, tokens, i)
        if span is None:
            continue
        out.append(span)
        # "Вчера 4 300": a bare 200/300/500 right after a count is the code of what was counted
        if span.kind == "count" and i < len(tokens) and tokens[i][2].isdigit() and int(tokens[i][2]) in CODE_MEANING \
                and not text[span.end:tokens[i][0]].strip():
            s, e, w = tokens[i]
            out.append(NumberSpan(s, e, text[s:e], "code", code=int(w)))
            i += 1
    return out


def _plain_value(word: str) -> float | int | None:
    if word.isdigit():
        return int(word)
    got = _word_value(word)
    return got[1] if got and got[0] == "unit" else None


def _read_number(text: str, tokens: list[tuple[int, int, str]], i: int) -> tuple[NumberSpan | None, int]:
    """Read the longest number starting at token ``i``; returns (span or None, next index)."""
    start, end, word = tokens[i]
    if "-" in word or "–" in word:
        parts = re.split(r"[-–]", word)
        firsts = [_word_value(p) for p in parts if not p.isdigit()]
        if not word[0].isdigit() and firsts and all(f and f[0] == "unit" for f in firsts):
            # "пять-шесть" (a range): the lower bound
            return NumberSpan(start, end, text[start:end], "count", value=firsts[0][1]), i + 1
        return None, i + 1  # 11-34, 82-ой: grid references and call signs, not counts
    first = ("unit", int(word)) if word.isdigit() else _word_value(word)
    if first is None:
        return None, i + 1
    kind, value = first
    if kind == "ordinal":
        return NumberSpan(start, end, text[start:end], "ordinal", value=value), i + 1
    if kind == "mult":  # "тысяча" alone = 1000, "сотни" alone is vague
        low = fold(word)
        one = low.startswith(("тысяч", "тыщ", "тисяч")) and not low.endswith(("и", "ам", "ами", "ах", "ч")) \
            or low in _ONE_GROUP  # "десяток человек", "сотню пленных": one group of 10 / 100
        return (NumberSpan(start, end, text[start:end], "count", value=value) if one else None), i + 1
    total, current, last = 0.0, float(value), float(value)
    digits_only = word.isdigit()
    j = i + 1
    while j < len(tokens):
        s, e, w = tokens[j]
        if text[end:s].strip(" ") not in ("", "-"):  # punctuation between: a new number
            break
        got = ("digit", int(w)) if w.isdigit() else _word_value(w)
        # "4 300": the count then the code, never 4300
        if got is None or got[0] == "ordinal" or got[0] == "digit" and got[1] in CODE_MEANING:
            break
        k, v = got
        if k == "digit" and digits_only and len(w) == 3 and current < 1000 and not total:  # "25 900"
            current, last = current * 1000 + v, v
        elif k == "mult":
            total += (current or 1) * v
            current, last = 0.0, float(v)
        elif current == 0 and total and v < 1000:  # "25 тыщ 900"
            current, last = float(v), float(v)
        elif k != "digit" and _joins(last, v):
            current, last = current + v, float(v)
        else:
            break
        end, j = e, j + 1
    number = total + current
    value_out: float | int = int(number) if float(number).is_integer() else number
    return NumberSpan(start, end, text[start:end], "count", value=value_out), j


def parse_number(phrase: str) -> float | int | None:
    """The value of a phrase that is one number ("двести", "25 тыщ [=тысяч] 900", "полторы сотни")."""
    spans = [s for s in find_numbers(normalise(phrase).text) if s.kind == "count"]
    return spans[0].value if len(spans) == 1 else None


__all__ = ["CODE_MEANING", "NumberSpan", "casualty_code", "find_numbers", "parse_number"]
