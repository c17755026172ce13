"""DOCX report (python-docx) with its hidden parts scrubbed.

python-docx's template carries an author ("python-docx"), a description, dates, an application
name, a thumbnail and custom XML; all are removed or blanked, and the ZIP entries get a fixed date,
so the file holds only what the report shows and the same input gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt

from listeningpost.export import mapimg
from listeningpost.export.report import CaseReport, ClaimRow

FIXED_DATE = datetime(2000, 1, 1)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: template parts that carry nothing the report needs (thumbnail, SharePoint custom XML)
DROP_PARTS = ("docProps/thumbnail.jpeg", "customXml/")
APP_XML = (b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
           b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"/>')


def _table(doc, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text


def _claims(doc, rows: list[ClaimRow], with_call: bool) -> None:
    header = (["Call"] if with_call else []) + ["Type", "Count", "Quote and citation", "Time", "Speaker", "Confidence", "Reviewed"]
    out = []
    for c in rows:
        kind = c.type + (" (hedged)" if c.hedged else "") + (" (negated)" if c.negated else "")
        quote = f"“{c.quote}”\n{c.citation}"
        if c.context:
            quote += f"\nReference figures: {c.context}"
        call = str(c.call_id) + ("" if c.counted else "\n(duplicate, not in totals)")
        out.append(([call] if with_call else []) + [
            kind, "" if c.count is None else str(c.count), quote, c.time, c.speaker,
            "" if c.confidence is None else f"{c.confidence:.2f}", c.label])
    _table(doc, header, out)


def render(report: CaseReport) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    doc.styles["Normal"].font.size = Pt(9.5)

    doc.add_heading(report.title, level=0)
    doc.add_paragraph(f"Listening Post report · {len(report.calls)} call(s) · {len(report.claims)} claim(s)"
                      + (" · personal data redacted" if report.redaction.get("applied") else ""))
    for note in report.notes:
        doc.add_paragraph(note, style="Intense Quote")
    if report.redaction.get("applied"):
        doc.add_paragraph("Redacted: phone numbers, names of people who are not public figures, addresses and "
                          "analyst-marked text are replaced by placeholders such as [PHONE] and [PERSON 1].")

    doc.add_heading("Claims: totals by type", level=1)
    _table(doc, ["Type", "Claims", "Sum of stated counts", "Claims with no number"],
           [[t.key, str(t.claims), str(t.count), str(t.uncounted)] for t in report.by_type])
    doc.add_heading("By period", level=2)
    doc.add_paragraph("Each cell: claims (sum of stated counts).")
    types = [t.key for t in report.by_type]
    _table(doc, ["Period"] + types, [
        [p] + [f"{ts[k].claims} ({ts[k].count})" if k in ts else "" for k in types] for p, ts in report.by_period])
    if report.claims:
        doc.add_heading("Claims across calls", level=1)
        _claims(doc, report.claims, True)

    doc.add_heading("Places", level=1)
    if report.places:
        doc.add_picture(io.BytesIO(mapimg.png(report.places)), width=Cm(18))
        _table(doc, ["#", "Place", "Mentions", "Status"],
               [[str(p.number), p.name, str(p.mentions), p.label] for p in report.place_rows])
    else:
        doc.add_paragraph("No geocoded places in these calls.")

    for c in report.calls:
        doc.add_page_break()
        doc.add_heading(f"Call {c.ref}: {c.title}", level=1)
        doc.add_heading("Provenance", level=2)
        _table(doc, ["Field", "Value"], [[k, v] for k, v in c.provenance])
        doc.add_heading("Authenticity notes", level=2)
        for a in c.authenticity:
            doc.add_paragraph(a)
        if c.machine_outputs:
            doc.add_paragraph("Machine processing: " + "; ".join(c.machine_outputs))
        doc.add_heading("Claims", level=2)
        _claims(doc, c.claims, False) if c.claims else doc.add_paragraph("No claims.")
        doc.add_heading("Entities", level=2)
        _table(doc, ["Type", "Name", "Mentions", "Status"], [[e.type, e.name, str(e.mentions), e.label] for e in c.entities])
        doc.add_heading("Themes", level=2)
        _table(doc, ["Theme", "Score", "Level", "Status"],
               [[t.theme, "" if t.score is None else f"{t.score:.2f}", t.level, t.label] for t in c.themes])
        doc.add_heading("Transcript", level=2)
        _table(doc, ["Time", "Speaker", "Original", "English"], [
            [t.time, t.speaker, f"{t.text}\n[{t.origin_label}{', low confidence' if t.low_confidence else ''}]",
             t.translation + (f"\n[{t.translation_label}]" if t.translation_label else "")
             + (f"\ngloss: {t.gloss}" if t.gloss else "")]
            for t in c.transcript])
    _scrub_core(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return _normalise_zip(buf.getvalue())


def _scrub_core(doc) -> None:
    cp = doc.core_properties
    for name in ("author", "category", "comments", "content_status", "identifier", "keywords", "language",
                 "last_modified_by", "subject", "title", "version"):
        setattr(cp, name, "")
    cp.revision = 1
    cp.created = cp.modified = cp.last_printed = FIXED_DATE


def _normalise_zip(data: bytes) -> bytes:
    """Drop template leftovers, blank app.xml, fix every entry's date (reproducible bytes)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            name = info.filename
            if name.startswith(DROP_PARTS):
                continue
            blob = src.read(name)
            if name == "docProps/app.xml":
                blob = APP_XML
            elif name in ("[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels"):
                blob = _drop_refs(blob)
            entry = zipfile.ZipInfo(name, ZIP_DATE)
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, blob, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _drop_refs(xml: bytes) -> bytes:
    """Remove relationship/override elements that point at dropped parts."""
    from lxml import etree

    root = etree.fromstring(xml)
    for el in list(root):
        target = el.get("Target") or el.get("PartName") or ""
        if any(part.rstrip("/") in target for part in DROP_PARTS):
            root.remove(el)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
