"""The claim record and the view of one sentence the claim rules read: its words with their clause
and aside marks, its numbers mapped to the original text, and the tests on them (usable counts,
questions and wishes, negation, the clause span a quote takes)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from itertools import groupby
from typing import Any

from listeningpost.analyze.claim_words import (CALIBRES, CLAUSE_BREAK, EQUIP, NEGATION, PARENTHETICAL, PEOPLE,
                                               TIME_UNIT, WANT, WISH)
from listeningpost.analyze.document import AnalysisDoc, DocTurn, Sentence, Token
from listeningpost.analyze.numbers import NumberSpan, find_numbers
from listeningpost.text.normalise import fold


@dataclass
class Claim:
    type: str
    count: int | None
    quote: str  # verbatim from the original turn text
    turn_index: int
    start_char: int  # offsets of the quote in the original turn text
    end_char: int
    speaker: str | None = None
    start_s: float | None = None
    end_s: float | None = None
    subject: str | None = None
    place: str | None = None
    period: str | None = None
    equipment: str | None = None
    hedged: bool = False
    negated: bool = False
    confidence: float = 0.5
    data: dict[str, Any] = field(default_factory=dict)  # trigger words, sentence index, merged quotes

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Word:
    tok: Token
    key: str  # folded surface
    aside: bool  # inside parentheses: a repeat or a reading, not new speech
    clause: int


def _words(sent: Sentence) -> list[_Word]:
    out, depth, clause = [], 0, 0
    for tok in sent.tokens:
        if tok.text in CLAUSE_BREAK:
            clause += 1
        if tok.text in ("(", "["):  # a repeat, or an editor's reading of a number ("100 [сто]")
            depth += 1
        elif tok.text in (")", "]"):
            depth = max(0, depth - 1)
        if tok.is_word:
            out.append(_Word(tok, fold(tok.text), depth > 0, clause))
    return out


def _has(words: list[_Word], pattern: re.Pattern) -> list[_Word]:
    return [w for w in words if pattern.match(w.key) or pattern.match(w.tok.lemma)]


def _joined(words: list[_Word]) -> tuple[str, str]:
    """The words of a sentence space-joined, " ," at clause breaks: folded surface forms, and lemmas."""
    clauses = [list(group) for _, group in groupby(words, key=lambda w: w.clause)]
    keys = " , ".join(" ".join(w.key for w in clause) for clause in clauses)
    return keys, " , ".join(" ".join(w.tok.lemma for w in clause) for clause in clauses)


def _is_question_or_wish(sent: Sentence, words: list[_Word]) -> bool:
    if sent.text.rstrip(" \"'»)*.…").endswith("?"):
        return True
    return any(WISH.match(w.key) and not WANT.match(w.key) and not _parenthetical(words, i)
               and not _purpose(words, i) for i, w in enumerate(words))


def _wish_clauses(words: list[_Word]) -> set[int]:
    """Clauses of a wish verb ("хотел позвонить") or a purpose ("..., чтобы его убить"): only their own
    words are no fact."""
    return {w.clause for i, w in enumerate(words)
            if (WANT.match(w.key) or _purpose(words, i)) and not _parenthetical(words, i)}


def _purpose(words: list[_Word], i: int) -> bool:
    """"чтобы" opening a later clause: a purpose of the clause before, which stays a fact ("отряды
    посылали, чтобы его убить"); at the start it is a wish ("чтоб вы сдохли")."""
    return words[i].key in ("чтобы", "чтоб", "щоб", "щоби") and words[i].clause > words[0].clause


def _parenthetical(words: list[_Word], i: int) -> bool:
    """"если честно", "хочу сказать", "чтоб ты знал": a wish word opening an aside, not a condition."""
    nxt = [w.tok.lemma for w in words[i + 1:i + 3] if w.clause == words[i].clause]
    if not nxt or nxt[0] not in PARENTHETICAL:
        return False
    if nxt[0] in ("ты", "вы", "не"):  # "чтоб ты знал", "если не секрет"
        return len(nxt) > 1 and nxt[1] in PARENTHETICAL | {"секрет"}
    return True


def _numbers(turn: DocTurn, sent: Sentence) -> list[NumberSpan]:
    """Numbers and codes of one sentence, offsets mapped to the ORIGINAL turn text."""
    out = []
    nstart = sent.tokens[0].nstart if sent.tokens else 0
    nend = sent.tokens[-1].nend if sent.tokens else 0
    for span in _compound_ordinals(turn.norm.text[nstart:nend], find_numbers(turn.norm.text[nstart:nend])):
        s, e = turn.norm.to_original(span.start + nstart, span.end + nstart)
        kind = "share" if span.kind == "count" and _share(turn.text, s, e) else span.kind
        out.append(NumberSpan(s, e, turn.text[s:e], kind, span.value, span.code))
    return out


def _compound_ordinals(text: str, spans: list[NumberSpan]) -> list[NumberSpan]:
    """A round cardinal right before an ordinal is one ordinal ("в сорок третьем году", "двадцать
    третьего числа", "сто пятая бригада"): a year, a date or a unit number, never a count of 40."""
    out: list[NumberSpan] = []
    for span in spans:
        prev = out[-1] if out else None
        if span.kind == "ordinal" and prev is not None and prev.kind == "count" and prev.count \
                and not text[prev.end:span.start].strip() and 0 < int(span.value or 0) < 10 \
                and prev.count >= 20 and prev.count % 10 == 0:  # a round count (20, 40, 2020) and 1..9
            out[-1] = NumberSpan(prev.start, span.end, text[prev.start:span.end], "ordinal",
                                 prev.count + int(span.value or 0))
            continue
        out.append(span)
    return out


_PERCENT = re.compile(r"\s?%|[,.]\d")
_DECIMAL_BEFORE = re.compile(r"\d[,.]$")


def _share(text: str, start: int, end: int) -> bool:
    """A percentage or a part of a decimal fraction ("4,5%", "0,38"): a proportion, never a count."""
    return bool(_PERCENT.match(text, end) or _DECIMAL_BEFORE.search(text[max(0, start - 2):start]))


def _word_at(words: list[_Word], pos: int) -> int | None:
    return next((i for i, w in enumerate(words) if w.tok.start <= pos < w.tok.end), None)


def _usable_count(words: list[_Word], num: NumberSpan, fire: bool) -> bool:
    """A number that counts things: not a duration, a calibre, a comparison or an aside."""
    i = _word_at(words, num.start)
    j = _word_at(words, max(num.start, num.end - 1))
    if i is None or j is None or words[i].aside:
        return False
    nxt = words[j + 1].key if j + 1 < len(words) else ""
    prev = words[i - 1].key if i > 0 else ""
    if TIME_UNIT.match(nxt) or TIME_UNIT.match(prev) and prev not in ("раз",):
        return False
    if prev in ("на", "в") and any(w.key in ("больше", "меньше", "раза", "раз") for w in words):
        return False
    if fire and num.value in CALIBRES:
        return False
    return num.kind == "count" and num.count is not None


def _clause_span(words: list[_Word], idx: list[int]) -> tuple[int, int]:
    clauses = {words[i].clause for i in idx}
    lo, hi = min(clauses), max(clauses)
    inside = [w for w in words if lo <= w.clause <= hi]
    return inside[0].tok.start, inside[-1].tok.end


def _details(doc: AnalysisDoc, turn: DocTurn, sent: Sentence, words: list[_Word]) -> dict[str, str | None]:
    ents = [e for e in doc.entities if e.turn_index == turn.index and sent.start <= e.start_char < sent.end]

    def names(kind: str) -> str | None:
        got = list(dict.fromkeys(e.norm or e.text for e in ents if e.type == kind))
        return ", ".join(got) or None

    equipment = names("EQUIPMENT") or (", ".join(dict.fromkeys(w.tok.orig for w in _has(words, EQUIP))) or None)
    people = [w.tok.orig for w in _has(words, PEOPLE) if w.key not in ("его", "ее", "их", "всех")]
    subject = names("PERSON_ROLE") or names("UNIT") or (", ".join(dict.fromkeys(people)) or None)
    return {"subject": subject, "place": names("PLACE"), "period": names("DATE"), "equipment": equipment}


def _negated_at(words: list[_Word], i: int) -> bool:
    """"не" right before the word in its clause ("не погиб"), or an existential "нет" right after it
    ("двухсотых нет"); a "нет" that ends the clause before ("Двухсотых нет, трёхсотых двое") is not it."""
    before = i > 0 and words[i - 1].key in NEGATION and words[i - 1].clause == words[i].clause
    after = i + 1 < len(words) and words[i + 1].key in ("нет", "нету") and words[i + 1].clause == words[i].clause
    return before or after
