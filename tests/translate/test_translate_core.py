"""Engine-agnostic behaviour: failure isolation, cache, analyst edits, human first, runner, streaming.

The scripted engine (conftest.py) stands in for a model so these tests check our code, not a model's quality."""

from __future__ import annotations

import json

from listeningpost.records import Turn
from listeningpost.store.views import call_document
from listeningpost.translate.engines import register_engine
from listeningpost.translate.stream import translate_case

from translate_fixtures import ScriptedEngine, add_call  # noqa: F401  (fixture)


def run_stage_once(case, call_id, **options):
    from listeningpost.pipeline import make_stage

    stage = make_stage("translate", engine="scripted-test", **options)
    item = stage.load(case, call_id)
    result = stage.compute(item)
    with case.transaction():
        stage.save(case, call_id, result, None)
    return result


def machine(doc, idx):
    return [t for t in doc["turns"][idx]["translations"] if t["engine"] == "scripted-test"]


def test_one_crashing_turn_fails_alone(case, add_call):
    call = add_call(case, [Turn(f"строка {i}") for i in range(5)] + [Turn("BOOM тут"), Turn("после")])
    ScriptedEngine.calls = []
    results = run_stage_once(case, call)
    assert [r.error is not None for r in results] == [False] * 4 + [False, True, False]
    doc = call_document(case, call)
    assert machine(doc, 0)[0]["text"] == "EN[строка 0]"
    assert machine(doc, 5) == [] and machine(doc, 6)[0]["text"] == "EN[после]"
    fail = case.one("SELECT * FROM translation_failures")
    assert fail["turn_id"] == doc["turns"][5]["id"] and "engine crashed" in fail["error"]
    assert max(len(b) for b in ScriptedEngine.calls) <= ScriptedEngine.batch_size


def test_rerun_is_served_from_cache(case, add_call):
    call = add_call(case, [Turn("раз"), Turn("два")])
    run_stage_once(case, call)
    ScriptedEngine.calls = []
    results = run_stage_once(case, call)
    assert ScriptedEngine.calls == [] and all(r.from_cache for r in results)
    assert [machine(call_document(case, call), i)[0]["text"] for i in (0, 1)] == ["EN[раз]", "EN[два]"]


def test_glossary_inline_flags_and_details(case, add_call):
    call = add_call(case, [Turn("Комбат сказал, двоих ранило.")])
    run_stage_once(case, call)
    row = case.one("SELECT * FROM translations WHERE engine='scripted-test'")
    assert row["text"] == "EN[battalion commander сказал, двоих wounded.]"
    assert json.loads(row["flags_json"]) == ["unfaithful"]  # "двоих" stays Russian in EN[...]
    assert {g["term"] for g in json.loads(row["glossary_json"])} == {"kombat", "wounded"}


def test_low_asr_confidence_and_glossary_miss_flags(case, add_call):
    @register_engine("drops-terms-test")
    class DropsTerms(ScriptedEngine):
        name = "drops-terms-test"
        draft = True

        def translate(self, segments):
            return ["two were killed" for _ in segments]

    call = add_call(case, [Turn("двоих ранило", low_confidence=True)])
    from listeningpost.pipeline import make_stage

    stage = make_stage("translate", engine="drops-terms-test")
    (res,) = stage.compute(stage.load(case, call))
    assert set(res.flags) == {"draft", "glossary_miss", "low_asr_confidence"}
    assert res.glossary == [{"term": "wounded", "source": "ранило", "en": "wounded", "ok": False}]


