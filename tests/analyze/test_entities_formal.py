"""Entities of formal statements (issue 13): state bodies and parties, a date with an editor's reading.
Every sentence here is SYNTHETIC, written for these tests: none is taken from a transcript or a gold file."""

import pytest

from listeningpost.analyze.stage import analyze_turns
from listeningpost.analyze.themes import ThemeOptions


def entities(text):
    return [(e["type"], e["text"], e["norm"]) for e in analyze_turns([{"text": text}], ThemeOptions(embeddings=False))["entities"]]


@pytest.mark.parametrize("text, surface", [
    ("Депутаты Единой России голосовали против.", "Единой России"),
    ("Материалы уже в следственных органах.", "следственных органах"),
    ("Ответ из госдепа пришёл быстро.", "госдепа"),
    ("Следственный комитет молчит.", "Следственный комитет"),
])
def test_state_bodies_are_org(text, surface):
    assert ("ORG", surface) in [(t, s) for t, s, _ in entities(text)]


def test_date_with_an_editors_reading():
    assert ("DATE", "9 [девятого] мая", "9 May") in entities("Домой он приехал 9 [девятого] мая.")
