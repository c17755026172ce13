"""Redaction: detection rules, consistent placeholders, and a byte-level leak scan of every export
format (file bytes, names, unzipped DOCX parts, decompressed PDF streams and text, metadata)."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from exportfix import AUDIO_CLIP, REAL_CALLS, SECRETS, SPOKEN_PHONE, call_id, export_case  # noqa: F401
from listeningpost.export.media import decode
from listeningpost.export.redact import PUBLIC_FIGURES_SETTING, Redactor, make_redactor
from listeningpost.export.run import ExportOptions, export
from listeningpost.store.views import call_document


@pytest.mark.parametrize("text", [
    "звони +7 (916) 123-45-67", "номер 8-916-123-45-67", "89161234567", "+380 50 123 45 67", "050 123 45 67",
    "восемь девятьсот шестнадцать сто двадцать три сорок пять шестьдесят семь",
    "ноль пятьдесят, сто двадцать три, сорок пять, шестьдесят семь",
    "call eight nine one six one two three four",
])
def test_phone_numbers_found(text):
    out = Redactor().redact(text)
    assert "[PHONE]" in out and not re.search(r"\d{3}|сорок|six", out), out


@pytest.mark.parametrize("text", [
    "Вчера 4 300, а у нас двести человек", "25 тыщ 900", "дата 2022-04-27", "в 23:00 ровно",
    "https://twitter.com/serobga/status/1519248444007018496", "три танка и две БМП", "на улице холодно",
])
def test_numbers_dates_and_urls_are_not_phones(text):
    assert Redactor().redact(text) == text


def test_people_numbered_consistently_and_public_figures_kept():
    r = Redactor()
    texts = ["Передай Саше Иванову, что Путин и Пригожин выступили.", "Евгений Викторович сказал, Иванов в курсе."]
    r.learn_texts(texts)
    a, b = (r.redact(t) for t in texts)
    assert a == "Передай [PERSON 1], что Путин и Пригожин выступили."
    assert b == "Евгений Викторович сказал, [PERSON 1] в курсе."
    assert r.redact("Tell Sasha Ivanov.") == "Tell [PERSON 1]."


def test_case_allow_list_extends_public_figures(tmp_path):
    from listeningpost.store.case import Case
    case = Case.open(tmp_path / "c")
    text = "Говорят, Олег Морозов приказал, а Саша Иванов не знает."  # synthetic names
    doc = {"id": 1, "turns": [{"text": text}], "entities": [], "speakers": {}}
    before = make_redactor(case, [doc]).redact(text)
    assert "Морозов" not in before and "Иванов" not in before, before
    case.set_setting(PUBLIC_FIGURES_SETTING, ["Морозов", "Morozov"])
    after = make_redactor(case, [doc]).redact(text)
    assert "Олег Морозов приказал" in after and "Иванов" not in after, after
    assert "Morozov" in make_redactor(case, [doc]).redact("General Oleg Morozov said")


@pytest.mark.parametrize("text,expect", [
    ("живёт ул. Ленина, д. 5, кв. 12, звони", "живёт [ADDRESS], звони"),
    ("на вулиця Шевченка 10 стоїть", "на [ADDRESS] стоїть"),
    ("he lives at 12 Lenin Street, apartment 3.", "he lives at [ADDRESS]."),
])
def test_addresses(text, expect):
    assert Redactor().redact(text) == expect


def _pieces(path: Path) -> list[tuple[str, bytes]]:
    """Every byte an export carries, unpacked: names, contents, zip parts, PDF streams and text."""
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    out = [("name", path.name.encode())]
    for f in files:
        data = f.read_bytes()
        out += [("name", f.name.encode()), (f.name, data)]
        if data[:2] == b"PK":
            z = zipfile.ZipFile(f)
            out += [(f"{f.name}:{n}", n.encode()) for n in z.namelist()]
            out += [(f"{f.name}:{n}", z.read(n)) for n in z.namelist()]
        if data.startswith(b"%PDF"):
            for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
                try:
                    out.append((f"{f.name}:stream", zlib.decompress(m.group(1))))
                except zlib.error:
                    out.append((f"{f.name}:raw-stream", m.group(1)))
            for tool in (["pdftotext", str(f), "-"], ["pdfinfo", "-meta", str(f)]):
                out.append((f"{f.name}:{tool[0]}", subprocess.run(tool, capture_output=True, check=True).stdout))
    return out


def _texts(blob: bytes) -> list[str]:
    return [blob.decode(enc, errors="ignore").lower() for enc in ("utf-8", "utf-16-be", "utf-16-le")]


def _leaks(path: Path) -> list[str]:
    needles = [s for group in SECRETS.values() for s in group]
    found = []
    for where, blob in _pieces(path):
        for text in _texts(blob):
            for s in needles:
                forms = {s.lower(), json.dumps(s)[1:-1].lower(), s.lower().replace(" ", "\u00a0")}
                if any(f in text for f in forms):
                    found.append(f"{s!r} in {where}")
    return sorted(set(found))


FORMATS = ["json", "csv", "html", "pdf", "docx", "srt", "vtt"]


def test_unredacted_export_does_contain_the_secrets(export_case, tmp_path):
    """The leak scan finds them when redaction is off (so a clean scan below means something)."""
    out = tmp_path / "plain.json"
    export(export_case, ExportOptions(format="json", output=out, call_ids=[call_id(export_case, REAL_CALLS[0])],
                                      redact=False, user="test"))
    leaks = _leaks(out)
    for group in ("phone", "spoken", "person", "address", "mark"):
        assert any(repr(s) in " ".join(leaks) for s in SECRETS[group]), group


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_leaks_in_any_format(export_case, tmp_path, fmt):
    ids = [call_id(export_case, REAL_CALLS[0])] if fmt in ("srt", "vtt") else \
        [r[0] for r in export_case.query("SELECT id FROM calls ORDER BY id")]
    out = tmp_path / ("tables" if fmt == "csv" else f"export.{fmt}")
    if fmt in ("srt", "vtt"):
        # the synthetic turn has no time; give it one in a copy so it reaches the subtitles
        export_case.db.execute("UPDATE turns SET start_s=200, end_s=215 WHERE text LIKE 'СИНТЕТИКА:%'")
    try:
        result = export(export_case, ExportOptions(format=fmt, output=out, call_ids=ids, redact=True, user="test"))
    finally:
        export_case.db.execute("UPDATE turns SET start_s=NULL, end_s=NULL WHERE text LIKE 'СИНТЕТИКА:%'")
    assert _leaks(out) == []
    text = " ".join(t for _, blob in _pieces(out) for t in _texts(blob)[:1])
    assert "[phone]" in text and "[person " in text and "[redacted]" in text
    if fmt != "srt" and fmt != "vtt":
        assert "[address]" in text
    assert result.redaction["placeholders"]["PHONE"] >= 2


def test_placeholders_consistent_across_the_export(export_case, tmp_path):
    out = tmp_path / "r.json"
    export(export_case, ExportOptions(format="json", output=out, call_ids=[call_id(export_case, REAL_CALLS[0])],
                                      redact=True, user="test"))
    doc = json.loads(out.read_text(encoding="utf-8"))["calls"][0]
    turn = next(t for t in doc["turns"] if t["text"].startswith("СИНТЕТИКА"))
    person = re.search(r"\[PERSON \d+\]", turn["text"]).group()
    entity = next(e for e in doc["entities"] if e["type"] == "PERSON")
    claim = next(c for c in doc["claims"] if c["type"] == "killed")
    assert entity["text"] == entity["norm"] == person
    assert claim["quote"].startswith(person)
    assert person in turn["translations"][0]["text"]
    assert "[PHONE]" in turn["text"] and "[ADDRESS]" in turn["text"]

    out = tmp_path / "named.json"
    named = call_id(export_case, "radio_and_calls-mp3-011")  # ingested from "Пупкин_79165550123.json"
    export(export_case, ExportOptions(format="json", output=out, call_ids=[call_id(export_case, REAL_CALLS[0]), named],
                                      redact=True, user="test"))
    docs = json.loads(out.read_text(encoding="utf-8"))["calls"]
    assert docs[1]["source"]["original_name"] == f"{person}_[PHONE].json"


def test_case_default_setting_applies(export_case, tmp_path):
    cid = call_id(export_case, REAL_CALLS[0])
    export_case.set_setting("export.redact", True)
    try:
        result = export(export_case, ExportOptions(format="json", output=tmp_path / "d.json", call_ids=[cid], user="t"))
    finally:
        export_case.set_setting("export.redact", False)
    assert result.redacted and _leaks(tmp_path / "d.json") == []


def test_audio_export_bleeps_the_redacted_words(export_case, tmp_path):
    if not AUDIO_CLIP.exists():
        pytest.skip("real audio clip not in ../shared")
    cid = export_case.one("SELECT c.id FROM calls c JOIN sources s ON s.id=c.source_id WHERE s.kind='audio'")[0]
    doc = call_document(export_case, cid)
    words = doc["turns"][0]["words"]
    n = len(SPOKEN_PHONE.split())
    span = (words[2]["start"], words[1 + n]["end"])
    out = tmp_path / "call.wav"
    result = export(export_case, ExportOptions(format="audio", output=out, call_ids=[cid], redact=True, user="test"))
    assert result.redaction["placeholders"]["PHONE"] == 1
    original, rate = decode(str(export_case.archive_file(export_case.one(
        "SELECT * FROM sources WHERE id=:id", {"id": doc["source_id"]}))))
    bleeped, rate2 = decode(str(out))
    assert rate2 == rate and bleeped.shape == original.shape
    a, b = int(span[0] * rate) + 1, int(span[1] * rate) - 1
    assert np.array_equal(bleeped[:a - 2], original[:a - 2]) and np.array_equal(bleeped[b + 2:], original[b + 2:])
    spectrum = np.abs(np.fft.rfft(bleeped[a:b, 0].astype(float)))
    assert abs(np.argmax(spectrum) * rate / (b - a) - 1000) < 5  # the 1 kHz tone, not speech
    assert out.read_bytes()[:4] == b"RIFF" and b"LIST" not in out.read_bytes()[:64]  # no tag chunk
