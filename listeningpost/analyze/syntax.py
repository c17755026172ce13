"""Reading a dependency parse (slovnet heads and relations on a ``Sentence``): children, subtrees,
the clause around a word, and whether a predicate is negated, under a condition, or irrealis."""

from __future__ import annotations

from itertools import accumulate, takewhile
from typing import Iterator

from listeningpost.analyze.document import Sentence

CONDITION = {"если", "коли", "ежели", "чтобы", "чтоб", "бы", "б", "якби", "щоб", "хай", "пусть"}
NEGATION = {"не", "ни", "нет", "ні", "нє"}
#: verbs under which an infinitive is a fact ("начали убивать")
PHASE = {"начать", "начинать", "стать", "продолжать", "продолжить", "перестать"}


def repair(heads: list[int]) -> list[int]:
    """The parser can return a cycle ("Зампотылу" <-> "ногу"): a token that never reaches the root is
    hung on the root, so its words still count as the root's arguments."""
    root = next((i for i, h in enumerate(heads) if h < 0), 0)
    out = list(heads)
    for i in range(len(out)):
        # more steps up than there are words without reaching the root: i is in (or under) a cycle
        if i != root and sum(1 for _ in ancestors(out, i, len(out) + 1)) > len(out) + 1:
            out[i] = root
    return out


def ancestors(heads: list[int], j: int, limit: int) -> Iterator[int]:
    """``j`` and the words above it up to the root, at most ``limit`` + 1 of them (a cycle ends there)."""
    return takewhile(lambda k: k >= 0, accumulate(range(limit), lambda k, _: heads[k], initial=j))


def children(sent: Sentence, i: int) -> list[int]:
    return [j for j, h in enumerate(sent.heads or ()) if h == i]


def clause(sent: Sentence, p: int) -> list[int]:
    """The other tokens of ``p``'s clause: up to the punctuation before and after it."""
    inside = [t.text not in {",", ";", ":", "—", "–", ".", "!", "?", "…"} for t in sent.tokens]
    lo = p - sum(takewhile(bool, reversed(inside[:p])))
    hi = p + sum(takewhile(bool, inside[p + 1:]))
    return [i for i in range(lo, hi + 1) if i != p]


def negated(sent: Sentence, p: int) -> bool:
    """"не" right before the predicate or attached to it ("не погиб", "зарплату не платят")."""
    before = p > 0 and sent.tokens[p - 1].lemma in NEGATION
    attached = sent.heads is not None and any(sent.tokens[j].lemma in NEGATION for j in children(sent, p))
    return before or attached


def conditional(sent: Sentence, p: int) -> bool:
    """A condition or wish governs the predicate: "если убьют", "чтоб не ранили"."""
    if sent.heads is None:
        return False
    marks = [j for j in children(sent, p) if sent.rels[j] in ("mark", "aux", "advmod", "discourse")]
    return any(sent.tokens[j].lemma in CONDITION for j in marks)


def irrealis(sent: Sentence, p: int) -> bool:
    """A future ("всех положат") or an infinitive not governed by a phase verb ("убить мало", "надо
    вывезти"; but "начали убивать") is no fact."""
    if sent.tokens[p].pos == "VERB" and "futr" in sent.tokens[p].tags:
        return True
    if sent.tokens[p].pos != "INFN":
        return False
    head = sent.heads[p] if sent.heads is not None else -1
    return not (head >= 0 and sent.tokens[head].lemma in PHASE)


def under(sent: Sentence, j: int, p: int) -> bool:
    """Token ``j`` is ``p`` or in its subtree."""
    return p in ancestors(sent.heads, j, len(sent.tokens))


__all__ = ["CONDITION", "NEGATION", "PHASE", "ancestors", "children", "clause", "conditional", "irrealis",
           "negated", "repair", "under"]
