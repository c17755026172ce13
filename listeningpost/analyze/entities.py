"""Entity extraction: natasha NER for PERSON/PLACE/ORG, then rule layers for what news NER lacks.

``extract_entities(doc)`` fills ``doc.entities``. Each layer proposes candidate spans with a priority;
overlaps are resolved per turn (higher priority, then longer span, wins); PLACEs are geocoded last so
that the call's other places give oblast context. Every entity gets a canonical English/Latin ``norm``
so inflected forms across calls group together (Лампасу / Лампас-28 -> Lampas / Lampas-28).

This module runs natasha and the driver; the layers are in ``entity_military.py`` (lexicon, units,
equipment, casualty codes), ``entity_people.py`` (names, call signs, posts), ``entity_dates.py`` and
``entity_places.py`` (with the geocoding), what they share in ``entity_base.py``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from listeningpost.analyze.document import AnalysisDoc, Entity, Token
# translit is imported from here by other modules
from listeningpost.analyze.entity_base import (PRIORITY, Cand, TurnView, _is_geo, _is_name, lemma_of_person,
                                               not_a_name, translit)
from listeningpost.analyze.entity_dates import date_layer
from listeningpost.analyze.entity_military import (casualty_layer, lexicon_layer, military_unit_numbers,
                                                   weapon_name_layer)
from listeningpost.analyze.entity_people import (callsign_layer, name_layer, post_layer, role_callsign_layer,
                                                 vocative_layer)
from listeningpost.analyze.entity_places import _geocode_places, place_layer
from listeningpost.analyze.geocode import gazetteer


def natasha_layer(v: TurnView, spans: list[tuple[str, int, int]]) -> Iterable[Cand]:
    """natasha PER/LOC/ORG, kept only where our own evidence agrees (news NER misfires on profanity)."""
    toks = v.toks
    for kind, nstart, nend in spans:
        if (span := v.span(nstart, nend)) is None:
            continue
        a, b = span
        words = [t for t in toks[a:b] if t.is_word]
        if kind == "PER":
            if any(_is_name(t) for t in words) and not any(not_a_name(t) for t in words):
                yield Cand("PERSON", a, b, " ".join(translit(lemma_of_person(t)).capitalize() for t in words),
                           PRIORITY["PERSON"], "natasha")
        elif kind == "LOC":
            if words[-1].lemma in ("монастырь", "лавра", "собор") or any(_is_geo(t) for t in words) or gazetteer().lookup(
                    [t.text for t in words]):
                yield Cand("PLACE", a, b, "", PRIORITY["PLACE"], "natasha")
        elif kind == "ORG":
            if words[-1].lemma in ("монастырь", "лавра", "собор"):
                yield Cand("PLACE", a, b, " ".join(translit(t.text) for t in words), PRIORITY["PLACE"], "natasha")
            elif len(words) == 1 and words[0].text.isupper() and 2 <= len(words[0].text) <= 6 and a not in v.quoted:
                yield Cand("ORG", a, b, translit(words[0].text).upper(), PRIORITY["ORG"] - 1, "natasha")


@lru_cache(maxsize=1)
def _ner():
    from natasha import NewsEmbedding, NewsNERTagger

    return NewsNERTagger(NewsEmbedding())


def natasha_spans(texts: list[str]) -> list[list[tuple[str, int, int]]]:
    """natasha NER over the normalised turn texts (one batch per call); offsets in those texts."""
    if not texts:
        return []
    return [[(s.type, s.start, s.stop) for s in markup.spans] for markup in _ner().map(texts)]


def _worth_ner(tok: Token) -> bool:
    """A capitalised word that could be a name or place (natasha only sees sentences that have one)."""
    if not tok.text[:1].isupper() or tok.text.isupper() or not tok.is_word:
        return False
    return not tok.known or _is_name(tok) or _is_geo(tok)


def _natasha_for(doc: AnalysisDoc) -> list[list[tuple[str, int, int]]]:
    """natasha on the sentences that can hold a PER/LOC (the NER is most of the stage's time otherwise)."""
    pieces = [(turn.index, s.tokens[0].nstart, s.tokens[-1].nend)  # (turn, start, end in its normalised text)
              for turn in doc.turns for s in turn.sentences if any(_worth_ner(t) for t in s.tokens)]
    out: list[list[tuple[str, int, int]]] = [[] for _ in doc.turns]
    texts = [doc.turns[ti].norm.text[a:b] for ti, a, b in pieces]
    for (ti, offset, _), spans in zip(pieces, natasha_spans(texts)):
        out[ti].extend((kind, a + offset, b + offset) for kind, a, b in spans)
    return out


def _resolve(cands: list[Cand]) -> list[Cand]:
    kept: list[Cand] = []
    for c in sorted(cands, key=lambda c: (-c.priority, -(c.end - c.start), c.start)):
        if all(c.end <= k.start or k.end <= c.start for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: c.start)


def turn_candidates(v: TurnView, ner: list[tuple[str, int, int]]) -> list[Cand]:
    layers = (lexicon_layer, casualty_layer, callsign_layer, date_layer, place_layer, military_unit_numbers,
              name_layer, vocative_layer, post_layer, weapon_name_layer, role_callsign_layer)
    return _resolve([c for layer in layers for c in layer(v)] + list(natasha_layer(v, ner)))


def extract_entities(doc: AnalysisDoc, use_natasha: bool = True) -> None:
    """Fill ``doc.entities`` (all mentions, in turn order); PLACEs carry coordinates where resolved."""
    views = [TurnView(t) for t in doc.turns]
    ner = _natasha_for(doc) if use_natasha else [[] for _ in doc.turns]
    entities: list[Entity] = []
    for v, spans in zip(views, ner):
        for c in turn_candidates(v, spans):
            start, end = v.toks[c.start].start, v.toks[c.end - 1].end
            text = v.turn.text[start:end]
            entities.append(Entity(c.type, text, c.norm, v.turn.index, start, end,
                                   data={"layer": c.layer, "lemma": " ".join(t.lemma for t in v.toks[c.start:c.end])}))
    _geocode_places(doc, entities)
    doc.entities.extend(entities)
