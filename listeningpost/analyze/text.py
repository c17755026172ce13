"""Text layer: normalise a turn for analysis while keeping a map back to the original.

Transcripts carry editorial marks (see ../shared/data/SOURCES.md): ``Чо [=Что]`` gives the standard
form of the word before it, ``го... [говорил]`` completes a cut word, ``[xxx]`` marks unintelligible
speech, ``(=Сорок!)`` is a reading, ``чё*`` anchors a footnote. Analysis reads the standard form; quotes
and entity surfaces are always cut from the ORIGINAL text through the character map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pymorphy3
from razdel import sentenize, tokenize

# [=что], [говорил], [xxx]/[ХХХ] (any run of x/х), (=Сорок!) and footnote asterisks
_MARK = re.compile(r"\[(=?)([^\]]*)\]|\(=([^)]*)\)|(?<=\w)\*+|(?<=[.!?,…])\*+")
_UNINTELLIGIBLE = re.compile(r"^[xх]+$", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"(\w+(?:-\w+)*)(\W*)$")
_UK_LETTERS = set("іїєґ")
_RU_LETTERS = set("ыэъё")


@dataclass
class NormText:
    """``text`` read for analysis; ``starts[i]``/``ends[i]`` give the original span of character i."""

    original: str
    text: str
    starts: list[int]
    ends: list[int]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text to the span of the original it came from."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


class _Builder:
    def __init__(self, original: str):
        self.original = original
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def copy(self, a: int, b: int) -> None:
        for i in range(a, b):
            self.chars.append(self.original[i])
            self.starts.append(i)
            self.ends.append(i + 1)

    def put(self, text: str, a: int, b: int) -> None:
        """Append ``text`` standing for original span [a, b)."""
        for ch in text:
            self.chars.append(ch)
            self.starts.append(a)
            self.ends.append(b)

    def replace_last_word(self, word: str, force: bool) -> bool:
        """Replace the last word already emitted (before trailing punctuation) by ``word``."""
        emitted = "".join(self.chars)
        m = _WORD_BEFORE.search(emitted)
        if not m:
            return False
        a, b = m.start(1), m.end(1)
        old = emitted[a:b]
        if not force and not word.lower().startswith(old.lower()):
            return False  # a cut word is completed only by a note that extends it
        o_start, o_end = self.starts[a], self.ends[b - 1]
        tail = list(zip(self.chars[b:], self.starts[b:], self.ends[b:]))
        while tail and tail[-1][0].isspace():  # the space before the note goes with it
            tail.pop()
        del self.chars[a:], self.starts[a:], self.ends[a:]
        self.put(word, o_start, o_end)
        for ch, s, e in tail:
            self.chars.append(ch)
            self.starts.append(s)
            self.ends.append(e)
        return True


def normalise(original: str) -> NormText:
    """Apply editorial notes and drop marks; ё is kept (lemmatiser handles it), case is kept."""
    b = _Builder(original)
    pos = 0
    for m in _MARK.finditer(original):
        b.copy(pos, m.start())
        pos = m.end()
        if m.group(3) is not None:  # (=Сорок!) reading: analyse its words
            b.put(" ", m.start(), m.start(3))
            b.copy(m.start(3), m.end(3))
            b.put(" ", m.end(3), m.end())
            continue
        if m.group(2) is None:  # footnote anchor
            continue
        note = m.group(2).strip()
        if not note or _UNINTELLIGIBLE.match(note.replace(" ", "")):
            b.put(" ", m.start(), m.end())
            continue
        if m.group(1) == "=" or _is_completion(b, note):
            if b.replace_last_word(note, force=m.group(1) == "="):
                continue
        b.put(note, m.start(2), m.end(2))  # an inserted word
    b.copy(pos, len(original))
    return NormText(original, "".join(b.chars), b.starts, b.ends)


def _is_completion(b: _Builder, note: str) -> bool:
    emitted = "".join(b.chars).rstrip()
    if not emitted.endswith(("...", "…")):
        return False
    m = _WORD_BEFORE.search(emitted)
    return bool(m) and note.lower().startswith(m.group(1).lower())


def fold(word: str) -> str:
    """Lower-case, ё -> е: the key lexicons and matching use."""
    return word.lower().replace("ё", "е")


# --- morphology ---------------------------------------------------------------------------------


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


# --- language -----------------------------------------------------------------------------------


@dataclass
class LanguageGuess:
    language: str  # ru | uk | mixed | und
    prob: float
    ru_score: float = 0.0
    uk_score: float = 0.0


def detect_language(words: list[str]) -> LanguageGuess:
    """ru / uk / mixed from letters only one alphabet has plus dictionary coverage of each word.

    Each word votes for the language(s) whose pymorphy3 dictionary knows it; a letter unique to one
    alphabet (і ї є ґ vs ы э ъ ё) is a strong vote. Words both dictionaries know carry no signal.
    """
    ru = uk = 0.0
    for w in words:
        low = w.lower()
        if not any(ch.isalpha() for ch in low):
            continue
        has_uk = any(ch in _UK_LETTERS for ch in low)
        has_ru = any(ch in _RU_LETTERS for ch in low)
        if has_uk or has_ru:
            uk += 2.0 * has_uk
            ru += 2.0 * has_ru
            continue
        k_ru = analyzer("ru").word_is_known(low)
        k_uk = analyzer("uk").word_is_known(low)
        if k_ru != k_uk:
            ru += k_ru
            uk += k_uk
    total = ru + uk
    if total == 0:
        return LanguageGuess("und" if not words else "ru", 0.0, ru, uk)
    share = ru / total
    if share >= 0.75:
        return LanguageGuess("ru", share, ru, uk)
    if share <= 0.25:
        return LanguageGuess("uk", 1 - share, ru, uk)
    return LanguageGuess("mixed", 1 - abs(share - 0.5) * 2, ru, uk)


# --- segmentation -------------------------------------------------------------------------------


@dataclass
class Span:
    text: str
    start: int  # offsets in the normalised text
    end: int


def split_sentences(text: str) -> list[Span]:
    return [Span(s.text, s.start, s.stop) for s in sentenize(text)]


_TRAILING_PUNCT = re.compile(r"^(.*\w)([,.;:!?]+)$")


def split_tokens(text: str, offset: int = 0) -> list[Span]:
    """razdel tokens; razdel keeps a comma glued to 'С-300,' / '93-9-6-6,', so split it off."""
    out = []
    for t in tokenize(text):
        m = _TRAILING_PUNCT.match(t.text) if len(t.text) > 1 else None
        if m and any(ch.isalnum() for ch in m.group(1)):
            cut = t.start + len(m.group(1))
            out.append(Span(m.group(1), t.start + offset, cut + offset))
            out.append(Span(m.group(2), cut + offset, t.stop + offset))
        else:
            out.append(Span(t.text, t.start + offset, t.stop + offset))
    return out


__all__ = [
    "NormText", "normalise", "fold", "analyzer", "Morph", "morph", "lemma", "lemmatise",
    "LanguageGuess", "detect_language", "Span", "split_sentences", "split_tokens",
]
