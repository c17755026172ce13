"""The full-text lemmatiser, shared by the search index and the query parser (pymorphy3 through
``text.morph``, Russian and Ukrainian).

The index stores ONE lemma per token (the best parse for the turn's language); a query word expands
to EVERY normal form any Russian or Ukrainian parse gives it, so the indexed lemma is always among
them and "танк" finds "танков", "танками". Both sides fold ё→е and drop apostrophes so the FTS
tokenizer sees the same tokens.
"""

from __future__ import annotations

import re
from functools import lru_cache

from listeningpost.text import normalise
from listeningpost.text.lang import RU_LETTERS, UK_LETTERS
from listeningpost.text.morph import analyzer

# letters/digits, keeping inner apostrophes (Ukrainian б'є, м'ясо) inside one word
WORD_RE = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")
_APOSTROPHES = str.maketrans("", "", "'’ʼ")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def fold(text: str) -> str:
    """Lower-case, ё→е (``normalise.fold``), no apostrophes: the form both index and query use."""
    return normalise.fold(text).translate(_APOSTROPHES)


def is_cyrillic(word: str) -> bool:
    return bool(_CYRILLIC.search(word))


def guess_lang(text: str, default: str = "ru") -> str:
    """Ukrainian when more words carry Ukrainian-only letters than Russian-only ones."""
    uk = sum(1 for w in words(text) if any(ch in UK_LETTERS for ch in w.lower()))
    ru = sum(1 for w in words(text) if any(ch in RU_LETTERS for ch in w.lower()))
    return "uk" if uk > ru else ("ru" if ru > uk else default)


@lru_cache(maxsize=500_000)
def lemma(word: str, lang: str = "ru") -> str:
    """Best-parse normal form of one word (index side)."""
    if not is_cyrillic(word):
        return fold(word)
    low = word.lower()
    first, other = ("uk", "ru") if lang == "uk" else ("ru", "uk")
    # a Russian word in a Ukrainian turn (and vice versa) is parsed by the dictionary that knows it
    if not analyzer(first).word_is_known(low) and analyzer(other).word_is_known(low):
        first = other
    parses = analyzer(first).parse(low)
    return fold(parses[0].normal_form) if parses else fold(word)


@lru_cache(maxsize=50_000)
def lemma_variants(word: str) -> tuple[str, ...]:
    """Every normal form of ``word`` under any Russian or Ukrainian parse (query side)."""
    if not is_cyrillic(word):
        return (fold(word),)
    forms = {fold(p.normal_form) for lang in ("ru", "uk") for p in analyzer(lang).parse(word.lower())}
    return tuple(sorted(forms | {fold(word)}))


def words(text: str) -> list[str]:
    return WORD_RE.findall(text)


def lemmatize(text: str, lang: str | None = None) -> str:
    """Space-separated lemmas of ``text`` (the index's lemma column)."""
    lang = lang if lang in ("ru", "uk") else guess_lang(text)
    return " ".join(lemma(w, lang) for w in words(text))
