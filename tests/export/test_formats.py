"""JSON/CSV round trips, the PDF and DOCX reports, atomic writes, audit log, reproducible bytes."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile

import docx
import pytest
from PIL import Image

from exportfix import REAL_CALLS, SYNTH_QUOTE, call_id, export_case  # noqa: F401
from listeningpost.export.data import CSV_COLUMNS, EXPORT_SCHEMA
from listeningpost.export.run import ExportError, ExportOptions, export
from listeningpost.store.views import SHOW_SCHEMA, call_document


def _ids(case) -> list[int]:
    return [call_id(case, n) for n in REAL_CALLS]


def _export(case, fmt, out, ids=None, **kw):
    return export(case, ExportOptions(format=fmt, output=out, call_ids=ids or _ids(case), user="test",
                                      redact=kw.pop("redact", False), **kw))


def test_json_round_trip_is_the_show_document(export_case, tmp_path):
    _export(export_case, "json", tmp_path / "e.json")
    data = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert data["schema"] == EXPORT_SCHEMA and data["call_schema"] == SHOW_SCHEMA
    assert data["redaction"] == {"applied": False}
    assert data["calls"] == [json.loads(json.dumps(call_document(export_case, i), default=str)) for i in _ids(export_case)]


def _read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_round_trip(export_case, tmp_path):
    out = tmp_path / "tables"
    _export(export_case, "csv", out)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.csv" for n in CSV_COLUMNS)
    docs = [call_document(export_case, i) for i in _ids(export_case)]
    calls, turns = _read_csv(out / "calls.csv"), _read_csv(out / "turns.csv")
    claims, entities = _read_csv(out / "claims.csv"), _read_csv(out / "entities.csv")
    assert [int(r["call_id"]) for r in calls] == [d["id"] for d in docs]
    assert [r["source_url"] for r in calls] == [d["source"]["provenance"]["source_url"] for d in docs]
    assert [r["text"] for r in turns] == [t["text"] for d in docs for t in d["turns"]]
    assert [float(r["start_s"]) if r["start_s"] else None for r in turns] == [t["start"] for d in docs for t in d["turns"]]
    human_en = [r["text_en"] for r in turns if r["en_engine"] == "human"]
    assert len(human_en) > 20
    assert [(r["type"], int(r["count"]), r["quote"]) for r in claims][:1] == [("killed", 200, SYNTH_QUOTE)]
    assert all(r["citation"].startswith("Case ") and "https://" in r["citation"] for r in claims)
    assert {r["type"] for r in entities} == {"PERSON", "PLACE"}


def test_html_report_content(export_case, tmp_path):
    _export(export_case, "html", tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<!--" not in html
    for section in ("Claims: totals by type", "Claims across calls", "Places", "Provenance", "Authenticity notes",
                    "Transcript", "machine (not reviewed)", "reviewed: confirmed", "human translation",
                    "<svg", "https://twitter.com/"):
        assert section in html, section
    # each claim row carries its citation: case, call, source URL, time
    cites = re.findall(r'<span class="cite">([^<]+)</span>', html)
    assert len(cites) == 2 * 2 and all(re.search(r"Case \S+, call \d+ \(ra-[^)]+\), https://\S+, at 0:3\d", c) for c in cites)


def test_pdf_report_renders_pages(export_case, tmp_path):
    _export(export_case, "pdf", tmp_path / "r.pdf")
    pdf = (tmp_path / "r.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(tmp_path / "r.pdf"), str(tmp_path / "p")],
                   check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 2
    img = Image.open(pages[0]).convert("L")
    w, h = img.size
    assert abs(h / w - 297 / 210) < 0.02  # A4 portrait
    dark = sum(img.histogram()[:128])
    assert 0.005 < dark / (w * h) < 0.5  # text on the page, not blank, not black
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "Claims: totals by type" in text and "Transcript" in text
    info = subprocess.run(["pdfinfo", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 4


def test_docx_report_opens_and_is_scrubbed(export_case, tmp_path):
    _export(export_case, "docx", tmp_path / "r.docx")
    d = docx.Document(str(tmp_path / "r.docx"))
    texts = [p.text for p in d.paragraphs]
    assert texts[0].startswith("Case ")
    assert {"Claims: totals by type", "Places", "Provenance", "Transcript"} <= set(texts)
    assert len(d.inline_shapes) == 1  # the map
    transcript_rows = sum(len(t.rows) - 1 for t in d.tables if t.rows[0].cells[0].text == "Time")
    assert transcript_rows == sum(len(call_document(export_case, i)["turns"]) for i in _ids(export_case))
    cp = d.core_properties
    assert (cp.author, cp.last_modified_by, cp.comments, cp.title, cp.keywords) == ("", "", "", "", "")
    names = zipfile.ZipFile(tmp_path / "r.docx").namelist()
    assert not [n for n in names if "thumbnail" in n or n.startswith("customXml")]


@pytest.mark.parametrize("fmt", ["json", "csv", "html", "docx", "srt", "vtt", "pdf"])
def test_reproducible_bytes_and_audit(export_case, tmp_path, fmt):
    ids = _ids(export_case)[1:2] if fmt in ("srt", "vtt") else _ids(export_case)
    before = export_case.one("SELECT COUNT(*) FROM audit_log WHERE action='export'")[0]
    a = _export(export_case, fmt, tmp_path / f"a.{fmt}", ids, redact=True)
    b = _export(export_case, fmt, tmp_path / f"b.{fmt}", ids, redact=True)
    if fmt == "pdf":
        # the listed volatile parts: Chromium's creation/modification dates
        strip = lambda p: re.sub(rb"/(CreationDate|ModDate) \(D:[^)]*\)", b"", p.read_bytes())  # noqa: E731
        assert strip(a.path) == strip(b.path)
    else:
        assert a.sha256 == b.sha256
    rows = export_case.query("SELECT * FROM audit_log WHERE action='export' ORDER BY id DESC LIMIT 2")
    assert export_case.one("SELECT COUNT(*) FROM audit_log WHERE action='export'")[0] == before + 2
    detail = json.loads(rows[0]["detail_json"])
    assert detail["format"] == fmt and detail["redacted"] is True and rows[0]["username"] == "test"
    assert rows[0]["target"] == "calls:" + ",".join(map(str, ids))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".lpost-export-")]  # no temp files left


def test_atomic_overwrite_and_errors(export_case, tmp_path):
    out = tmp_path / "r.json"
    out.write_text("old")
    _export(export_case, "json", out)
    assert json.loads(out.read_text(encoding="utf-8"))["schema"] == EXPORT_SCHEMA
    with pytest.raises(ExportError):
        _export(export_case, "srt", tmp_path / "x.srt")  # several calls
    with pytest.raises(ExportError):
        _export(export_case, "odt", tmp_path / "x.odt")
    assert not (tmp_path / "x.srt").exists()


def test_totals_count_a_duplicated_recording_once(tmp_path):
    """prigoshin-mp3-007 is the same video as -001 (marked duplicate_of in the data); a SYNTHETIC
    claim on each must be counted once in the totals."""
    from conftest import TRANSCRIPTS, need_shared
    from listeningpost.export.report import case_report
    from listeningpost.ingest.ingest import ingest_paths
    from listeningpost.store.case import Case

    folder = need_shared(TRANSCRIPTS / "prigozhin")
    case = Case.open(tmp_path / "dup")
    ingest_paths(case, [folder / "prigoshin-mp3-001.json", folder / "prigoshin-mp3-007.json"])
    ids = [r[0] for r in case.query("SELECT id FROM calls ORDER BY id")]
    with case.transaction():
        for cid in ids:
            case.db.execute("INSERT INTO claims(call_id, type, count, quote) VALUES (:call_id, 'killed', 5, 'SYNTHETIC')", {"call_id": cid})
    report = case_report(case, [call_document(case, i) for i in ids])
    assert [(t.key, t.claims, t.count) for t in report.by_type] == [("killed", 1, 5)]
    assert list(report.duplicates) == [ids[1]] and len(report.claims) == 2
    assert any("duplicate of call" in n for n in report.notes)
