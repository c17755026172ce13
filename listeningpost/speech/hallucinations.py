"""Phantom-text filters: Whisper invents text on silence, noise and music (subtitle credits,
"Продолжение следует...") and loops on repeated phrases. These run on every decoded segment."""

from __future__ import annotations

import re

from listeningpost.text.normalise import bare_words

# Whole-segment outputs known to be hallucinated by Whisper on non-speech (ru/uk/en subtitles
# and video-caption boilerplate). Compared after normalisation (lower case, no punctuation).
KNOWN_HALLUCINATIONS = {
    "продолжение следует", "субтитры сделал dimatorzok", "субтитры делал dimatorzok",
    "субтитры создавал dimatorzok", "редактор субтитров а синецкая корректор а егорова",
    "редактор субтитров асинецкая корректор аегорова", "субтитры подготовлены сообществом amara org",
    "субтитры сделаны сообществом amara org", "подписывайтесь на канал", "спасибо за просмотр",
    "благодарю за внимание", "спасибо за внимание", "до новых встреч", "ставьте лайки",
    "музыка", "музыкальная заставка", "аплодисменты", "смех",
    "игорь негода", "дякую за перегляд", "підписуйтесь на канал", "субтитри зроблені спільнотою amara org",
    "продовження буде", "дякую за увагу", "thank you for watching", "thanks for watching",
    "subtitles by the amara org community", "please subscribe", "you", "музыка играет",
    "динамичная музыка", "спокойная музыка", "грустная музыка", "веселая музыка", "тревожная музыка",
}
_CREDIT = re.compile(r"(субтитр|subtitle|amara\.?org|dimatorzok|редактор субтитров|корректор)", re.I)
normalise = bare_words


def is_known_hallucination(text: str) -> bool:
    """True when the whole segment is phantom text (empty, symbols only, credits, known phrases)."""
    if not (norm := normalise(text)):
        return True  # only "♪", "...", punctuation
    return norm in KNOWN_HALLUCINATIONS or bool(_CREDIT.search(text)) and len(norm.split()) <= 12


def loop_cut(words: list[str], min_repeats: int = 3, max_ngram: int = 6) -> int:
    """Index after which ``words`` only repeat an n-gram (a decoding loop), or len(words).

    A run of the same n-gram ``min_repeats`` times or more is kept once; everything from the
    second copy on is cut (the rest of a looped segment is unreliable)."""
    norm = [normalise(w) for w in words]
    n_words = len(norm)
    for start in range(n_words):
        for size in range(1, max_ngram + 1):
            gram = norm[start:start + size]
            if len(gram) < size or not any(gram):
                break
            repeats = 1
            while norm[start + repeats * size:start + (repeats + 1) * size] == gram:
                repeats += 1
            needed = min_repeats if size > 1 else min_repeats + 1
            if repeats >= needed:
                return start + size
    return n_words
