"""Ukrainian place names in Russian: a hromada's centre from its adjective name, rough uk -> ru
spelling. Used by ``geocode`` at run time and by ``scripts/build_gazetteer.py`` when a maintainer
rebuilds ``data/gazetteer_ua.tsv``.
"""

from __future__ import annotations

import re

from listeningpost.text.morph import analyzer

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


def uk_to_ru(name: str) -> str:
    """Rough Ukrainian -> Russian spelling of a place name (Торське -> Торское, Донецьк -> Донецк)."""
    out = name.replace("ськ", "ск").replace("цьк", "цк").replace("'", "").replace("’", "")
    out = out.replace("і", "и").replace("І", "И").replace("ї", "йи").replace("є", "е").replace("Є", "Е").replace("ґ", "г")
    return re.sub(r"ске$", "ское", out)


def centre_ru(adjective_ru: str, centre_uk: str) -> str:
    """The Russian name of a hromada's centre: from its Russian adjective, or its Ukrainian centre's name."""
    guess = centre_name(adjective_ru, "ru")
    from_uk = uk_to_ru(centre_uk) if centre_uk else ""
    if from_uk and guess != from_uk and (not guess or is_place(from_uk, "ru") or len(from_uk) > len(guess)):
        return from_uk
    return guess
