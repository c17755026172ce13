"""Subtitle timing and layout rules on real calls; SRT/VTT read back by standard parsers and ffmpeg."""

from __future__ import annotations

import subprocess
import sys

import pytest
import srt
import webvtt

from exportfix import REAL_CALLS, call_id, export_case  # noqa: F401
from listeningpost.export.subtitles import MAX_DUR, MAX_LINE, MIN_DUR, SubtitleOptions, build_cues, cue_lines, to_srt, to_vtt
from listeningpost.store.views import call_document

EPS = 0.0015  # millisecond rounding of the written times


def _words(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize("lang", ["both", "orig", "en"])
@pytest.mark.parametrize("name", REAL_CALLS)
def test_timing_and_line_rules_on_real_calls(export_case, name, lang):
    doc = call_document(export_case, call_id(export_case, name))
    opts = SubtitleOptions(lang=lang, speakers=True)
    cues = build_cues(doc, opts)
    assert len(cues) >= 5
    for c in cues:
        assert MIN_DUR - EPS <= c.end - c.start <= MAX_DUR + EPS, (c.start, c.end, c.orig)
        orig, en = cue_lines(c, opts)
        assert all(len(line) <= MAX_LINE for line in orig + en), (orig, en)
        assert len(orig) <= (1 if lang == "both" else 2) and len(en) <= 2, (orig, en)
        assert orig or en
    if lang != "en":
        # every word of every timed turn is shown exactly once (turns with no time cannot be placed)
        shown = [w for c in cues for w in _words(c.orig.removeprefix(f"{c.speaker}: " if c.speaker else ""))]
        timed = [t for t in doc["turns"] if t["start"] is not None or t["words"]]
        assert len(timed) >= len(doc["turns"]) - 1
        assert sorted(shown) == sorted(w for t in timed for w in _words(t["text"]))


def test_word_timed_call_follows_word_times(export_case):
    doc = call_document(export_case, call_id(export_case, REAL_CALLS[1]))
    words = [w for t in doc["turns"] for w in t["words"]]
    assert words, "fixture adds (synthetic) word times to this call"
    cues = build_cues(doc, SubtitleOptions(lang="orig"))
    # each cue shows its words within a second of when they are spoken (times move only to reach 1 s)
    pos = 0
    for c in cues:
        first = words[pos]
        assert first["text"].strip() == c.orig.split()[0]
        assert abs(first["start"] - c.start) < MIN_DUR
        pos += len(c.orig.split())
    assert pos == len(words)
    assert max(c.end for c in cues) <= max(w["end"] for w in words) + MIN_DUR


@pytest.mark.parametrize("lang", ["both", "orig", "en"])
def test_srt_and_vtt_parse_with_standard_parsers(export_case, tmp_path, lang):
    doc = call_document(export_case, call_id(export_case, REAL_CALLS[1]))
    opts = SubtitleOptions(lang=lang)
    n = len([c for c in build_cues(doc, opts)])
    subs = list(srt.parse(to_srt(doc, opts)))
    assert len(subs) == n and all(s.end > s.start for s in subs)
    path = tmp_path / "x.vtt"
    path.write_text(to_vtt(doc, opts), encoding="utf-8")
    captions = webvtt.read(str(path)).captions
    assert len(captions) == n
    assert captions[0].raw_text.strip() == subs[0].content.strip()


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_ffmpeg_reads_subtitles(export_case, tmp_path, fmt):
    doc = call_document(export_case, call_id(export_case, REAL_CALLS[0]))
    opts = SubtitleOptions(lang="both", speakers=True)
    src = tmp_path / f"in.{fmt}"
    src.write_text(to_srt(doc, opts) if fmt == "srt" else to_vtt(doc, opts), encoding="utf-8")
    out = tmp_path / "out.ass"
    proc = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(src), str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    dialogues = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("Dialogue:")]
    assert len(dialogues) == len(build_cues(doc, opts))


@pytest.fixture(scope="module")
def asr_call(tmp_path_factory):
    """A real read-speech clip transcribed by the speech stage (Whisper base; word timestamps)."""
    from conftest import AUDIO, need_shared
    from listeningpost.store.case import Case

    clip = need_shared(AUDIO / "voxforge_ru_rhasspy" / "ru_0033.wav")  # 11.4 s, the longest
    pytest.importorskip("listeningpost.speech.stage")
    root = tmp_path_factory.mktemp("asr") / "case"
    for args in (["ingest", str(clip)], ["process", "--stages", "speech"]):
        proc = subprocess.run([sys.executable, "-m", "listeningpost.cli", *args, "--case", str(root)],
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
    # the subprocesses ran before any per-test database was set up: the case is the folder's SQLite one
    case = Case(root)
    return call_document(case, case.one("SELECT id FROM calls")[0])


@pytest.mark.parametrize("lang", ["orig", "both"])
def test_rules_on_real_asr_word_times(asr_call, tmp_path, lang):
    words = [w for t in asr_call["turns"] for w in t["words"]]
    assert len(words) >= 8 and all(w["start"] is not None for w in words)
    opts = SubtitleOptions(lang=lang, speakers=True)
    cues = build_cues(asr_call, opts)
    assert len(cues) >= 2
    for c in cues:
        assert MIN_DUR - EPS <= c.end - c.start <= MAX_DUR + EPS
        orig, en = cue_lines(c, opts)
        assert all(len(line) <= MAX_LINE for line in orig) and len(orig) <= (1 if lang == "both" else 2)
    assert cues[0].start == pytest.approx(words[0]["start"], abs=MIN_DUR)
    assert "".join(c.orig.removeprefix(f"{c.speaker}: " if c.speaker else "").replace(" ", "") for c in cues) == \
        "".join(w["text"].strip() for w in words)
    parsed = list(srt.parse(to_srt(asr_call, opts)))
    assert [round(s.start.total_seconds(), 3) for s in parsed] == [round(c.start, 3) for c in cues]
