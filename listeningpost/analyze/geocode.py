"""Resolve place names ('под Бахмутом', 'в Мариуполе', 'на Херсонщине') to coordinates.

Names are matched by lemma, so any inflection finds the nominative entry. Sources, best first:
the hand-made ``data/places.yaml``; the shipped ``data/gazetteer_ua.tsv`` (infoportal raions/hromadas
and their centres, ISC); and, when ``../shared/data/reference/gazetteer`` ($LPOST_GAZETTEER_DIR, or under $LPOST_SHARED) is
present, radatlas city points and every KATOTTH settlement (placed at its hromada's centroid).
A name with several distinct candidates is resolved by the oblasts of the call's other places, or
left ambiguous: the best-ranked candidate with a lower confidence and the candidates listed.
"""

from __future__ import annotations

import csv
import hashlib
import os
import pickle
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import dropwhile, product
from pathlib import Path
from typing import Iterable

import yaml

from listeningpost.text.morph import all_parses
from listeningpost.text.normalise import fold

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "reference" / "gazetteer"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "listeningpost"

#: how much a match from each kind of entry is trusted when it is the only candidate
RANK = {"country": 0.95, "region": 0.9, "oblast": 0.9, "river": 0.85, "city": 0.9, "M": 0.85, "radatlas": 0.85,
        "centre": 0.7, "X": 0.6, "raion": 0.55, "C": 0.5, "B": 0.5, "K": 0.4, "hromada": 0.4}
#: words that introduce a place and are not part of its name
PREPOSITIONS = {"в", "во", "на", "под", "подо", "из", "изо", "с", "со", "до", "у", "около", "возле", "за", "через",
                "от", "к", "ко", "по", "у", "біля", "під", "з", "із", "до", "коло", "поблизу"}


@dataclass(frozen=True)
class Place:
    name: str  # as listed (nominative)
    en: str
    kind: str
    lat: float
    lon: float
    oblast: str = ""  # UA pcode prefix, e.g. UA14 (Donetsk oblast)
    source: str = ""


@dataclass
class GeoResult:
    place: Place | None
    confidence: float
    candidates: list[Place] = field(default_factory=list)

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    def as_data(self) -> dict:
        return {"place": asdict(self.place) if self.place else None, "geo_confidence": self.confidence,
                "candidates": [asdict(c) for c in self.candidates[:10]]}


@lru_cache(maxsize=100_000)
def _lemmas(word: str, lang: str) -> frozenset[str]:
    return frozenset({fold(p.normal_form) for p in all_parses(word, lang)} | {fold(word)})


def name_keys(name: str, lang: str = "ru") -> set[str]:
    """Keys of a gazetteer name: its best lemma sequence and its folded form."""
    words = name.replace("-", " - ").split()
    best = " ".join(fold(all_parses(w, lang)[0].normal_form) if w != "-" else "-" for w in words)
    return {best.replace(" - ", "-"), fold(name)}


def query_keys(words: list[str]) -> set[str]:
    return set(_query_keys(tuple(words)))


@lru_cache(maxsize=50_000)
def _query_keys(words: tuple[str, ...]) -> frozenset[str]:
    """Keys a spoken form may match: every parse's lemma in ru and uk, plus the folded words."""
    options = [sorted(_lemmas(w, "ru") | _lemmas(w, "uk")) if w != "-" else ["-"] for w in words]
    keys = set()
    for combo in product(*options[:4]):
        keys.add(" ".join(combo).replace(" - ", "-"))
        if len(keys) > 64:
            break
    return frozenset(keys)


class Gazetteer:
    def __init__(self, entries: Iterable[tuple[str, Place]]):
        self.index: dict[str, list[Place]] = defaultdict(list)
        for key, place in entries:
            if place not in self.index[key]:
                self.index[key].append(place)

    def lookup(self, words: list[str]) -> list[Place]:
        return list(dict.fromkeys(p for key in query_keys(words) for p in self.index.get(key, ())))

    def resolve(self, words: list[str], context_oblasts: Iterable[str] = (),
                context_points: Iterable[tuple[float, float]] = ()) -> GeoResult:
        words = list(dropwhile(lambda w: fold(w) in PREPOSITIONS, filter(None, words)))
        cands = self.lookup(words) if words else []
        if not cands:
            return GeoResult(None, 0.0, [])
        cands = _distinct([c for c in cands if c.source == "hand"] or cands)  # best-ranked first
        best = RANK.get(cands[0].kind, 0.3)
        if len(cands) == 1:
            return GeoResult(cands[0], best, cands)
        context = set(context_oblasts)
        local = _distinct([c for c in cands if c.oblast and c.oblast in context])
        if len(local) == 1:
            return GeoResult(local[0], round(RANK.get(local[0].kind, 0.3) * 0.85, 3), cands)
        points = list(context_points)
        if points:  # the candidate clearly nearest the call's other places
            by_dist = sorted(cands, key=lambda c: min(_dist(c, p) for p in points))
            d0, d1 = (min(_dist(c, p) for p in points) for c in by_dist[:2])
            if d0 < 0.5 * d1 and d0 < 1.0:
                return GeoResult(by_dist[0], round(RANK.get(by_dist[0].kind, 0.3) * 0.7, 3), cands)
        top = [c for c in cands if RANK.get(c.kind, 0.3) == best]
        return GeoResult(cands[0], round(best / len(top) if len(top) > 1 else best * 0.8, 3), cands)


