"""Language ID restricted to the languages that matter.

Whisper base often ranks Persian, Belarusian or Bulgarian above Ukrainian; decoding in such a
language produces nonsense. Detection is therefore renormalised over the allowed languages
(ru, uk); a chunk is labelled ``other`` only when the allowed languages together are improbable.
It is still decoded with the best allowed language, never an unrelated one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LangDecision:
    decode: str          # language token used for decoding (always an allowed one)
    label: str           # ru, uk, ... or "other"
    probability: float   # of ``label``: renormalised over allowed languages, raw for "other"


def decide(all_probs: list[tuple[str, float]], allowed: tuple[str, ...] = ("ru", "uk"),
           other_threshold: float = 0.1) -> LangDecision:
    """``all_probs``: (language or ``<|xx|>`` token, probability) pairs from Whisper's detector."""
    probs = {tok.strip("<|>"): float(p) for tok, p in all_probs}  # "<|ru|>" or "ru" -> "ru"
    mass = sum(probs.get(lang, 0.0) for lang in allowed)
    best = max(allowed, key=lambda lang: probs.get(lang, 0.0))
    if mass < other_threshold:
        top = max(probs, key=probs.get) if probs else best
        return LangDecision(decode=best, label="other", probability=round(probs.get(top, 0.0), 4))
    return LangDecision(decode=best, label=best, probability=round(probs.get(best, 0.0) / mass, 4))
