"""Text layer: editorial notes read for analysis with offsets back to the original; lemmas; language."""

import json

import pytest
from conftest import EVAL, need_shared

from listeningpost.analyze.document import build_document
from listeningpost.text.lang import detect_language
from listeningpost.text.morph import lemmatise
from listeningpost.text.normalise import normalise
from listeningpost.text.tokens import split_tokens


def test_note_replaces_word_and_maps_back_to_original():
    original = "Чо [=Что] ты говоришь? Кому прилетело?"
    norm = normalise(original)
    assert norm.text.startswith("Что ты")
    assert "[" not in norm.text
    start = norm.text.index("Что")
    a, b = norm.to_original(start, start + 3)
    assert original[a:b] == "Чо"
    a, b = norm.to_original(norm.text.index("Кому"), norm.text.index("Кому") + 4)
    assert original[a:b] == "Кому"


@pytest.mark.parametrize(
    "original, read",
    [
        ("Я сёдня... [=сегодня]", "Я сегодня..."),
        ("ты го... [говорил], ты", "ты говорил..., ты"),
        ("25 тыщ [=тысяч] 900", "25 тысяч 900"),
        ("Ну и чё*, расскажи", "Ну и чё, расскажи"),
        ("на передке**, перья", "на передке, перья"),
        ("Пять [xxxxxx] мне [ХХХ] всех", "Пять мне всех"),
        ("40! 40! (=Сорок! Сорок!)", "40! 40! Сорок! Сорок!"),
    ],
)
def test_editorial_marks(original, read):
    assert " ".join(normalise(original).text.split()) == read


def test_tokens_carry_original_offsets_lemmas_and_grammemes():
    doc = build_document([{"id": 7, "speaker": "B", "text": "Комбригу прилетело, на вертушке отправили в Россию.",
                           "start_s": 1.5, "end_s": 4.0}])
    turn = doc.turns[0]
    assert turn.id == 7 and turn.start_s == 1.5 and turn.language == "ru"
    by_text = {t.text: t for t in turn.tokens}
    assert by_text["вертушке"].lemma == "вертушка"
    assert {"NOUN", "femn", "sing"} <= by_text["вертушке"].tags
    assert by_text["Россию"].lemma == "россия"
    for tok in turn.tokens:
        assert turn.text[tok.start:tok.end] == tok.orig
    assert len(turn.sentences) == 1


def test_split_tokens_detaches_trailing_comma():
    assert [t.text for t in split_tokens("93-9-6-6, С-300, приём")] == ["93-9-6-6", ",", "С-300", ",", "приём"]


def test_lemmatise_reads_notes():
    assert lemmatise("сёдня... [=сегодня]") == ["сегодня"]


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Сьогодні вночі знову був обстріл, двох поранило.", "uk"),
        ("Командир сказав, що завтра нас переводять в інше місце.", "uk"),
        ("Сегодня ночью опять был обстрел, двоих ранило.", "ru"),
        ("Денег пока не платят, обещают в конце месяца.", "ru"),
        ("Мы стоим под Бахмутом, а хлопці кажуть що їжі немає зовсім.", "mixed"),
    ],
)
def test_language(text, lang):
    words = [t.text for t in split_tokens(text)]
    assert detect_language(words).language == lang


def test_language_on_real_russian_intercepts():
    """Every dev-gold call is Russian: the detector must not call any of them Ukrainian."""
    path = need_shared(EVAL / "dev_gold.jsonl")
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    langs = []
    for item in items:
        doc = build_document([t for t in item["turns"] if t.get("text")])
        langs.append(doc.language)
    assert langs.count("ru") >= len(langs) - 1
    assert "uk" not in langs
