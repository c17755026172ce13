"""Deeds of named people: "<First name> <Surname> did X" stated as a fact is an ``other`` claim.

Formal statements (and calls about officers) report what a named person did: sent men somewhere,
signed something, came to a place, took a decision. No closed claim type fits, yet a journalist can
check it (``../shared/eval/ANNOTATION_GUIDE.md``). The structure read here: a capitalised name with a
surname (pymorphy's ``Surn``: "Петров", "генерал Петров"; or a first name and another name, "Иван
Кац"; not a first name alone, "Саня приехал"), a state body or armed force ("прокуратура", "ВСУ") or one
officer by his post ("командир полка") is the subject (``nsubj``) of a finite past-tense verb in
the parse; the verb is no word of saying, thinking, wanting, being or feeling (``NOT_A_DEED``: those
report words, not deeds), is not negated, not under a condition, and no predicate class of
``structure`` already read it. "N раз" under the verb is the claim's count ("трижды" reads as 3).
Questions and wishes never get here (``claims`` drops them first).
"""

from __future__ import annotations

from listeningpost.analyze import syntax
from listeningpost.analyze.document import Sentence
from listeningpost.analyze.numbers import find_numbers
from listeningpost.analyze.structure import Frame, PredClass, arg_class

DEED = PredClass("named_deed", "other", frozenset(), counted=True)
#: verbs that report words, thoughts, wishes, feelings or being, not deeds
NOT_A_DEED = {"сказать", "говорить", "заявить", "заявлять", "писать", "написать", "считать", "думать", "знать",
              "понимать", "понять", "хотеть", "мочь", "быть", "стать", "сообщить", "ответить", "отвечать",
              "спросить", "спрашивать", "звонить", "позвонить", "видеть", "увидеть", "слышать", "услышать",
              "любить", "бояться", "позавидовать", "завидовать", "просить", "попросить", "обещать", "пообещать",
              "верить", "поверить", "казаться", "помнить", "вспомнить", "рассказать", "рассказывать", "назвать",
              "называть", "объяснить", "объяснять", "кричать", "смеяться", "шутить", "решить", "жить", "сидеть",
              "стоять", "лежать", "спать", "ждать", "подумать", "надеяться", "пытаться", "попытаться",
              "молчать", "промолчать", "терпеть", "волноваться", "переживать", "сказати", "говорити", "знати",
              "хотіти", "могти", "бути"}
#: posts that name one officer as the subject of a deed ("командир полка уехал"), in the singular
ROLES = {"командир", "комбат", "комбриг", "ротный", "начальник", "министр", "генерал", "командующий", "замполит", "полковник"}
#: words of repetition: "трижды" and "N раз"
TIMES = {"дважды": 2, "трижды": 3, "четырежды": 4, "многократно": None, "неоднократно": None}


def worth_parsing(sent: Sentence) -> bool:
    """A capitalised surname, or a first name before another capitalised word, and a past-tense verb in
    one sentence (cheap: no parse)."""
    toks = sent.tokens
    named = any(t.lemma in arg_class("organisation") | ROLES for t in toks) or any(t.orig[:1].isupper() and ("Surn" in t.tags or "Name" in t.tags and i + 1 < len(toks)
                                          and toks[i + 1].orig[:1].isupper()) for i, t in enumerate(toks))
    return named and any(t.pos == "VERB" and "past" in t.tags for t in toks)


def frames(sent: Sentence, taken: set[int]) -> list[Frame]:
    """``other`` frames of the deeds of named subjects; ``taken``: predicates already read."""
    if sent.heads is None:
        return []
    out, seen = [], set()
    for j in range(len(sent.tokens)):
        name = _full_name(sent, j) if sent.rels[j] == "nsubj" else None
        v = sent.heads[j]
        if not name or v < 0 or v in taken or v in seen or not _deed(sent, v):
            continue
        seen.add(v)
        count, at = _times(sent, v)
        out.append(Frame(DEED, v, name, count=count, count_at=at,
                         data={"who": " ".join(sent.tokens[k].text for k in name)}))
    return out


def _full_name(sent: Sentence, j: int) -> list[int] | None:
    """Token indexes of a named subject with a surname ("Басаев", "Иван Петров", "генерал Петров") or
    of a state body or armed force by its name ("министерство обороны", "прокуратура", "ВСУ";
    ``predicates.yaml`` ARGUMENTS ``organisation``) or of one officer by his post (``ROLES``: "командир
    полка"), or None: a first name alone ("Саня приехал") is talk among friends, not a report."""
    group = sorted([j] + [k for k in syntax.children(sent, j) if sent.rels[k] in ("appos", "flat", "flat:name")])
    tok = sent.tokens[j]
    if tok.pos in ("NOUN", None) and (tok.lemma in arg_class("organisation") or tok.lemma in ROLES and "sing" in tok.tags):
        # a state body, or one officer ("командир полка"; "командиры" in general are no one in particular)
        return group + [k for k in syntax.children(sent, j) if sent.rels[k] == "nmod" and k not in group]
    names = [k for k in group if sent.tokens[k].orig[:1].isupper() and "Abbr" not in sent.tokens[k].tags]
    surname = any("Surn" in sent.tokens[k].tags for k in names)
    first = any("Name" in sent.tokens[k].tags for k in names)
    return group if surname or first and len(names) >= 2 else None


def _deed(sent: Sentence, v: int) -> bool:
    verb = sent.tokens[v]
    return verb.pos == "VERB" and "past" in verb.tags and verb.lemma not in NOT_A_DEED \
        and not syntax.negated(sent, v) and not syntax.conditional(sent, v)


def _times(sent: Sentence, v: int) -> tuple[int | None, int | None]:
    """The count of "три раза отправлял" / "трижды отправлял" under the verb at ``v``."""
    for k in syntax.children(sent, v):
        lem = sent.tokens[k].lemma
        if lem in TIMES and TIMES[lem]:
            return TIMES[lem], k
        if lem == "раз":
            nums = [j for j in syntax.children(sent, k) if sent.rels[j].startswith("nummod")]
            if nums:
                found = find_numbers(sent.tokens[nums[0]].text)
                if found and found[0].count:
                    return found[0].count, nums[0]
    return None, None


__all__ = ["DEED", "NOT_A_DEED", "frames", "worth_parsing"]
