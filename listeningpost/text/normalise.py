"""Normalise a turn for analysis while keeping a map back to the original.

Transcripts carry editorial marks (see ../shared/data/SOURCES.md): ``Чо [=Что]`` gives the standard
form of the word before it, ``го... [говорил]`` completes a cut word, ``[xxx]`` marks unintelligible
speech, ``(=Сорок!)`` is a reading, ``чё*`` anchors a footnote. Analysis reads the standard form; quotes
and entity surfaces are always cut from the ORIGINAL text through the character map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# [=что], [говорил], [xxx]/[ХХХ] (any run of x/х), (=Сорок!) and footnote asterisks
_MARK = re.compile(r"\[(=?)([^\]]*)\]|\(=([^)]*)\)|(?<=\w)\*+|(?<=[.!?,…])\*+")
_UNINTELLIGIBLE = re.compile(r"^[xх]+$", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"(\w+(?:-\w+)*)(\W*)$")


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
        self.chars.extend(self.original[a:b])
        self.starts.extend(range(a, b))
        self.ends.extend(range(a + 1, b + 1))

    def put(self, text: str, a: int, b: int) -> None:
        """Append ``text`` standing for original span [a, b)."""
        for ch in text:
            self.chars.append(ch)
            self.starts.append(a)
            self.ends.append(b)

    def replace_last_word(self, word: str, force: bool) -> bool:
        """Replace the last word already emitted (before trailing punctuation) by ``word``."""
        emitted = "".join(self.chars)
        if not (m := _WORD_BEFORE.search(emitted)):
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
            self.put(ch, s, e)
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
        # "го... [говорил]": a note after "..." completes the cut word if it extends it (replace_last_word)
        if m.group(1) == "=" or "".join(b.chars).rstrip().endswith(("...", "…")):
            if b.replace_last_word(note, force=m.group(1) == "="):
                continue
        b.put(note, m.start(2), m.end(2))  # an inserted word
    b.copy(pos, len(original))
    return NormText(original, "".join(b.chars), b.starts, b.ends)


def fold(word: str) -> str:
    """Lower-case, ё -> е: the key lexicons and matching use."""
    return word.lower().replace("ё", "е")


_NON_WORD = re.compile(r"[^\w\s]|_")


def bare_words(text: str) -> str:
    """Folded words separated by single spaces, punctuation gone: what WER and the phantom-text
    checks compare."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())
