"""PLACE entities: capitalised words the gazetteer knows where introduced as places, relational adjectives
of towns, map grid references, and the geocoding of a call's places (each other's oblast as context)."""

from __future__ import annotations

import re
from typing import Iterable

from listeningpost.analyze.document import AnalysisDoc, Entity
from listeningpost.analyze.entity_base import PRIORITY, Cand, TurnView, _is_geo, lemma_of_name, translit
from listeningpost.analyze.geocode import gazetteer
from listeningpost.text.morph import all_parses
from listeningpost.text.normalise import fold

_GRID = re.compile(r"\b[рР]айон[е]?\s+([А-ЯЁ][а-яё]+)\s+(\d+-\d+)")
_PLACE_PREPS = {"в", "во", "на", "под", "из", "с", "со", "до", "около", "возле", "через", "от", "к", "біля", "під",
                "з", "із", "у"}


def place_layer(v: TurnView) -> Iterable[Cand]:
    """Capitalised words the gazetteer knows, when introduced as places ('под Бахмутом', 'в Лимане')."""
    toks = v.toks
    g = gazetteer()
    for i in v.words:
        t = toks[i]
        if not t.text[:1].isupper() or i in v.quoted or t.text.isupper():
            continue
        prev = v.prev_word(i)
        after_prep = prev is not None and fold(toks[prev].text) in _PLACE_PREPS
        for n in (2, 1):
            span = toks[i:i + n]
            if len(span) < n or not all(s.is_word for s in span):
                continue
            found = g.lookup([s.text for s in span])
            trusted = [p for p in found if p.source in ("hand", "infoportal", "radatlas") or p.kind == "M"]
            if trusted and (after_prep or any(p.source == "hand" for p in trusted) or _is_geo(t)):
                yield Cand("PLACE", i, i + n, "", PRIORITY["PLACE"] + 1, "gazetteer")
                break
            if found and after_prep and (_is_geo(t) or not t.known):
                yield Cand("PLACE", i, i + n, "", PRIORITY["PLACE"], "gazetteer")
                break
    yield from _place_adjectives(v)
    for m in _GRID.finditer(v.turn.norm.text):
        if span := v.span(m.start(1), m.end(2)):
            yield Cand("PLACE", *span, f'map grid "{translit(m.group(1)).capitalize()} {m.group(2)}"',
                       PRIORITY["PLACE"] + 2, "grid")


def _place_adjectives(v: TurnView) -> Iterable[Cand]:
    """Relational adjectives of towns, often used for the people from there: 'липецких' (Lipetsk),
    'харьковская', 'мариупольских'. Only towns/cities (a village name is too likely a coincidence), and
    not nationality adjectives (pymorphy tags 'украинский', 'русский' Geox; Украинск the town loses)."""
    g = gazetteer()
    for i in v.words:
        t = v.toks[i]
        lemma = fold(t.lemma)
        if i in v.quoted or t.text.isupper() or not lemma.endswith(("ский", "цкий")) or len(lemma) < 7:
            continue
        parses = all_parses(t.text)
        if not parses or "ADJF" not in parses[0].tag or any("Geox" in str(p.tag) for p in parses[:3]):
            continue
        stems = [lemma[:-2]] if lemma.endswith("цкий") else []
        stems += [lemma[:-4], lemma[:-4] + "ь", lemma[:-2]]
        for stem in dict.fromkeys(stems):
            towns = [p for p in g.index.get(stem, ()) if p.kind in ("city", "M")]
            if towns:
                hand = [p for p in towns if p.source == "hand"] or towns
                norm = hand[0].en or translit(hand[0].name) if len(hand) == 1 else ""
                yield Cand("PLACE", i, i + 1, norm, PRIORITY["PLACE"], "place-adjective")
                break


def _geocode_places(doc: AnalysisDoc, entities: list[Entity]) -> None:
    g = gazetteer()
    places = [e for e in entities if e.type == "PLACE" and e.data.get("layer") != "grid"]
    first = {id(e): g.resolve(_words(e.text)) for e in places}
    sure = [r.place for r in first.values() if r.place and not r.ambiguous and r.place.kind not in ("country", "region")]
    context = {p.oblast for p in sure if p.oblast}
    points = [(p.lat, p.lon) for p in sure if p.kind not in ("oblast", "river")]
    for e in places:
        result = first[id(e)]
        if result.ambiguous and (context or points):
            result = g.resolve(_words(e.text), context, points)
        if result.place is not None:
            e.lat, e.lon, e.geo_confidence = result.place.lat, result.place.lon, result.confidence
            e.norm = e.norm or result.place.en or translit(result.place.name)
            e.data["geo"] = result.as_data()
        if not e.norm:
            e.norm = " ".join(translit(lemma_of_name(w)).capitalize() for w in _words(e.text))


def _words(text: str) -> list[str]:
    return re.findall(r"[\w-]+", text)
