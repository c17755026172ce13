"""The "speech" stage through the job runner: turns saved, analyst edits kept, failures per item."""

from __future__ import annotations

import shutil

from listeningpost.ingest.ingest import ingest_paths
from listeningpost.jobs.executors import make_executor
from listeningpost.jobs.runner import run_stage
from listeningpost.pipeline import make_stage
from listeningpost.speech.stage import build_options
from listeningpost.store.views import call_document

from conftest import AUDIO, need_shared


def _process(case, **options):
    stage = make_stage("speech", **options)
    executor = make_executor("local", workers=1)
    try:
        return run_stage(case, stage, executor)
    finally:
        executor.close()


def test_stage_saves_turns_and_keeps_analyst_edits(case, tmp_path):
    clip = tmp_path / "call.wav"
    shutil.copy(need_shared(AUDIO / "pisets_test_sound_ru.wav"), clip)
    bad = tmp_path / "broken.wav"
    bad.write_bytes(clip.read_bytes()[:2000])  # a WAV cut off after 2 KB
    ingest_paths(case, [clip, bad])
    report = _process(case)
    assert (report.done, report.failed) == (1, 1)
    assert "broken" in report.errors[0]["error"] or "truncated" in report.errors[0]["error"]

    call_id = case.one("SELECT c.id FROM calls c JOIN sources s ON s.id=c.source_id WHERE s.original_name='call.wav'")[0]
    doc = call_document(case, call_id)
    assert doc["language"] == "ru" and doc["duration_s"] > 3
    assert doc["turns"] and all(t["origin"] == "asr" and t["words"] for t in doc["turns"])
    run = case.one("SELECT engine, model, settings_json FROM runs WHERE stage='speech'")
    assert run["engine"] == "faster-whisper" and '"beam_size": 5' in run["settings_json"]

    # an analyst fixes the first turn; a forced re-run keeps it and does not duplicate it
    first = doc["turns"][0]
    case.db.execute("UPDATE turns SET text='нейронные сети — это хорошо', edited=1 WHERE id=:id", {"id": first["id"]})
    stage = make_stage("speech", language="ru")
    executor = make_executor("local", workers=1)
    try:
        run_stage(case, stage, executor, [call_id], force=True)
    finally:
        executor.close()
    texts = [t["text"] for t in call_document(case, call_id)["turns"]]
    assert texts[0] == "нейронные сети — это хорошо"
    assert all("нейронн" not in t.lower() for t in texts[1:])


def test_cli_style_options_are_typed():
    options = build_options("large-v3", "uk", "3", beam_size="2", device="cpu", temperatures="0,0.2",
                            vad_threshold="0.4", window_s="120")
    assert options.asr.model == "large-v3" and options.asr.language == "uk" and options.diarize.speakers == 3
    assert options.asr.beam_size == 2 and options.asr.temperatures == (0.0, 0.2)
    assert options.vad.threshold == 0.4 and options.window_s == 120.0