def _dist(c: Place, point: tuple[float, float]) -> float:
    """Rough distance in degrees (longitude shrunk at Ukraine's latitude)."""
    return ((c.lat - point[0]) ** 2 + ((c.lon - point[1]) * 0.66) ** 2) ** 0.5


def _distinct(cands: list[Place]) -> list[Place]:
    """Drop candidates within ~10 km of a better one (the same place from two sources)."""
    out: list[Place] = []
    for c in sorted(cands, key=lambda c: -RANK.get(c.kind, 0.3)):
        if not any(abs(c.lat - o.lat) < 0.1 and abs(c.lon - o.lon) < 0.15 for o in out):
            out.append(c)
    return out


def _hand_entries() -> Iterable[tuple[str, Place]]:
    for item in yaml.safe_load((DATA / "places.yaml").read_text(encoding="utf-8")):
        place = Place(item["names"][0], item["en"], item["kind"], item["lat"], item["lon"],
                      item.get("oblast", ""), "hand")
        for name, lang in product(item["names"], ("ru", "uk")):
            yield from ((key, place) for key in name_keys(name, lang))


def _shipped_entries() -> Iterable[tuple[str, Place]]:
    with open(DATA / "gazetteer_ua.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            lat, lon = float(r["lat"]), float(r["lon"])
            if r["kind"] == "hromada":
                for lang, col in (("ru", "center_ru"), ("uk", "center_uk")):
                    if r[col]:
                        place = Place(r[col], _en_centre(r["en"]), "centre", lat, lon, r["oblast"], "infoportal")
                        yield from ((key, place) for key in name_keys(r[col], lang))
            else:
                place = Place(r["ru"] + " район", r["en"] + " Raion", "raion", lat, lon, r["oblast"], "infoportal")
                for key in name_keys(r["ru"] + " район", "ru") | name_keys(r["uk"] + " район", "uk"):
                    yield key, place


def _en_centre(hromada_en: str) -> str:
    return hromada_en[:-3] + "sk" if hromada_en.endswith("ska") else hromada_en.removesuffix("a")


def uk_to_ru(name: str) -> str:
    """Rough Ukrainian -> Russian spelling of a place name (Торське -> Торское, Донецьк -> Донецк)."""
    out = name.replace("ськ", "ск").replace("цьк", "цк").replace("'", "").replace("’", "")
    out = out.replace("і", "и").replace("І", "И").replace("ї", "йи").replace("є", "е").replace("Є", "Е").replace("ґ", "г")
    return re.sub(r"ске$", "ское", out)


def _shared_entries(src: Path) -> Iterable[tuple[str, Place]]:
    radatlas = src / "radatlas_settlements_uk_ru_en_coords.csv"
    if radatlas.exists():
        with open(radatlas, encoding="utf-8") as f:
            for r in csv.DictReader(f):
                place = Place(r["name_ru"] or r["name_uk"], r["name_en_translit"] or r["name_en"], "radatlas",
                              float(r["lat"]), float(r["lon"]), "", "radatlas")
                for lang, col in (("ru", "name_ru"), ("uk", "name_uk")):
                    if r[col]:
                        yield from ((key, place) for key in name_keys(r[col], lang))
    katotth = sorted(src.glob("katotth_kodifikator_*.csv"))
    if not katotth:
        return
    with open(DATA / "gazetteer_ua.tsv", encoding="utf-8") as f:
        centroids = {r["pcode"]: (float(r["lat"]), float(r["lon"]))
                     for r in csv.DictReader(f, delimiter="\t") if r["kind"] == "hromada"}
    with open(katotth[-1], encoding="utf-8") as f:
        rows = csv.reader(f, delimiter=";")
        next(rows)
        for r in rows:
            if len(r) < 7 or r[5] not in ("M", "X", "C", "B") or not r[2]:
                continue
            latlon = centroids.get(r[2][:9])
            if latlon is None:
                continue
            name = r[6].strip()
            place = Place(name, "", r[5], latlon[0], latlon[1], r[0][:4], "katotth")
            yield from ((key, place) for key in name_keys(name, "uk") | name_keys(uk_to_ru(name), "ru"))


def _source_dir() -> Path | None:
    shared = os.environ.get("LPOST_SHARED")
    default = Path(shared) / "data" / "reference" / "gazetteer" if shared else SHARED
    d = Path(os.environ.get("LPOST_GAZETTEER_DIR", default))
    return d if d.is_dir() else None


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer; the KATOTTH part is pickled under ~/.cache (building it takes seconds)."""
    src = _source_dir()
    entries = list(_hand_entries()) + list(_shipped_entries())
    if src is not None:
        stamp = "|".join(f"{p.name}:{p.stat().st_mtime_ns}" for p in sorted(src.glob("*.csv")))
        stamp += f"|{(DATA / 'gazetteer_ua.tsv').stat().st_mtime_ns}"
        path = CACHE / f"gazetteer-{hashlib.sha1(stamp.encode()).hexdigest()[:12]}.pkl"
        try:
            shared = pickle.loads(path.read_bytes())
        except (OSError, pickle.PickleError, EOFError):
            shared = list(_shared_entries(src))
            try:
                CACHE.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_bytes(pickle.dumps(shared))
                tmp.replace(path)
            except OSError:
                pass
        entries += shared
    return Gazetteer(entries)


def geocode(text: str, context_oblasts: Iterable[str] = ()) -> GeoResult:
    """Resolve a short place phrase, prepositions allowed: geocode('под Бахмутом')."""
    from razdel import tokenize

    words = [t.text for t in tokenize(text) if any(c.isalnum() for c in t.text) or t.text == "-"]
    return gazetteer().resolve(words, context_oblasts)
