"""Build the gazetteer that ships in the repo from the infoportal hromada/raion tables (ISC).

    python scripts/build_gazetteer.py [GAZETTEER_DIR]

Writes listeningpost/analyze/data/gazetteer_ua.tsv (a maintainer script: not part of the package).
Only alexandreannic/infoportal-common (ISC, attribution kept in data/GAZETTEER_SOURCES.md) may be
committed; radatlas / KATOTTH / perelik are read from ../shared at run time by ``geocode``.
A hromada is named after its centre (Бахмутская -> Бахмут), so each hromada row also gets the centre
settlement's name, recovered by trying the usual endings against pymorphy3's dictionary of place
names (Geox); a row whose centre cannot be confirmed keeps only the hromada name.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from listeningpost.analyze.geocode import uk_to_ru
from listeningpost.text.morph import analyzer

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "listeningpost" / "analyze" / "data"
OUT = DATA / "gazetteer_ua.tsv"
DEFAULT_SRC = REPO.parent / "shared" / "data" / "reference" / "gazetteer"
COLUMNS = ["kind", "pcode", "oblast", "uk", "ru", "en", "center_uk", "center_ru", "lat", "lon"]


_RU_ENDINGS = ("ская", "цкая", "кая", "ая")
_TAILS = ("", "ск", "к", "ь", "ка", "а", "е", "ье", "о", "ое", "и", "ы", "ий")


def is_place(name: str, lang: str) -> bool:
    """Whether pymorphy3's dictionary knows ``name`` as a place (ru: Geox) or, for uk, a noun."""
    return any(p.normal_form == name.lower() and analyzer(lang).word_is_known(name.lower())
               and (lang == "ru" and "Geox" in str(p.tag) or lang == "uk" and p.tag.POS == "NOUN")
               for p in analyzer(lang).parse(name))


def centre_name(adjective: str, lang: str) -> str:
    """Бахмутская -> Бахмут, Мариупольская -> Мариуполь (ru); Краматорська -> Краматорськ (uk)."""
    if lang == "uk":  # the uk dictionary has no Geox tag: accept a known noun
        for ending, tails in (("цька", ("цьк", "ць")), ("ська", ("ськ", "", "ь", "ка", "е"))):
            if adjective.endswith(ending):
                stem = adjective[: -len(ending)]
                for tail in tails:
                    if len(stem + tail) > 2 and is_place(stem + tail, "uk"):
                        return stem + tail
        return ""
    for ending in _RU_ENDINGS:
        if adjective.endswith(ending):
            stem = adjective[: -len(ending)]
            for tail in _TAILS:
                cand = stem + tail
                if len(cand) > 2 and is_place(cand, "ru"):
                    return cand
    return ""


def centre_ru(adjective_ru: str, centre_uk: str) -> str:
    """The Russian name of a hromada's centre: from its Russian adjective, or its Ukrainian centre's name."""
    guess = centre_name(adjective_ru, "ru")
    from_uk = uk_to_ru(centre_uk) if centre_uk else ""
    if from_uk and guess != from_uk and (not guess or is_place(from_uk, "ru") or len(from_uk) > len(guess)):
        return from_uk
    return guess


def build(src: Path) -> list[dict[str, str]]:
    rows = []
    for kind, name in (("raion", "infoportal_raions_ua_ru_en_centroids.csv"),
                       ("hromada", "infoportal_hromadas_ua_ru_en_centroids.csv")):
        with open(src / name, encoding="utf-8") as f:
            for r in csv.DictReader(f):
                pcode = r["iso"]
                rows.append({
                    "kind": kind, "pcode": pcode, "oblast": pcode[:4], "uk": r["ua"], "ru": r["ru"], "en": r["en"],
                    "center_uk": centre_name(r["ua"], "uk") if kind == "hromada" else "",
                    "lat": f"{float(r['lat_centroid']):.5f}", "lon": f"{float(r['lon_centroid']):.5f}",
                })
    for r in rows:
        r["center_ru"] = centre_ru(r["ru"], r["center_uk"]) if r["kind"] == "hromada" else ""
    return rows


def main(argv: list[str]) -> None:
    src = Path(argv[0]) if argv else DEFAULT_SRC
    rows = build(src)
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, COLUMNS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    centres = sum(1 for r in rows if r["center_ru"])
    print(f"{OUT}: {len(rows)} rows, {centres} hromada centres recovered")


if __name__ == "__main__":
    main(sys.argv[1:])
