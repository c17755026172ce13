"""Russian or Ukrainian: the letters only one of the two alphabets has, and dictionary coverage."""

from __future__ import annotations

from dataclasses import dataclass

from listeningpost.text.morph import analyzer

#: letters only the Ukrainian / only the Russian alphabet has (lower case)
UK_LETTERS = frozenset("іїєґ")
RU_LETTERS = frozenset("ыэъё")


@dataclass
class LanguageGuess:
    language: str  # ru | uk | mixed | und
    prob: float


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
        has_uk = any(ch in UK_LETTERS for ch in low)
        has_ru = any(ch in RU_LETTERS for ch in low)
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
        return LanguageGuess("und" if not words else "ru", 0.0)
    share = ru / total
    if share >= 0.75:
        return LanguageGuess("ru", share)
    if share <= 0.25:
        return LanguageGuess("uk", 1 - share)
    return LanguageGuess("mixed", 1 - abs(share - 0.5) * 2)
