"""How well the per-turn ru/uk/mixed detector (text.detect_language) does.

    python bench/language_id.py

Russian: every turn of the real transcripts in ../shared/data/transcripts (all Russian). Ukrainian and
mixed: a small set of clearly synthetic sentences written for this check (no real Ukrainian intercept
transcript is available here). Prints per-set accuracy and the confusions, and the speed.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from listeningpost.text.lang import detect_language
from listeningpost.text.normalise import normalise
from listeningpost.text.tokens import split_tokens

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "transcripts"
SYNTH_UK = [
    "Сьогодні вночі знову був обстріл, двох поранило.",
    "Командир сказав, що завтра нас переводять в інше місце.",
    "Мамо, у мене все добре, не хвилюйся.",
    "Грошей досі не платять, обіцяють наприкінці місяця.",
    "Нас кинули, командирів немає, ніхто нічого не знає.",
    "Ми стоїмо біля Бахмута, артилерія б'є третій день.",
    "Скільки вас там залишилося?",
    "Привіт, як справи?",
    "Вчора наші хлопці взяли трьох у полон.",
    "Їжі немає, води теж майже немає.",
]
SYNTH_MIXED = [
    "Мы стоим под Бахмутом, а хлопці кажуть що їжі немає зовсім.",
    "Слушай, ну шо ти, я ж тобі казав, денег нет вообще.",
    "Короче, командир сказав, що завтра нас переводят на другое место.",
    "Я тебе говорю, тут такое творится, просто жах, нічого не зрозуміло.",
]


def guess(text: str) -> str:
    return detect_language([s.text for s in split_tokens(normalise(text).text)]).language


def main() -> None:
    ru_turns = []
    for path in sorted(SHARED.glob("*/*.json")):
        ru_turns += [t["text"] for t in json.loads(path.read_text(encoding="utf-8"))["turns"] if t.get("text")]
    t0 = time.perf_counter()
    for name, texts, want in (("ru (real turns)", ru_turns, "ru"), ("uk (synthetic)", SYNTH_UK, "uk"),
                              ("mixed (synthetic)", SYNTH_MIXED, "mixed")):
        got = Counter(guess(t) for t in texts)
        print(f"{name:18s} n={len(texts):4d}  accuracy {got[want] / len(texts):.3f}  {dict(got)}")
    n = len(ru_turns) + len(SYNTH_UK) + len(SYNTH_MIXED)
    print(f"{n / (time.perf_counter() - t0):.0f} turns/s (incl. dictionary load)")


if __name__ == "__main__":
    main()