def test_analyst_edit_is_never_overwritten_and_human_shown_first(case, add_call):
    call = add_call(case, [Turn("первая", translations={"en": "the first (human)"}), Turn("вторая")])
    run_stage_once(case, call, skip_human=False)
    doc = call_document(case, call)
    assert [t["engine"] for t in doc["turns"][0]["translations"]] == ["human", "scripted-test"]
    assert doc["turns"][0]["translations"][0]["machine"] is False
    with case.transaction():
        case.db.execute("UPDATE translations SET text='analyst fix', edited=1 WHERE engine='scripted-test' AND turn_id=:turn_id", {"turn_id": doc["turns"][1]["id"]})
    run_stage_once(case, call, skip_human=False)
    doc = call_document(case, call)
    assert machine(doc, 1)[0]["text"] == "analyst fix"
    assert doc["turns"][0]["translations"][0]["text"] == "the first (human)"
    # by default (skip_human) turns with a human translation are left to the human
    call2 = add_call(case, [Turn("третья", translations={"en": "third"}), Turn("четвёртая")], name="b.json")
    run_stage_once(case, call2)
    doc2 = call_document(case, call2)
    assert machine(doc2, 0) == [] and machine(doc2, 1)


def test_job_runner_drives_the_stage(case, add_call):
    from listeningpost.jobs.executors import make_executor
    from listeningpost.jobs.runner import run_stage
    from listeningpost.pipeline import make_stage

    call = add_call(case, [Turn("один"), Turn("BOOM")])
    ex = make_executor("local", workers=1)
    try:
        report = run_stage(case, make_stage("translate", engine="scripted-test"), ex)
    finally:
        ex.close()
    assert report.done == 1 and report.failed == 0      # the call succeeds; one turn failed inside it
    assert machine(call_document(case, call), 0)[0]["text"] == "EN[один]"
    assert case.one("SELECT COUNT(*) FROM translation_failures")[0] == 1


def test_skip_human_calls_leaves_translated_calls_for_a_later_run(case, add_call):
    """The demo's `--opt translate.skip_human_calls=true`: a call with a human translation in any
    language is not machine translated; a later default run translates its other turns."""
    from listeningpost.jobs.executors import make_executor
    from listeningpost.jobs.runner import run_stage
    from listeningpost.pipeline import make_stage

    german = add_call(case, [Turn("первая", translations={"de": "die erste"}), Turn("вторая")])
    bare = add_call(case, [Turn("третья")], name="b.json")
    ex = make_executor("local", workers=1)
    try:
        first = run_stage(case, make_stage("translate", engine="scripted-test", skip_human_calls="true"), ex)
        assert first.done == 1
        assert machine(call_document(case, bare), 0)[0]["text"] == "EN[третья]"
        assert all(machine(call_document(case, german), i) == [] for i in (0, 1))
        later = run_stage(case, make_stage("translate", engine="scripted-test"), ex)
    finally:
        ex.close()
    assert later.done == 1   # only the skipped call; the bare one is already done with these settings
    doc = call_document(case, german)
    assert [machine(doc, i)[0]["text"] for i in (0, 1)] == ["EN[первая]", "EN[вторая]"]


def test_thousand_turns_stream_in_bounded_batches(case, add_call):
    call = add_call(case, [Turn(f"реплика номер {i}") for i in range(1000)])
    ScriptedEngine.calls = []
    seen_rows: list[int] = []
    advanced: list[int] = []
    totals: list[int] = []

    def on_advance(n):
        advanced.append(n)
        seen_rows.append(case.one("SELECT COUNT(*) FROM translations WHERE engine='scripted-test'")[0])

    report = translate_case(case, engine="scripted-test", call_ids=[call], batch=50,
                            on_total=totals.append, on_advance=on_advance)
    assert totals == [1000] and sum(advanced) == 1000 and report["translated"] == 1000
    assert max(advanced) == 50 and max(len(b) for b in ScriptedEngine.calls) <= ScriptedEngine.batch_size
    # committed batch by batch, not at the end
    assert seen_rows[:3] == [50, 100, 150]
    run = case.one("SELECT * FROM runs WHERE id=:id", {"id": report["run_id"]})
    assert run["stage"] == "translate" and run["status"] == "done"
    again = translate_case(case, engine="scripted-test", call_ids=[call])
    assert again["translated"] == 0          # resumable: nothing left to do
