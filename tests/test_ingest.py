"""Ingest on real data: every input format, duplicates, bad input, hostile names, kill -9 resume."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import AUDIO, EVAL, TRANSCRIPTS, need_shared
from listeningpost.ingest.ingest import ingest_paths
from listeningpost.ingest.transcripts import decode_text, parse_dash_text, TranscriptError
from listeningpost.store.views import call_document
from mediautil import FORMATS, PREENCODED, encode, read_mono

RA = TRANSCRIPTS / "radio_analyzer"
STIERLITZ = AUDIO / "no_reference" / "tinkoff_voicekit_stierlitz.wav"


def lpost(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "listeningpost.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def speech_pcm() -> np.ndarray:
    return read_mono(need_shared(STIERLITZ))


# -- formats ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", sorted([*FORMATS, *PREENCODED]))
def test_every_media_format_is_probed(case, tmp_path, speech_pcm, suffix):
    if suffix in PREENCODED:
        path = Path(shutil.copy(PREENCODED[suffix], tmp_path / f"call{suffix}"))
    else:
        path = encode(speech_pcm, 16000, tmp_path / f"call{suffix}", suffix)
    report = ingest_paths(case, [path], {"publisher": "SBU"})
    assert report.added == 1, report.to_json()
    src = case.one("SELECT * FROM sources")
    media = json.loads(src["media_json"])
    assert media["duration"] == pytest.approx(len(speech_pcm) / 16000, abs=0.3)
    assert media["sample_rate"] and media["channels"] == 1 and media["codec"]
    assert src["kind"] == ("video" if suffix in {".mp4", ".webm"} else "audio")
    call = case.one("SELECT * FROM calls")
    assert call["has_media"] == 1 and call["duration_s"] == pytest.approx(media["duration"])
    assert (case.root / src["archive_path"]).read_bytes() == path.read_bytes()


def test_stereo_channels_recorded(case, tmp_path, speech_pcm):
    path = encode(speech_pcm, 16000, tmp_path / "stereo.wav", ".wav", stereo=True)
    ingest_paths(case, [path])
    assert json.loads(case.one("SELECT media_json FROM sources")[0])["channels"] == 2


def test_radio_analyzer_json_with_translations_and_provenance(case):
    path = need_shared(RA / "radio_and_calls-mp3-003.json")
    report = ingest_paths(case, [path])
    assert report.added == 1
    doc = call_document(case, report.items[0].calls[0])
    original = json.loads(path.read_text())
    assert doc["external_id"] == "ra-radio_and_calls-mp3-003"
    assert [t["text"] for t in doc["turns"]] == [t["text"] for t in original["turns"]]
    assert [t["speaker"] for t in doc["turns"]] == [t["speaker"] for t in original["turns"]]
    assert doc["source"]["provenance"]["source_url"] == original["meta"]["source_url"]
    assert doc["source"]["provenance"]["published_date"] == "2022-04-27"
    english = [next(x["text"] for x in t["translations"] if x["lang"] == "en") for t in doc["turns"]]
    assert english == [t["text"] for t in original["turns_english"]]
    assert all(x["engine"] == "human" for t in doc["turns"] for x in t["translations"])


def test_eval_jsonl_gives_one_call_per_line(case, tmp_path):
    gold = need_shared(EVAL / "mt_dev.jsonl")
    lines = [json.loads(x) for x in gold.read_text().splitlines() if x.strip()]
    report = ingest_paths(case, [gold])
    assert report.added == 1 and len(report.items[0].calls) == len(lines)
    first = call_document(case, report.items[0].calls[0])
    assert [t["text"] for t in first["turns"]] == [t["text"] for t in lines[0]["turns"]]
    assert [x["translations"][0]["text"] for x in first["turns"]] == lines[0]["translation_en"]


def test_dash_text_srt_vtt_from_real_transcript(case, tmp_path):
    """The same real call written as dash text, SRT and VTT reads back to the same turns."""
    original = json.loads(need_shared(RA / "radio_and_calls-mp3-015.json").read_text())
    turns = original["turns"]
    dashes = "\n".join(("-" if t["speaker"] == "A" else "--") + " " + t["text"] for t in turns)
    (tmp_path / "call.txt").write_text(dashes, encoding="utf-8")

    def stamp(s: float, sep: str) -> str:
        return f"00:{int(s // 60):02d}:{int(s % 60):02d}{sep}{int(round((s % 1) * 1000)):03d}"

    srt_lines, vtt_lines, en_lines = [], ["WEBVTT", ""], []
    for i, t in enumerate(turns):
        a, b = i * 3.0, i * 3.0 + 2.5
        srt_lines += [str(i + 1), f"{stamp(a, ',')} --> {stamp(b, ',')}", f"{t['speaker']}: {t['text']}", ""]
        vtt_lines += [f"{stamp(a, '.')} --> {stamp(b, '.')}", f"<v {t['speaker']}>{t['text']}", ""]
        en = original["turns_english"][i]["text"]
        en_lines += [str(i + 1), f"{stamp(a, ',')} --> {stamp(b, ',')}", en, ""]
    (tmp_path / "call.srt").write_text("\n".join(srt_lines), encoding="utf-8")
    (tmp_path / "call.en.srt").write_text("\n".join(en_lines), encoding="utf-8")
    (tmp_path / "call2.vtt").write_text("\n".join(vtt_lines), encoding="utf-8")
    report = ingest_paths(case, [tmp_path])
    assert report.added == 3, report.to_json()  # call.en.srt is read with call.srt, not alone
    by_format = {r["format"]: r["id"] for r in case.query("SELECT id, format FROM sources")}
    for fmt in ("text", "srt", "vtt"):
        call_id = case.one("SELECT id FROM calls WHERE source_id=:source_id", {"source_id": by_format[fmt]})[0]
        doc = call_document(case, call_id)
        assert [t["text"] for t in doc["turns"]] == [t["text"] for t in turns], fmt
        assert [t["speaker"] for t in doc["turns"]] == [t["speaker"] for t in turns], fmt
        if fmt != "text":
            assert doc["turns"][1]["start"] == pytest.approx(3.0) and doc["turns"][1]["end"] == pytest.approx(5.5)
    srt_doc = call_document(case, case.one("SELECT id FROM calls WHERE source_id=:source_id", {"source_id": by_format["srt"]})[0])
    assert srt_doc["turns"][0]["translations"][0]["text"] == original["turns_english"][0]["text"]


def test_radio_analyzer_raw_text_with_chunk_headers():
    raw = json.loads(need_shared(RA / "radio_and_calls-mp3-003.json").read_text())["raw_original"]
    turns = parse_dash_text(raw)
    assert turns[0].speaker == "A" and turns[0].text.startswith("Чо [=Что] ты говоришь?")
    assert turns[1].speaker == "B" and turns[0].start == 0
    assert any(t.start and t.start > 0 for t in turns)  # later chunks carry their start second


def test_cp1251_and_utf16_text(tmp_path, case):
    text = "- Алло, синтетическая строка для теста.\n-- Да, слышу."
    (tmp_path / "a.txt").write_bytes(text.encode("cp1251"))
    (tmp_path / "b.txt").write_bytes(text.encode("utf-16"))
    report = ingest_paths(case, [tmp_path / "a.txt", tmp_path / "b.txt"])
    assert report.added == 2
    assert {r[0] for r in case.query("SELECT text FROM turns")} == {"Алло, синтетическая строка для теста.", "Да, слышу."}


# -- provenance ------------------------------------------------------------------------------------
def test_sidecar_and_cli_provenance_and_history(tmp_path):
    clip = need_shared(AUDIO / "pisets_test_sound_ru.wav")
    work = tmp_path / "in"
    work.mkdir()
    (work / "clip.wav").write_bytes(clip.read_bytes())
    (work / "clip.meta.yaml").write_text("publisher: HUR\nurl: https://example.org/x\npublished: 12.03.2023\n"
                                         "authenticity: synthetic test note\n", encoding="utf-8")
    case_dir = tmp_path / "case"
    res = lpost("ingest", str(work), "--case", str(case_dir), "--obtained", "2026-11-25", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["added"] == 1
    shown = json.loads(lpost("meta", "1", "--case", str(case_dir), "--json").stdout)
    assert shown["provenance"]["publisher"] == "HUR"
    assert shown["provenance"]["published_date"] == "2023-03-12"
    assert shown["provenance"]["obtained_date"] == "2026-11-25"
    assert shown["provenance"]["authenticity_notes"] == "synthetic test note"
    res = lpost("meta", "1", "--case", str(case_dir), "--set", "publisher=SBU", "--set", "notes=re-checked",
                "--author", "ana", "--json")
    after = json.loads(res.stdout)
    assert after["provenance"]["publisher"] == "SBU"
    assert [(h["field"], h["before"], h["after"], h["author"]) for h in after["history"]] == [
        ("publisher", "HUR", "SBU", "ana"), ("notes", None, "re-checked", "ana")]
    bad = lpost("meta", "1", "--case", str(case_dir), "--set", "published_date=yesterday")
    assert bad.returncode != 0 and "invalid date" in bad.stderr


# -- duplicates ------------------------------------------------------------------------------------
def test_exact_duplicate_reported_not_added(case, tmp_path):
    path = need_shared(RA / "radio_and_calls-mp3-001.json")
    copy = tmp_path / "renamed copy.json"
    copy.write_bytes(path.read_bytes())
    first = ingest_paths(case, [path])
    second = ingest_paths(case, [copy, path])
    assert first.added == 1 and second.added == 0 and second.duplicates == 2
    assert case.one("SELECT COUNT(*) FROM sources")[0] == 1
    assert case.one("SELECT COUNT(*) FROM calls")[0] == 1


def test_near_duplicate_reencoded_with_intro_is_linked(case, tmp_path, speech_pcm):
    ingest_paths(case, [STIERLITZ])
    other = read_mono(need_shared(AUDIO / "pisets_test_sound_ru.wav"))
    repost = encode(np.concatenate([other, speech_pcm]), 16000, tmp_path / "repost.mp4", ".mp4")
    unrelated = need_shared(AUDIO / "no_reference" / "silero_vad_ru.wav")
    report = ingest_paths(case, [repost, unrelated])
    assert report.added == 2
    rows = {r["original_name"]: r for r in case.query("SELECT * FROM sources")}
    assert rows["repost.mp4"]["near_duplicate_of"] == rows[STIERLITZ.name]["id"]
    assert rows["repost.mp4"]["near_duplicate_score"] > 0.9
    assert rows[unrelated.name]["near_duplicate_of"] is None
    assert report.to_json()["near_duplicates"][0]["likely_same_as"] == rows[STIERLITZ.name]["id"]


# -- bad input -------------------------------------------------------------------------------------
def test_bad_files_fail_alone_with_reasons(case, tmp_path, speech_pcm):
    good = encode(speech_pcm, 16000, tmp_path / "good.mp3", ".mp3")
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "noise.mp3").write_bytes(np.random.default_rng(1).bytes(20000))
    (tmp_path / "text.wav").write_text("this is not audio at all " * 50)
    (tmp_path / "latin.txt").write_bytes(bytes(range(0x80, 0x100)) * 10)
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "tool.exe").write_bytes(b"MZ" + b"\x00" * 100)
    (tmp_path / "broken.json").write_text('{"turns": [', encoding="utf-8")
    wav = (tmp_path / "good.mp3").read_bytes()
    (tmp_path / "truncated.mp3").write_bytes(wav[:200])
    names = ["empty.wav", "noise.mp3", "text.wav", "latin.txt", "binary.txt", "tool.exe", "broken.json",
             "truncated.mp3", "missing.wav"]
    report = ingest_paths(case, [tmp_path / n for n in names] + [good])
    assert report.added == 1
    errors = {Path(i.path).name: i.error for i in report.items if i.status == "failed"}
    assert set(errors) == set(names)
    assert "empty" in errors["empty.wav"]
    assert "not a readable audio" in errors["noise.mp3"] or "decoded" in errors["noise.mp3"]
    assert "audio" in errors["text.wav"]
    assert "encoding" in errors["latin.txt"]
    assert "binary" in errors["binary.txt"]
    assert "audio" in errors["tool.exe"]
    assert "invalid JSON" in errors["broken.json"]
    assert "no such file" in errors["missing.wav"]
    assert case.one("SELECT COUNT(*) FROM ingest_failures")[0] == len(names)
    # nothing half-written: one source, one call, archive holds only the good file
    assert case.one("SELECT COUNT(*) FROM sources")[0] == 1
    assert len([p for p in (case.root / "archive").rglob("*") if p.is_file()]) == 1


def test_cli_json_contract_and_exit_code(tmp_path):
    (tmp_path / "bad.wav").write_bytes(b"RIFF")
    res = lpost("ingest", str(tmp_path / "bad.wav"), str(need_shared(RA / "radio_and_calls-mp3-002.json")),
                "--case", str(tmp_path / "case"), "--json")
    data = json.loads(res.stdout)
    assert res.returncode == 0
    assert data["added"] == 1 and data["duplicates"] == 0
    assert data["failed"][0]["path"].endswith("bad.wav") and data["failed"][0]["error"]
    only_bad = lpost("ingest", str(tmp_path / "bad.wav"), "--case", str(tmp_path / "case"), "--json")
    assert only_bad.returncode == 1


# -- hostile names ---------------------------------------------------------------------------------
HOSTILE = [
    "../../escape.txt",
    "with space and 'quotes\" .txt",
    "new\nline.txt",
    "Позывной Пчела — звонок.txt",
    ("я" * 123) + ".txt",  # 246 bytes of UTF-8 + suffix: near the 255-byte limit
    "-rf --case x.txt",
    "<img src=x onerror=alert(1)>.txt",
]


@pytest.mark.sqlite_only  # reads case.sqlite directly
def test_hostile_names_never_escape_the_case(tmp_path):
    inbox = tmp_path / "inbox" / "deep"
    inbox.mkdir(parents=True)
    paths = []
    for i, name in enumerate(HOSTILE):
        target = inbox / name if not name.startswith("../") else inbox / "sub" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"- synthetic hostile-name test turn {i}\n-- reply {i}", encoding="utf-8")
        paths.append(target)
    case_dir = tmp_path / "case"
    before = {p for p in tmp_path.rglob("*")}
    res = lpost("ingest", "--case", str(case_dir), "--json", "--", *map(str, paths))
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["added"] == len(HOSTILE)
    created = {p for p in tmp_path.rglob("*")} - before
    root = case_dir.resolve()
    assert created and all(p.resolve() == root or root in p.resolve().parents for p in created)
    db = sqlite3.connect(case_dir / "case.sqlite")
    for name, archive_path in db.execute("SELECT original_name, archive_path FROM sources"):
        assert archive_path.startswith("archive/") and ".." not in archive_path and "\n" not in archive_path
        assert "\n" not in name
    names = {r[0] for r in db.execute("SELECT original_name FROM sources")}
    assert "Позывной Пчела — звонок.txt" in names and "<img src=x onerror=alert(1)>.txt" in names


# -- kill -9 and resume ----------------------------------------------------------------------------
def _make_clips(folder: Path, n: int, pcm: np.ndarray) -> None:
    rng = np.random.default_rng(7)
    for i in range(n):
        # real speech with a little distinct noise, so every file has its own hash
        noisy = np.clip(pcm[: 16000 * 2].astype(np.int32) + rng.integers(-40, 40, 32000), -32768, 32767)
        encode(noisy.astype(np.int16), 16000, folder / f"clip_{i:03d}.wav", ".wav")


@pytest.mark.sqlite_only  # reads case.sqlite directly
def test_kill_during_ingest_then_resume(tmp_path, speech_pcm):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _make_clips(inbox, 200, speech_pcm)
    case_dir = tmp_path / "case"
    proc = subprocess.Popen([sys.executable, "-m", "listeningpost.cli", "ingest", str(inbox), "--case", str(case_dir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    count = 0
    while time.time() < deadline:
        time.sleep(0.2)
        try:
            db = sqlite3.connect(case_dir / "case.sqlite", timeout=5)
            count = db.execute("SELECT COUNT(*) FROM sources").fetchone()[0]
            db.close()
        except sqlite3.OperationalError:
            continue
        if count >= 20:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < count < 200, "the kill must land mid-ingest"
    res = lpost("ingest", str(inbox), "--case", str(case_dir), "--json")
    data = json.loads(res.stdout)
    db = sqlite3.connect(case_dir / "case.sqlite")
    sources = db.execute("SELECT COUNT(*) FROM sources").fetchone()[0]
    assert sources == 200
    assert data["added"] + data["duplicates"] == 200 and data["added"] == 200 - data["duplicates"]
    assert db.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 200
    assert db.execute("SELECT COUNT(DISTINCT sha256) FROM sources").fetchone()[0] == 200
    archived = [p for p in (case_dir / "archive").rglob("*") if p.is_file() and not p.name.startswith(".incoming")]
    assert len(archived) == 200
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_decode_text_rejects_empty():
    with pytest.raises(TranscriptError):
        decode_text(b"   \n")
