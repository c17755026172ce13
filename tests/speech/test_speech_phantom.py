"""No phantom text: silence, noise and music produce no words; hallucination filters."""

from __future__ import annotations

import numpy as np
import pytest

from listeningpost.speech import hallucinations, langid
from listeningpost.speech.core import run

from speechfix import music, write_wav


@pytest.mark.parametrize("kind", ["silence", "white_noise", "brown_noise", "music"])
def test_non_speech_gives_no_words(tmp_path, kind):
    rng = np.random.default_rng(7)
    n = 60 * 16000
    signal = {
        "silence": lambda: np.zeros(n),
        "white_noise": lambda: 0.1 * rng.standard_normal(n),
        "brown_noise": lambda: 0.3 * np.cumsum(rng.standard_normal(n)) / np.sqrt(n),
        "music": lambda: music(60),
    }[kind]()
    result = run(write_wav(tmp_path / f"{kind}.wav", signal))
    assert result.turns == []
    assert result.language is None
    assert result.duration_s == pytest.approx(60, abs=0.05)


def test_known_hallucinations_are_whole_segment_only():
    assert hallucinations.is_known_hallucination("Продолжение следует...")
    assert hallucinations.is_known_hallucination("Субтитры сделал DimaTorzok")
    assert hallucinations.is_known_hallucination(" ♪ ♪ ")
    assert hallucinations.is_known_hallucination("Спасибо за просмотр!")
    assert not hallucinations.is_known_hallucination("Продолжение следует, сказал комбат, завтра опять штурм")
    assert not hallucinations.is_known_hallucination("Мама, у нас всё нормально")


def test_loop_cut_keeps_one_copy_of_a_repeated_phrase():
    words = "мы стоим тут , мы стоим тут мы стоим тут мы стоим тут".replace(" ,", ",").split()
    cut = hallucinations.loop_cut(words)
    assert words[:cut] == ["мы", "стоим", "тут,"]
    plain = "вчера опять обстрел был двоих ранило".split()
    assert hallucinations.loop_cut(plain) == len(plain)
    assert hallucinations.loop_cut("да да да да да".split()) == 1
    assert hallucinations.loop_cut("да да нет".split()) == 3


def test_language_restricted_to_ru_uk():
    # Whisper base on Ukrainian often ranks Persian first: decode as uk, never fa
    decision = langid.decide([("<|fa|>", 0.19), ("<|uk|>", 0.15), ("<|ru|>", 0.05), ("<|en|>", 0.02)])
    assert decision.decode == "uk" and decision.label == "uk"
    assert decision.probability == pytest.approx(0.15 / 0.20, abs=1e-3)
    other = langid.decide([("<|en|>", 0.95), ("<|ru|>", 0.02), ("<|uk|>", 0.01)])
    assert other.label == "other" and other.decode == "ru"
