"""docs/extending.md: each example module in it is taken out of the file, installed, registered the
way the document says, and driven through the real `lpost` commands."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import sys

import pytest
from typer.testing import CliRunner

from listeningpost import pipeline, plugins
from listeningpost.analyze import engines as analysis_engines
from listeningpost.cli import app
from listeningpost.export import run as export_run
from listeningpost.ingest import transcripts
from listeningpost.jobs import executors
from listeningpost.speech import asr
from listeningpost.translate import engines as translate_engines

from conftest import AUDIO, REPO, need_shared

DOC = REPO / "docs" / "extending.md"
EXAMPLE = re.compile(r"```python\n(# file: (\w+)\.py\n.*?)```", re.S)
EXPECTED = {"toy_asr", "toy_export", "toy_transcript", "toy_translate", "toy_claims", "toy_analysis", "toy_executor",
            "toy_stage"}


def examples() -> dict[str, str]:
    return {name: code for code, name in EXAMPLE.findall(DOC.read_text(encoding="utf-8"))}


@pytest.fixture
def toys(tmp_path, monkeypatch):
    """The examples as importable modules; every registry restored afterwards."""
    folder = tmp_path / "toys"
    folder.mkdir()
    for name, code in examples().items():
        (folder / f"{name}.py").write_text(code, encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    # what registers on first use is loaded before the snapshot, so restoring it drops only the toys
    pipeline.load_stage_plugins()
    from listeningpost.translate import llm, nmt, whisper  # noqa: F401  (as make_engine does)

    registries = (asr.ENGINES, export_run.FORMATS, transcripts.FORMATS, translate_engines.ENGINES,
                  executors.EXECUTORS, pipeline.STAGES, analysis_engines.ENGINES)
    saved = [(registry, dict(registry)) for registry in registries]
    extensions = set(transcripts.TRANSCRIPT_EXTENSIONS)
    yield folder
    for registry, copy in saved:
        registry.clear()
        registry.update(copy)
    transcripts.TRANSCRIPT_EXTENSIONS.clear()
    transcripts.TRANSCRIPT_EXTENSIONS.update(extensions)
    for name in examples():
        sys.modules.pop(name, None)


def lpost(*args: str):
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result


def output_of(result) -> str:
    try:
        return result.output + (result.stderr or "")
    except ValueError:  # older click: stderr mixed into output
        return result.output


def test_every_registry_has_a_runnable_example():
    assert set(examples()) == EXPECTED
    for name, code in examples().items():
        compile(code, f"{name}.py", "exec")


def test_toy_asr_engine_runs_the_speech_stage_on_a_real_clip(toys, tmp_path, monkeypatch):
    clip = tmp_path / "call.wav"
    shutil.copy(need_shared(AUDIO / "pisets_test_sound_ru.wav"), clip)
    monkeypatch.setattr(plugins, "ASR_MODULES", ("toy_asr",))  # the registration line
    case = tmp_path / "case"
    assert lpost("ingest", clip, "--case", case).exit_code == 0

    result = lpost("process", "--stages", "speech", "--speakers", "1", "--opt", "speech.engine=toy-asr",
                   "--json", "--case", case)
    assert result.exit_code == 0, output_of(result)
    assert json.loads(result.stdout)["stages"][0]["done"] == 1

    from listeningpost.store.case import Case

    c = Case.open(case)
    try:
        run = c.one("SELECT engine, settings_json FROM runs WHERE stage='speech'")
        turns = [r["text"] for r in c.query("SELECT text FROM turns ORDER BY idx")]
        language = c.one("SELECT language FROM calls")[0]
    finally:
        c.close()
    assert run["engine"] == "toy-asr" and json.loads(run["settings_json"])["engine"] == "toy-asr"
    assert turns and all(t.strip().startswith("раз два три") for t in turns)
    assert language == "ru"

    # an engine nobody registered is refused before any call is touched, naming the registered ones
    with pytest.raises(ValueError, match="toy-asr"):
        pipeline.make_stage("speech", engine="no-such-engine")


def test_toy_transcript_translation_executor_stage_and_export(toys, tmp_path, monkeypatch):
    monkeypatch.setattr(plugins, "TRANSCRIPT_MODULES", ("toy_transcript",))
    monkeypatch.setattr(plugins, "EXPORT_MODULES", ("toy_export",))
    monkeypatch.setitem(plugins.EXECUTOR_MODULES, "counting", ("toy_executor", "toy"))
    importlib.import_module("toy_translate")  # the import line in translate.engines.make_engine
    importlib.import_module("toy_stage")      # the tuple in pipeline.load_stage_plugins
    case = tmp_path / "case"

    # transcript format: claimed by content; a dash-marked .txt still reads as the built-in text format
    stamped = tmp_path / "stamped.txt"
    stamped.write_text("[00:01] A: Раз два три.\n[00:04] B: Есть танк.\n", encoding="utf-8")
    dashed = tmp_path / "dashed.txt"
    dashed.write_text("- Привет.\n-- Здравствуй.\n", encoding="utf-8")
    result = lpost("ingest", stamped, dashed, "--case", case)
    assert result.exit_code == 0, output_of(result)

    from listeningpost.store.case import Case

    c = Case.open(case)
    try:
        formats = {r["original_name"]: r["format"] for r in c.query("SELECT original_name, format FROM sources")}
        call_id = c.one("SELECT c.id FROM calls c JOIN sources s ON s.id=c.source_id WHERE s.format='stamped-text'")[0]
        turns = [(r["speaker"], r["start_s"], r["text"]) for r in
                 c.query("SELECT speaker, start_s, text FROM turns WHERE call_id=:call_id ORDER BY idx", {"call_id": call_id})]
    finally:
        c.close()
    assert formats == {"stamped.txt": "stamped-text", "dashed.txt": "text"}
    assert turns == [("A", 1.0, "Раз два три."), ("B", 4.0, "Есть танк.")]

    # translation engine, run by the toy executor
    result = lpost("process", "--stages", "translate", "--engine", "toy-translate", "--executor", "counting",
                   "--json", "--case", case)
    assert result.exit_code == 0, output_of(result)
    assert json.loads(result.stdout)["stages"][0]["done"] == 2
    assert sys.modules["toy_executor"].CountingExecutor.computed == 2

    # stage, with a typed --opt
    result = lpost("process", "--stages", "wordcount", "--opt", "wordcount.min_length=4", "--executor", "counting",
                   "--case", case)
    assert result.exit_code == 0, output_of(result)
    c = Case.open(case)
    try:
        english = [r[0] for r in c.query("SELECT x.text FROM translations x JOIN turns t ON t.id=x.turn_id WHERE t.call_id=:call_id AND x.engine='toy-translate' ORDER BY t.idx", {"call_id": call_id})]
        words = c.setting(f"wordcount:{call_id}")
    finally:
        c.close()
    assert english[0] == "One two three"
    assert words == 2  # есть, танк

    # export format
    out = tmp_path / "case.md"
    result = lpost("export", call_id, "--format", "markdown", "-o", out, "--json", "--case", case)
    assert result.exit_code == 0, output_of(result)
    described = json.loads(result.stdout)
    assert described["format"] == "markdown" and described["volatile"] == []
    text = out.read_text(encoding="utf-8")
    assert f"## Call {call_id}" in text and "- **A**: Раз два три. — *One two three*" in text

    result = lpost("export", call_id, "--format", "no-such-format", "-o", tmp_path / "x", "--case", case)
    assert result.exit_code != 0
    assert "markdown" in output_of(result) and "srt" in output_of(result)


def test_toy_analysis_engine_runs_the_analyze_stage_on_a_real_transcript(toys, tmp_path, monkeypatch):
    sample = REPO / "samples" / "transcripts" / "radio_analyzer" / "radio_and_calls-mp3-003.json"
    monkeypatch.setattr(plugins, "ANALYSIS_MODULES", ("toy_claims",))  # the registration line
    case = tmp_path / "case"
    assert lpost("ingest", sample, "--case", case).exit_code == 0

    result = lpost("process", "--stages", "analyze", "--opt", "analyze.engine=toy-claims",
                   "--opt", "analyze.embeddings=false", "--json", "--case", case)
    assert result.exit_code == 0, output_of(result)
    assert json.loads(result.stdout)["stages"][0]["done"] == 1

    from listeningpost.store.case import Case

    c = Case.open(case)
    try:
        run = c.one("SELECT engine, settings_json FROM runs WHERE stage='analyze'")
        claims = [(r["type"], r["count"], r["quote"], json.loads(r["data_json"])["engine"])
                  for r in c.query("SELECT type, count, quote, data_json FROM claims")]
        turns = [r["text"] for r in c.query("SELECT text FROM turns")]
        entities = c.one("SELECT count(*) FROM entities")[0]
    finally:
        c.close()
    # "Я тебе скажу, 25 тыщ [=тысяч] 900 погибших.": one sentence of the call, quoted verbatim
    assert claims and all(kind == "killed" and count is None and engine == "toy-claims" and "погиб" in quote
                          and any(quote in text for text in turns) for kind, count, quote, engine in claims)
    assert any("900 погибших" in quote for _, _, quote, _ in claims)
    settings = json.loads(run["settings_json"])
    assert run["engine"] == "listeningpost-toy-claims" == settings["engine"]
    assert settings["claims"] == {"engine": "toy-claims", "version": 1}
    assert entities > 0  # entities still come from the rules

    # an engine nobody registered is refused, naming the registered ones
    with pytest.raises(ValueError, match="rules, llm, both, toy-claims"):
        pipeline.make_stage("analyze", engine="no-such-engine")
    result = lpost("process", "--stages", "analyze", "--opt", "analyze.engine=no-such-engine", "--case", case)
    assert result.exit_code == 2 and "toy-claims" in output_of(result)   # a clear error, no traceback


def test_toy_claim_model_stands_in_for_the_llm(toys):
    toy = importlib.import_module("toy_analysis")
    result = toy.analyze([{"id": 7, "speaker": "A", "text": "Вчера двое погибли под мостом."},
                          {"id": 8, "speaker": "B", "text": "Понял."}])
    claims = [(c["type"], c["quote"], c["turn_id"], c["data"]["engine"]) for c in result["claims"]]
    assert claims == [("killed", "двое погибли", 7, "llm")]
