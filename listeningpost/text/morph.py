"""Russian and Ukrainian morphology (pymorphy3): the one analyzer per language and process, and the
best parse of a word (its lemma folded: lower case, ё -> е)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pymorphy3

from listeningpost.text.normalise import fold, normalise
from listeningpost.text.tokens import split_tokens


@lru_cache(maxsize=2)
def analyzer(lang: str) -> pymorphy3.MorphAnalyzer:
    """One analyzer per language and process (loading takes ~0.3 s)."""
    return pymorphy3.MorphAnalyzer(lang=lang)


@lru_cache(maxsize=200_000)
def all_parses(word: str, lang: str = "ru") -> tuple:
    """All pymorphy3 parses of ``word``, cached: the entity layers ask about the same words again and again."""
    return tuple(analyzer(lang).parse(word))


@dataclass(frozen=True)
class Morph:
    lemma: str
    tags: frozenset[str]
    pos: str | None
    known: bool
    score: float


@lru_cache(maxsize=200_000)
def morph(word: str, lang: str = "ru") -> Morph:
    """Best pymorphy3 parse of ``word`` (lemma folded: lower case, ё -> е)."""
    if not any(ch.isalpha() for ch in word):
        return Morph(fold(word), frozenset({"NUMB"} if word[:1].isdigit() else {"PNCT"}), None, False, 0.0)
    parse = all_parses(word, lang)[0]
    tags = frozenset(str(parse.tag).replace(" ", ",").split(","))
    known = analyzer(lang).word_is_known(word.lower())
    return Morph(fold(parse.normal_form), tags, parse.tag.POS, known, parse.score)


def lemma(word: str, lang: str = "ru") -> str:
    return morph(word, lang).lemma


def lemmatise(text: str, lang: str = "ru") -> list[str]:
    """Lemmas of the word tokens of a short text (used by matching and scoring)."""
    return [lemma(t.text, lang) for t in split_tokens(normalise(text).text) if any(c.isalnum() for c in t.text)]
