"""DATE entities: durations and times ago ("минут сорок", "две недели назад"), relative periods, times of
day, dates and date ranges, and a part of the day after a day word ("сегодня с утра")."""

from __future__ import annotations

import re
from typing import Iterable

from listeningpost.analyze.document import Token
from listeningpost.analyze.entity_base import PRIORITY, Cand, TurnView
from listeningpost.analyze.numbers import parse_number
from listeningpost.text.normalise import fold

_TIME_OF_DAY = re.compile(r"\b[вВ]\s+(\d{1,2}|один|одиннадцать|двенадцать|два|две|три|четыре|пять|шесть|семь|восемь|"
                          r"девять|десять)\s+(утра|вечера|ночи|часов|часа|час)\b")
_DAY_RANGE = re.compile(r"\b[сС]\s+\d{1,2}-?(?:го|е)?\s+по\s+\d{1,2}-?(?:го|е)?(?:\s+[а-яё]+(?:я|а))?")
_MONTHS = ("январ", "феврал", "март", "апрел", "ма[йя]", "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр")
#: "31 декабря", "31 [тридцать первого] декабря" (an editor's reading between day and month; the
#: normalised text has no brackets)
_DAY_MONTH = re.compile(r"\b\d{1,2}(?:-?(?:го|е))?(?:\s+(?:двадцать|тридцать|[а-яё]+(?:ого|его))){0,2}\s+(?:" + "|".join(_MONTHS) + r")[а-яё]*",
                        re.IGNORECASE)
_TIME_UNITS = {"минута": "minute", "час": "hour", "день": "day", "сутки": "day", "неделя": "week", "месяц": "month",
               "год": "year", "хвилина": "minute", "тиждень": "week", "місяць": "month", "рік": "year"}
_RELATIVE = {"прошлый": "last", "этот": "this", "следующий": "next", "позапрошлый": "the one before last"}
_FEW = {"пара": 2, "несколько": "several", "полтора": 1.5, "пару": 2}


#: a part of the day after a day word: 'сегодня с утра', 'вчера вечером' (folded surface words)
_PART_OF_DAY = {("с", "утра"): "morning", ("утром",): "morning", ("с", "вечера"): "evening",
                ("вечером",): "evening", ("ночью",): "night", ("днем",): "afternoon", ("с", "ночи"): "night"}
_DAY_PART_EN = {"today": "this", "yesterday": "yesterday", "tomorrow": "tomorrow"}


def _with_part_of_day(v: TurnView, b: int, norm: str) -> tuple[int, str]:
    """Extend a day word over a following part of the day: 'сегодня с утра' -> 'this morning'."""
    if norm not in _DAY_PART_EN:
        return b, norm
    for words, part in _PART_OF_DAY.items():  # the next tokens are those words (a quote mark is none of them)
        if tuple(fold(t.text) for t in v.toks[b:b + len(words)]) == words:
            return b + len(words), f"{_DAY_PART_EN[norm]} {part}"
    return b, norm


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
        yield Cand("DATE", a, b, _duration_norm(number, unit, is_ago, already), PRIORITY["DATE"], "date")
    yield from _regex_dates(v)


def _regex_dates(v: TurnView) -> Iterable[Cand]:
    norm = v.turn.norm.text
    for rx, label in ((_TIME_OF_DAY, "time of day"), (_DAY_RANGE, "date range"), (_DAY_MONTH, "date")):
        for m in rx.finditer(norm):
            if span := v.span(m.start(), m.end()):
                yield Cand("DATE", *span, _date_text_norm(m.group(0), label), PRIORITY["DATE"] + 1, "date")


_MONTHS_EN = dict(zip(_MONTHS, ("January", "February", "March", "April", "May", "June", "July", "August",
                                 "September", "October", "November", "December")))


def _date_text_norm(text: str, label: str) -> str:
    """'23 февраля' -> '23 February'; 'в пять утра' -> 'time of day: 5 utra'."""
    out = []
    words = fold(text).split()
    if label == "date" and words[0][:1].isdigit():
        words = [words[0], words[-1]]  # "31 [тридцать первого] декабря": the editor's reading once
    for word in words:
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
