"""Fact check of machine English (issue 14) on real turns: human English passes, broken English is caught.

Real turns are read at test time from ../shared (eval/mt_dev.jsonl and data/transcripts), never copied.
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from conftest import EVAL, TRANSCRIPTS, need_shared
from listeningpost.records import Turn
from listeningpost.translate.engines import register_engine
from listeningpost.translate.facts import CLASS_WORDS, check, en_numbers, source_facts

from translate_fixtures import ScriptedEngine, add_call  # noqa: F401  (fixture)


def mt_dev_pairs() -> list[tuple[str, str, str]]:
    """(source turn, human English, lang) of every turn of eval/mt_dev.jsonl."""
    path = need_shared(EVAL / "mt_dev.jsonl")
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        call = json.loads(line)
        out += [(t["text"], en, call["lang"]) for t, en in zip(call["turns"], call["translation_en"])]
    return out


def strip_numbers(english: str) -> str:
    """The English with every digit and number word replaced: a translation that dropped the numbers."""
    english = re.sub(r"\d+", "X", english)
    return re.sub(r"[^\W\d_]+", lambda m: "X" if en_numbers(m.group()) else m.group(), english)


def strip_class(english: str, stems: tuple[str, ...]) -> str:
    """The English with every word of a claim class replaced by 'fine'."""
    english = re.sub(r"\d+", "X", english) if any(s.isdigit() for s in stems) else english
    return re.sub(r"[\w'’]+", lambda m: "fine" if m.group().lower().startswith(stems) else m.group(), english)


def test_human_translations_pass():
    checks = [check(src, en, lang) for src, en, lang in mt_dev_pairs()]
    with_facts = [c for c in checks if c.facts]
    facts = sum(len(c.facts) for c in with_facts)
    recall = 1 - sum(len(c.missing) for c in with_facts) / facts
    passed = sum(c.faithful for c in with_facts) / len(with_facts)
    assert len(with_facts) >= 80 and facts >= 180
    assert recall >= 0.97 and passed >= 0.95, (recall, passed)  # measured: 0.991 and 0.979 (2 of 95 flagged)


def test_dropped_numbers_are_flagged():
    pairs = [(src, en, lang) for src, en, lang in mt_dev_pairs()
             if any(f.kind == "number" for f in source_facts(src, lang))]
    assert len(pairs) >= 40
    for src, en, lang in pairs:
        got = check(src, strip_numbers(en), lang)
        numbers = [f.source for f in got.facts if f.kind == "number"]
        assert not got.faithful and set(numbers) <= {f.source for f in got.missing}, (src, en)


def test_dropped_casualty_and_claim_words_are_flagged():
    pairs = [(src, en, lang, f) for src, en, lang in mt_dev_pairs() for f in source_facts(src, lang)
             if f.kind in ("casualty_code", "claim_trigger")]
    assert len(pairs) >= 15
    for src, en, lang, fact in pairs:
        assert fact not in check(src, en, lang).missing  # the human line has it
        broken = strip_class(en, tuple(e.lower() for e in fact.expected))
        got = check(src, broken, lang)
        assert fact.source in [f.source for f in got.missing], (src, broken)


def test_broken_radio_line_lists_what_is_missing():
    src = next(s for s, en, _ in mt_dev_pairs() if s.startswith("Направить своих 200-ых"))
    good = "Urgently send your dead and wounded to the Tiger 1 area 1-22, along the snail 5. How copy?"
    assert check(src, good).faithful
    broken = "Send your men to the Tiger area now, along the snail. How copy?"
    got = check(src, broken)
    assert not got.faithful and sorted(got.summary()["missing"]) == ["1", "200-ых", "22", "300-ых", "5"]
    assert sorted(check(src, broken.replace("men", "200s and 300s")).summary()["missing"]) == ["1", "22", "5"]


#: real output of the packaged draft model (Gemma 3 270M) on mt_dev turns: (turn prefix, English, missing)
MODEL_ERRORS = [
    ("Аа, я Шестой", "Aа, I'm the 10th, goal is opening. Supervision started now.", ["Шестой"]),
    ("Пацанов до хуя", "The old man to the house of his father, we are going to bury our little ones.",
     ["Днепре", "поебашило"]),
    ("Ну это официально", "This is officially, b-l-a-d. I'll tell you, 25 thousand [=2500] dead. It was a two-month war.",
     ["25 тысяч 900"]),
    ("Наши насилуют тех женщин?", "Our women are killing our children?", ["насилуют"]),
    ("Здравия желаем", "Good wishes, Mr. Victor!", ["Евгений", "Викторович"]),
    ("Прям в живот", "Directly I was in the air, it flew. The dogs are taken back to the dog house. on helicopter, He "
     "already has a farewell to all. We took him to the helicopter, he was able to carry us to Russia, just like it is a short flight.",
     ["сердце уже не выдержало"]),  # the death is only in "сердце не выдержало"
    ("Женя радостный.", "Yevgeny happy.", []),  # the full name for a diminutive is the same person
    # real output of the default model (Qwen2.5 1.5B Instruct, after its fact retry)
    ("Здравия желаем", "Good morning, Eugene Viktorovich!", []),  # the English equivalent of the name
    ("\"82-ой\"... \"82-ой\" и", "\"82nd\" and \"83rd\", both are cut.", ["подбиты"]),
    ("Что вы тупите?", "What are you stupid? It's dark, fuck! There are citizens - fuck them all in the trash, bitch, "
     "everyone! Did I understand it?", ["в расход"]),
    ("Её убили, и всё.", "She killed her, and all the children.", []),  # who killed whom is beyond this check
]


@pytest.mark.parametrize("prefix,english,missing", MODEL_ERRORS)
def test_real_model_errors(prefix, english, missing):
    src = next(s for s, _, _ in mt_dev_pairs() if s.startswith(prefix))
    assert check(src, english).summary() == {"faithful": not missing, "missing": missing}


def test_glued_digits_and_number_words():
    got = check("Он убил 12-летнюю девочку и двести человек.", "He killed a twelve-year-old girl and 200 people.")
    assert got.faithful and [f.value for f in got.facts if f.kind == "number"] == [200, 12]
    got = check("Он убил 12-летнюю девочку и двести человек.", "He hurt a girl and many people.")
    assert sorted(got.summary()["missing"]) == sorted(["двести", "12", "убил"])
    assert en_numbers("two hundred and fifty, 25,900 men, a dozen, 4.5%") >= {250, 25900, 12, 4.5}
    # a transcriber's spelled-out reading of digits is the same number, not a second one
    assert check("31 [тридцать первого] декабря уехал, 4,5% [=четыре с половиной процента].",
                 "He left on 31 December, 4.5%.").faithful


def test_casualty_codes_in_real_transcripts():
    """Calls without an English reference: English from each fact's first rendering passes; dropping
    the casualty words flags exactly the codes."""
    need_shared(TRANSCRIPTS)
    turns = []
    for path in sorted(TRANSCRIPTS.glob("radio_analyzer/*.json")):
        call = json.loads(path.read_text(encoding="utf-8"))
        turns += [(t["text"], call["lang"]) for t in call["turns"]]
    coded = [(src, lang) for src, lang in turns if any(f.kind == "casualty_code" for f in source_facts(src, lang))]
    assert len(coded) >= 3
    for src, lang in coded:
        facts = source_facts(src, lang)
        english = " . ".join(f.expected[0] for f in facts)
        assert check(src, english, lang).faithful, (src, english)
        codes = [f for f in facts if f.kind == "casualty_code"]
        classes = {c for f in codes for c, words in CLASS_WORDS.items() if f.expected[-1] in words}
        dropped = " . ".join(f.expected[0] for f in facts if f.kind == "number"
                             or f.kind == "entity" or f.kind == "claim_trigger" and
                             not any(f.expected == list(CLASS_WORDS[c]) for c in classes))
        missing = check(src, dropped, lang).missing
        assert {f.source for f in codes} <= {f.source for f in missing}, (src, dropped)


@register_engine("facts-test")
class CannedEngine(ScriptedEngine):
    """Returns the English given for each source line (a stand-in for a model that drops facts)."""

    name = "facts-test"
    glossary_mode = "none"  # the engine sees the source as it is
    canned: dict[str, str] = {}

    def translate(self, segments):
        return [CannedEngine.canned.get(s.text, "") for s in segments]


def test_translated_call_carries_the_flag_in_show(case, add_call):
    from listeningpost.cli import app
    from listeningpost.pipeline import make_stage

    src = next(s for s, en, _ in mt_dev_pairs() if s.startswith("Направить своих 200-ых"))
    CannedEngine.canned = {src: "Send your men to the Tiger 1-22 area, along the snail 5. How copy?",
                           "Вчера четверо погибли.": "Four were killed yesterday."}
    call = add_call(case, [Turn(src), Turn("Вчера четверо погибли.")])
    stage = make_stage("translate", engine="facts-test")
    results = stage.compute(stage.load(case, call))
    with case.transaction():
        stage.save(case, call, results, None)
    out = CliRunner().invoke(app, ["show", str(call), "--json", "--case", str(case.root)])
    assert out.exit_code == 0, out.output
    trs = [t["translations"][0] for t in json.loads(out.stdout)["turns"]]
    assert trs[0]["facts"] == {"faithful": False, "missing": ["200-ых", "300-ых"]}
    assert "unfaithful" in trs[0]["flags"] and trs[0]["glossary"] is not None
    assert trs[1]["facts"] == {"faithful": True, "missing": []} and "unfaithful" not in trs[1]["flags"]
    text = CliRunner().invoke(app, ["show", str(call), "--case", str(case.root)])
    assert "unfaithful (facts-test): missing 200-ых, 300-ых" in text.stdout
    # the call page shows the same marker beside the machine line
    from fastapi.testclient import TestClient

    from listeningpost.web.app import create_app
    from listeningpost.web.auth import add_user

    add_user(case, "vic", "viewer-pass-1", "viewer")
    web = TestClient(create_app(case, run_jobs=False))
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/login").text).group(1)
    web.post("/login", data={"username": "vic", "password": "viewer-pass-1", "csrf_token": token, "next": "/calls"})
    page = web.get(f"/calls/{call}").text
    assert page.count("unfaithful: missing 200-ых, 300-ых") == 1 and ">unfaithful</span>" not in page
    # once an analyst has edited the line the check (of the machine's text) is no longer shown
    with case.transaction() as db:
        db.execute("UPDATE translations SET text='Send your KIA and WIA', edited=1 WHERE engine='facts-test'")
    assert "unfaithful" not in web.get(f"/calls/{call}").text


def test_redacted_export_does_not_leak_missing_names(case, add_call):
    """The missing list holds source words: a redacted export re-checks on the redacted texts."""
    from listeningpost.export.redact import redact_documents
    from listeningpost.pipeline import make_stage
    from listeningpost.store.views import call_document

    src = "Передай Саше Иванову, что пять двухсотых, звони 8-916-123-45-67."
    CannedEngine.canned = {src: "Tell him there are five."}
    call = add_call(case, [Turn(src)])
    stage = make_stage("translate", engine="facts-test")
    with case.transaction():
        stage.save(case, call, stage.compute(stage.load(case, call)), None)
    doc = call_document(case, call)
    assert {"Саше", "Иванову", "двухсотых", "916"} <= set(doc["turns"][0]["translations"][0]["facts"]["missing"])
    (red,), _ = redact_documents(case, [doc])
    dumped = json.dumps(red, ensure_ascii=False)
    assert "Иванов" not in dumped and "Саше" not in dumped and "916" not in dumped
    assert "двухсотых" in red["turns"][0]["translations"][0]["facts"]["missing"]


def test_ukrainian_line():
    src = "Вчора двох поранило, а Петренко загинув під Харковом, двохсоті лежать."
    got = check(src, "Yesterday two were wounded, and Petrenko was killed near Kharkiv, the KIA are lying there.", "uk")
    assert got.faithful and {f.kind for f in got.facts} == {"number", "entity", "casualty_code", "claim_trigger"}
    got = check(src, "Yesterday some were hurt near the city, the bodies are lying there.", "uk")
    assert sorted(got.summary()["missing"]) == sorted(["двох", "Петренко", "Харковом"])


def test_a_failing_check_does_not_cost_the_translation(case, add_call, monkeypatch):
    from listeningpost.pipeline import make_stage
    from listeningpost.translate import facts

    def broken(*_a, **_k):
        raise RuntimeError("checker bug")

    monkeypatch.setattr(facts, "check", broken)
    CannedEngine.canned = {"Четверо погибли.": "Four were killed."}
    call = add_call(case, [Turn("Четверо погибли.")])
    stage = make_stage("translate", engine="facts-test")
    with case.transaction():
        stage.save(case, call, stage.compute(stage.load(case, call)), None)
    row = case.one("SELECT text, flags_json, facts_json FROM translations WHERE engine='facts-test'")
    assert row["text"] == "Four were killed." and row["facts_json"] is None and "unfaithful" not in row["flags_json"]
