"""Sentences and word tokens (razdel), with offsets into the text they were cut from."""

from __future__ import annotations

import re
from dataclasses import dataclass

from razdel import sentenize, tokenize


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
