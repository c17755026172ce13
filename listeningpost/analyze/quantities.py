"""Quantified facts: a count of people, prisoners, ammunition, money or equipment stated as a fact.

A statement such as "we brought in N thousand convicts", "N fighters hold the town", "they handed over
N shells" is checkable but has no closed claim type of its own: it is an ``other`` claim with that
count (``../shared/eval/ANNOTATION_GUIDE.md``). The structure read here:

* a count (``values``: token index -> count, from ``numbers.py``; a count of at least two, not a
  share: "N %" and "N процентов" are proportions), followed by the noun it counts (multipliers such
  as "тысяч", editorial brackets, "с лишним" and adjectives in between are skipped);
* the noun is of a counted class of ``data/predicates.yaml`` ``ARGUMENTS`` (``COUNTED``), is no
  casualty code and no predicate of its own ("двухсотых", "пленных", "убитых" are claims of their
  own type);
* the predicate governing the noun in the parse (the nearest verb up the tree) has no predicate class
  (a kill/lose/capture verb is read by its own class in ``structure``), is no order, need or promise
  ("отправь", "нужно", "обещали"), is not negated, not an infinitive outside a phase verb ("надо
  привезти ..."), not under a condition; a sentence without a verb states a count of people by itself
  ("N человек на опушке"), not one of things (a fire order: "по три снаряда").

Questions, wishes and conditions never get here: ``claims`` drops those sentences first.
"""

from __future__ import annotations

from functools import lru_cache

from listeningpost.analyze import syntax
from listeningpost.analyze.document import Sentence
from listeningpost.analyze.numbers import casualty_code
from listeningpost.analyze.structure import VERBAL, Frame, PredClass, arg_class, classes_of, is_of_total

#: argument classes (``predicates.yaml`` ARGUMENTS) whose counts are facts worth a claim
COUNTED = ("people", "prisoners", "ammo", "currency", "equipment")
#: words between a count and the noun it counts: multipliers, approximations, brackets
BETWEEN = {"тысяча", "тыща", "тыс", "миллион", "миллиард", "сотня", "десяток", "с", "лишний", "лишком", "около",
           "примерно", "почти", "штука", "шт", "[", "]", "(", ")", "=", "-", "тисяча", "мільйон", "мільярд"}
#: number words pymorphy does not tag NUMR ("сто" is read as an abbreviation)
NUMBER_NOUNS = {"сто", "тысяча", "тыща", "миллион", "миллиард", "сотня", "десяток", "пара", "полсотни", "дюжина"}
SHARE = {"%", "процент", "відсоток", "доля"}
QUANTITY = PredClass("quantity", "other", frozenset())
#: governing words under which a count is no fact of the speaker's ("нужно N снарядов")
NOT_A_FACT = {"нужно", "надо", "необходимо", "нужный", "требоваться", "хотеть", "мочь", "просить", "попросить",
              "обещать", "пообещать", "планировать", "собираться", "предлагать", "предложить", "ожидать",
              "треба", "потрібно", "обіцяти"}


def _counted_noun(sent: Sentence, at: int, values: dict[int, int]) -> int | None:
    """The noun counted by the number at ``at``: the first noun after it, or None (a share, no noun)."""
    toks = sent.tokens
    for j in range(at + 1, min(len(toks), at + 7)):
        t = toks[j]
        if t.text in SHARE or t.lemma in SHARE:
            return None
        if not (t.lemma in BETWEEN or t.text in BETWEEN or j in values or t.pos == "NUMR" or t.text.isdigit()
                or t.pos in ("ADJF", "PRTF") and _noun_class(t) is None):
            return j if t.pos in ("NOUN", "ADJF", "PRTF") else None
    return None


def _noun_class(tok) -> str | None:
    return next((name for name in COUNTED if tok.lemma in arg_class(name)), None)


def _governor(sent: Sentence, noun: int) -> int | None:
    """The nearest verbal word above the noun in the parse (None: a sentence without one)."""
    return next((j for j in syntax.ancestors(sent.heads, sent.heads[noun], 4)
                 if sent.tokens[j].pos in VERBAL or sent.tokens[j].lemma in NOT_A_FACT), None)


def _fact(sent: Sentence, noun: int):
    """(predicate index, ok): the predicate stating the count, and whether it states a fact."""
    gov = _governor(sent, noun)
    if gov is None:  # no verb: a count of people stated by itself; of things, a fire order or a list
        alone = not any(t.pos in VERBAL for t in sent.tokens) or sent.heads[noun] < 0
        return noun, alone and _noun_class(sent.tokens[noun]) in ("people", "prisoners")
    tok = sent.tokens[gov]
    # not a need, a promise, an order ("отправь пять человек"), a negation, a condition, an irrealis infinitive
    return gov, not (tok.lemma in NOT_A_FACT or "impr" in tok.tags or syntax.negated(sent, gov)
                     or syntax.conditional(sent, gov) or tok.pos == "INFN" and syntax.irrealis(sent, gov))


def worth_parsing(sent: Sentence) -> bool:
    """A number word and, within a few words after it, a noun of a counted class (cheap: no parse)."""
    nouns, toks = _nouns(), sent.tokens
    return any((t.text[:1].isdigit() or t.pos == "NUMR" or t.lemma in NUMBER_NOUNS)
               and any(u.lemma in nouns and u.pos in ("NOUN", "ADJF", "PRTF") for u in toks[i + 1:i + 8])
               for i, t in enumerate(toks))


@lru_cache(maxsize=1)
def _nouns() -> frozenset[str]:
    return frozenset().union(*(arg_class(n) for n in COUNTED))


def frames(sent: Sentence, values: dict[int, int], taken: set[int]) -> list:
    """``other`` frames of the counts of counted nouns; ``taken``: token indexes a predicate class
    already read (its arguments), never counted twice."""
    if sent.heads is None:
        return []
    out = []
    for at in sorted(values):
        if values[at] < 2 or at in taken or is_of_total(sent, at, digits=True):  # "из N": a total, no fact
            continue
        noun = _counted_noun(sent, at, values)
        if noun is None or noun in taken or _noun_class(sent.tokens[noun]) is None:
            continue
        tok = sent.tokens[noun]
        if casualty_code(tok.text) or classes_of(tok):
            continue
        pred, ok = _fact(sent, noun)
        if not ok or pred in taken:
            continue
        out.append(Frame(QUANTITY, pred, [noun], count=values[at], count_at=at,
                         data={"counted": _noun_class(tok), "what": tok.text}))
    return out


__all__ = ["COUNTED", "frames", "worth_parsing"]
