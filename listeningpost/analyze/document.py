"""One analysis document per call, enriched in turn by small extractors (natasha style).

``build_document(turns)`` runs the text layer once (normalisation, sentences, tokens, lemmas,
grammemes, language); extractors then append to ``doc.entities`` / ``doc.claims`` / ``doc.themes``.
All character offsets on tokens and entities point into the ORIGINAL turn text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from listeningpost.text.lang import detect_language
from listeningpost.text.morph import Morph, all_parses, morph
from listeningpost.text.normalise import NormText, fold, normalise
from listeningpost.text.tokens import split_sentences, split_tokens


@dataclass
class Token:
    text: str  # as read for analysis (editorial note applied), e.g. "Что" for "Чо [=Что]"
    orig: str  # the original surface
    start: int  # offsets in the original turn text
    end: int
    nstart: int  # offsets in the normalised turn text
    nend: int
    lemma: str  # lower case, ё -> е
    tags: frozenset[str]  # pymorphy3 grammemes (POS, case, number, ...)
    pos: str | None
    lang: str  # dictionary used: ru | uk
    known: bool  # the dictionary knows the word

    @property
    def is_word(self) -> bool:
        return any(ch.isalnum() for ch in self.text)


@dataclass
class Sentence:
    turn_index: int
    start: int  # offsets in the original turn text
    end: int
    text: str  # original text of the sentence
    tokens: list[Token]
    # dependency parse (slovnet, filled on demand by structure.parse): head token index (-1 root), relation
    heads: list[int] | None = None
    rels: list[str] | None = None


@dataclass
class DocTurn:
    index: int
    id: Any  # turn id in the case (None for gold/plain input)
    speaker: str | None
    start_s: float | None
    end_s: float | None
    text: str  # original
    norm: NormText
    language: str
    language_prob: float
    sentences: list[Sentence]

    @property
    def tokens(self) -> list[Token]:
        return [t for s in self.sentences for t in s.tokens]


@dataclass
class Entity:
    type: str  # PERSON CALLSIGN PERSON_ROLE UNIT ORG PLACE EQUIPMENT DATE CASUALTY_CODE
    text: str  # surface, cut from the original turn text
    norm: str  # canonical English/Latin form
    turn_index: int
    start_char: int  # offsets in the ORIGINAL turn text
    end_char: int
    lat: float | None = None
    lon: float | None = None
    geo_confidence: float | None = None
    data: dict[str, Any] = field(default_factory=dict)  # layer, lemma key, gazetteer candidates...


@dataclass
class AnalysisDoc:
    turns: list[DocTurn]
    entities: list[Entity] = field(default_factory=list)
    claims: list[Any] = field(default_factory=list)
    themes: list[Any] = field(default_factory=list)

    def sentences(self) -> Iterator[tuple[DocTurn, Sentence]]:
        """Every sentence with its turn (the walk docs/extending.md shows analysis engines)."""
        for turn in self.turns:
            for sent in turn.sentences:
                yield turn, sent

    @property
    def language(self) -> str:
        langs = {t.language for t in self.turns} - {"und"}
        return "und" if not langs else langs.pop() if len(langs) == 1 else "mixed"


def _past_over_send(word: str, lang: str, m: Morph) -> Morph:
    """"нашли", "зашли", "пришли", "ушли": pymorphy puts the imperative of a rare "-слать" verb ("наслать",
    "заслать") first; in speech the past of the "-йти" verb ("найти", "зайти") is meant."""
    if lang != "ru" or "impr" not in m.tags or not m.lemma.endswith("слать") or not fold(word).endswith("шли"):
        return m
    for p in all_parses(word, lang):
        if p.tag.POS == "VERB" and "past" in p.tag and not p.normal_form.endswith("слать"):
            tags = frozenset(str(p.tag).replace(" ", ",").split(","))
            return Morph(fold(p.normal_form), tags, p.tag.POS, m.known, p.score)
    return m


def build_turn(index: int, turn: dict[str, Any]) -> DocTurn:
    original = turn.get("text") or ""
    norm = normalise(original)
    words = [s.text for s in split_tokens(norm.text)]
    guess = detect_language(words)
    lang = "uk" if guess.language == "uk" else "ru"
    sentences = []
    for sent in split_sentences(norm.text):
        tokens = []
        for span in split_tokens(sent.text, sent.start):
            start, end = norm.to_original(span.start, span.end)
            tok_lang = lang
            if guess.language == "mixed":  # per token: the dictionary that knows it
                tok_lang = "uk" if morph(span.text, "uk").known and not morph(span.text, "ru").known else "ru"
            m = _past_over_send(span.text, tok_lang, morph(span.text, tok_lang))
            tokens.append(Token(span.text, original[start:end], start, end, span.start, span.end,
                                m.lemma, m.tags, m.pos, tok_lang, m.known))
        s_start, s_end = norm.to_original(sent.start, sent.end)
        sentences.append(Sentence(index, s_start, s_end, original[s_start:s_end], tokens))
    return DocTurn(index, turn.get("id"), turn.get("speaker"), _num(turn.get("start_s", turn.get("start"))),
                   _num(turn.get("end_s", turn.get("end"))), original, norm, guess.language, guess.prob, sentences)


def _num(value: Any) -> float | None:
    return float(value) if value is not None else None


def build_document(turns: list[dict[str, Any]]) -> AnalysisDoc:
    """Turn dicts need ``text``; ``id``, ``speaker``, ``start_s``/``start``, ``end_s``/``end`` optional."""
    return AnalysisDoc([build_turn(i, t) for i, t in enumerate(turns)])
