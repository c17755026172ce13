"""What every entity layer shares (``entities.py``): the lexicons, the candidate span, the view of a
turn, the name and word tests, and transliteration."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from listeningpost.analyze.document import DocTurn, Token
from listeningpost.text.morph import all_parses
from listeningpost.text.normalise import fold

DATA = Path(__file__).parent / "data"

# candidate priority when spans overlap
PRIORITY = {"CASUALTY_CODE": 9, "DATE": 8, "PERSON_ROLE": 7, "EQUIPMENT": 7, "UNIT": 6, "ORG": 5,
            "CALLSIGN": 5, "PLACE": 4, "PERSON": 3}
_QUOTES = re.compile(r"[\"«„“]([^\"«»„“”\n]{1,40}?)[\"»“”]")
_ORDINAL_DIGITS = re.compile(r"^(\d+)-?(?:ый|ой|ий|й|ая|я|ое|е|го|му|м|ым|ых|ые)$", re.IGNORECASE)
_DETERMINERS = {"наш", "весь", "свой", "мой", "ваш", "их", "его", "соседний", "этот"}
_ORDINAL_WORDS = {"первый": 1, "второй": 2, "третий": 3, "четвертый": 4, "пятый": 5, "шестой": 6, "седьмой": 7,
                  "восьмой": 8, "девятый": 9, "десятый": 10}
_NAME_TAGS = {"Name", "Surn", "Patr"}
_PRONOUNS = {"я", "ты", "вы", "мы", "он", "она", "они", "оно"}
# radio procedure words that follow "я" but are not call signs
_PROCEDURE = {"прием", "понял", "понять", "принял", "принять", "повторяю", "повторять", "конец", "связь", "слышу",
              "слышать", "да", "нет", "здесь", "тут", "на", "приду", "приеду"}


@dataclass(frozen=True)
class LexEntry:
    type: str
    words: tuple[str, ...]
    norm: str
    upper: bool = False  # surface must be in capitals
    capital: bool = False  # surface must start with a capital
    quoted: bool = False  # only inside quotes (slang that is a common word otherwise)


@lru_cache(maxsize=1)
def lexicon() -> dict[str, list[LexEntry]]:
    """First word -> entries (longest first)."""
    raw = yaml.safe_load((DATA / "lexicon.yaml").read_text(encoding="utf-8"))
    entries = [LexEntry(etype, tuple(fold(w) for w in str(it["match"]).split()), it["norm"],
                        it.get("upper", False), it.get("capital", False), it.get("quoted", False))
               for etype, items in raw.items() for it in items]
    index: dict[str, list[LexEntry]] = {}
    for e in sorted(entries, key=lambda e: -len(e.words)):  # stable: equal lengths keep the file's order
        index.setdefault(e.words[0], []).append(e)
    return index


@lru_cache(maxsize=1)
def classes() -> dict:
    """Lemma classes of data/entity_classes.yaml: POSTS, WEAPON_NAMES, WEAPON_CUES, NOT_NAMES."""
    raw = yaml.safe_load((DATA / "entity_classes.yaml").read_text(encoding="utf-8"))
    return {k: (dict(v) if isinstance(v, dict) else frozenset(v)) for k, v in raw.items()}


#: swear roots: a capitalised "Хуясе" or "Ёбана" is never a name
_SWEAR_ROOT = re.compile(r"^(?:ху[йяеию]|пизд|[её]б|бля|нах)")


def not_a_name(t: Token) -> bool:
    """Interjections, fillers and swearing: the stop class for PERSON and CALLSIGN."""
    key = fold(t.text)
    if key in classes()["NOT_NAMES"] or t.lemma in classes()["NOT_NAMES"] or _SWEAR_ROOT.match(key):
        return True
    return any(p.tag.POS == "INTJ" for p in all_parses(t.text)[:2])


def _keys(tok: Token) -> set[str]:
    return {tok.lemma, fold(tok.text)}


@dataclass
class Cand:
    type: str
    start: int  # token index range [start, end) in the turn's word list
    end: int
    norm: str
    priority: int
    layer: str


class TurnView:
    """The word tokens of a turn with the facts layers ask about."""

    def __init__(self, turn: DocTurn):
        self.turn = turn
        self.toks = [t for t in turn.tokens if t.is_word or t.text in ('"', "«", "»", "“", "”", "„")]
        self.words = [i for i, t in enumerate(self.toks) if t.is_word]
        norm = turn.norm.text
        self.quoted: set[int] = set()
        self.quote_spans: list[tuple[int, int]] = []
        for m in _QUOTES.finditer(norm):
            if span := self.span(m.start(1), m.end(1)):
                self.quoted.update(i for i in range(*span) if self.toks[i].is_word)
                self.quote_spans.append(span)
        firsts = (next((t for t in s.tokens if t.is_word), None) for s in turn.sentences)
        self.sent_start = {t.nstart for t in firsts if t is not None}

    def span(self, nstart: int, nend: int) -> tuple[int, int] | None:
        """(first, last + 1) of the words within ``nstart``..``nend`` of the normalised text, or None."""
        idx = [i for i, t in enumerate(self.toks) if t.is_word and nstart <= t.nstart and t.nend <= nend]
        return (idx[0], idx[-1] + 1) if idx else None

    def starts_sentence(self, i: int) -> bool:
        return self.toks[i].nstart in self.sent_start

    def next_word(self, i: int) -> int | None:
        j = i + 1
        return j if j < len(self.toks) and self.toks[j].is_word else None

    def prev_word(self, i: int) -> int | None:
        j = i - 1
        return j if j >= 0 and self.toks[j].is_word else None


def _ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def lemma_of_name(word: str) -> str:
    """Nominative of a name-like word: prefer a noun parse (Лампасу -> лампас, Шестой -> шестой)."""
    parses = all_parses(word)
    nouns = [p for p in parses if p.tag.POS == "NOUN"]
    return fold((nouns or parses)[0].normal_form) if parses else fold(word)


def _female_name(t: Token) -> bool:
    return t.text[:1].isupper() and {"Name", "femn"} <= all_parses(t.text)[0].tag.grammemes


def _name_first(t: Token) -> bool:
    return any(_NAME_TAGS & p.tag.grammemes for p in all_parses(t.text)[:1])


def _is_name(t: Token) -> bool:
    return t.text[:1].isupper() and any(_NAME_TAGS & p.tag.grammemes for p in all_parses(t.text)[:3])


def lemma_of_person(t: Token) -> str:
    return next((fold(p.normal_form) for p in all_parses(t.text) if _NAME_TAGS & p.tag.grammemes), t.lemma)


def _is_geo(t: Token) -> bool:
    return t.text[:1].isupper() and any("Geox" in str(p.tag) for p in all_parses(t.text)[:3])


_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
})


def translit(text: str) -> str:
    """Russian/Ukrainian -> Latin (BGN/PCGN-like, simplified; 'ый'/'ий' endings -> 'y')."""
    low = re.sub(r"(ый|ий)\b", "y", text.lower())
    out = low.translate(_TRANSLIT)
    return out if text[:1].islower() else out[:1].upper() + out[1:]
