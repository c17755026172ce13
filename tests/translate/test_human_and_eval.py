"""Human translations imported from the real transcripts stay first and untouched; the eval scorer."""

from __future__ import annotations

import json

import pytest

from listeningpost.evaluation.translation import chrf, glossary_hits, score, score_lists
from listeningpost.store.views import call_document

from translate_fixtures import ScriptedEngine  # noqa: F401  (registers engine 'scripted-test')



def _ingest(case, path):
    from listeningpost.ingest.ingest import ingest_paths

    report = ingest_paths(case, [path])
    assert all(i.status != "failed" for i in report.items), [i.error for i in report.items]
    return case.one("SELECT id FROM calls ORDER BY id DESC")[0]


@pytest.mark.parametrize("rel, lang", [
    ("prigozhin/prigoshin-mp3-003.json", "en"),           # the Prigozhin set has English
    ("radio_analyzer/radio_and_calls-mp3-001.json", "de"),  # the Radio-Analyzer set German
])
def test_human_translations_from_real_transcripts(case, shared, rel, lang):
    from listeningpost.pipeline import make_stage

    path = shared / "data" / "transcripts" / rel
    raw = json.loads(path.read_text(encoding="utf-8"))
    key = {"en": "turns_english", "de": "turns_german"}[lang]
    call = _ingest(case, path)
    # by default turns with a human English translation are skipped; here both layers are compared
    default_items = make_stage("translate", engine="scripted-test").load(case, call)
    stage = make_stage("translate", engine="scripted-test", skip_human=False)
    results = stage.compute(stage.load(case, call))
    assert (not default_items.jobs) == bool(raw.get("turns_english"))
    with case.transaction():
        stage.save(case, call, results, None)
    doc = call_document(case, call)
    assert len(doc["turns"]) == len(raw["turns"])
    for turn, human in zip(doc["turns"], raw[key]):
        layers = [t for t in turn["translations"] if t["lang"] == lang]
        assert layers[0]["engine"] == "human" and not layers[0]["machine"]
        assert layers[0]["text"].split()[:3] == human["text"].split()[:3]
        english = [t for t in turn["translations"] if t["engine"] == "scripted-test"]
        assert english and english[0]["machine"]
    # a re-run keeps the human layer as imported
    before = case.query("SELECT id, text FROM translations WHERE engine='human' ORDER BY id")
    stage.compute(stage.load(case, call))
    assert [tuple(r) for r in case.query("SELECT id, text FROM translations WHERE engine='human' ORDER BY id")] == \
        [tuple(r) for r in before]


def test_chrf_and_glossary_accuracy_from_plain_lists():
    sources = [["Комбат сказал: двоих ранило.", "Там БТР."]]
    refs = [["The battalion commander said: two were wounded.", "There is an APC."]]
    perfect = score_lists(sources, refs, refs)
    assert perfect["chrf"] == 100.0 and perfect["glossary_accuracy"] == 1.0 and perfect["glossary_terms"] == 3
    wrong = score_lists(sources, [["The commander said: two were killed.", "There is an APC."]], refs)
    assert wrong["glossary_accuracy"] == round(1 / 3, 4)       # only APC rendered
    assert 0 < wrong["chrf"] < 100
    assert glossary_hits(["без терминов"], ["no terms"]) == (0, 0)
    assert chrf(["abc"], ["xyz"]) < chrf(["abd"], ["abc"])


def test_score_reads_machine_layer_of_call_documents():
    gold = {"id": "g1", "turns": [{"speaker": "A", "text": "Два двухсотых."}], "translation_en": ["Two KIA."]}
    doc = {"turns": [{"text": "Два двухсотых.", "translations": [
        {"lang": "en", "engine": "human", "text": "Two KIA."},          # the imported gold: never scored
        {"lang": "en", "engine": "llm", "text": "Two dead ones."}]}]}
    out = score([(gold, doc)])["translation"]
    assert out["engines"] == ["llm"] and out["glossary_accuracy"] == 1.0 and out["chrf"] < 100
    assert score([({"id": "x", "turns": []}, {"turns": []})]) == {}
