"""One export: pick the calls, build their documents, redact, render, write atomically, log."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from listeningpost.export import data, docx, html, output, pdf, subtitles
from listeningpost.export.redact import DEFAULT_SETTING, redact_documents
from listeningpost.export.report import case_label, case_report
from listeningpost.store.case import Case
from listeningpost.store.views import call_document

FORMATS = ("srt", "vtt", "json", "csv", "html", "pdf", "docx", "audio")
SINGLE_CALL = ("srt", "vtt", "audio")
#: what differs between two exports of the same input (everything else is byte-identical)
VOLATILE = {"pdf": ["/CreationDate", "/ModDate"]}


class ExportError(ValueError):
    pass


@dataclass
class ExportOptions:
    format: str
    output: Path
    call_ids: list[int] = field(default_factory=list)
    query: str | None = None
    lang: str = "both"  # orig | en | both (subtitles)
    redact: bool | None = None  # None: the case's default setting
    speakers: bool = False
    user: str | None = None


@dataclass
class ExportResult:
    path: Path
    format: str
    calls: list[int]
    redacted: bool
    sha256: str
    redaction: dict[str, Any]


def query_calls(case: Case, query: str, limit: int = 1000) -> list[int]:
    """Calls with a turn matching ``query`` (the search package's lexical search)."""
    from listeningpost.search.api import search

    result = search(case, query, mode="lexical", limit=limit, facets=False)
    return sorted({h.call_id for h in result.hits})


def export(case: Case, opts: ExportOptions) -> ExportResult:
    fmt = opts.format.lower()
    if fmt not in FORMATS:
        raise ExportError(f"format is one of {', '.join(FORMATS)}, not {opts.format!r}")
    if opts.lang not in ("orig", "en", "both"):
        raise ExportError("--lang is orig, en or both")
    ids = list(opts.call_ids)
    if opts.query:
        ids = sorted(set(ids) | set(query_calls(case, opts.query)))
    if not ids:
        raise ExportError("no calls to export (name calls, or a --query that matches some)")
    if fmt in SINGLE_CALL and len(ids) != 1:
        raise ExportError(f"{fmt} export takes exactly one call ({len(ids)} given)")
    redact = bool(case.setting(DEFAULT_SETTING, False)) if opts.redact is None else opts.redact
    docs = [call_document(case, i) for i in ids]
    summary: dict[str, Any] = {"applied": False}
    if redact:
        docs, redactor = redact_documents(case, docs)
        summary = redactor.summary()
    case_id = case_label(case)
    path = Path(opts.output)
    if fmt == "csv":
        sha = output.write_folder(path, data.to_csv(docs, case_id))
    else:
        sha = output.write_file(path, render(case, fmt, docs, opts, case_id, summary))
    output.record(case, opts.user, fmt, ids, {
        "path": str(path), "sha256": sha, "redacted": redact, "query": opts.query, "lang": opts.lang,
        "placeholders": summary.get("placeholders", {}),
    })
    return ExportResult(path, fmt, ids, redact, sha, summary)


def render(case: Case, fmt: str, docs: list[dict[str, Any]], opts: ExportOptions, case_id: str,
           summary: dict[str, Any]) -> bytes:
    if fmt in ("srt", "vtt"):
        sub = subtitles.SubtitleOptions(lang=opts.lang, speakers=opts.speakers)
        text = subtitles.to_srt(docs[0], sub) if fmt == "srt" else subtitles.to_vtt(docs[0], sub)
        if not text.strip() or text.strip() == "WEBVTT":
            raise ExportError(f"call {docs[0]['id']} has no timed turns to subtitle")
        return text.encode("utf-8")
    if fmt == "json":
        return data.to_json(docs, case_id, opts.query, summary).encode("utf-8")
    if fmt == "audio":
        from listeningpost.export import media

        return media.export_audio(case, docs[0], opts.output.suffix.lstrip(".") or "wav")
    report = case_report(case, docs, opts.query, summary)
    if fmt == "docx":
        return docx.render(report)
    page = html.render(report)
    return page.encode("utf-8") if fmt == "html" else pdf.html_to_pdf(page)


def describe(result: ExportResult) -> dict[str, Any]:
    return {"path": str(result.path), "format": result.format, "calls": result.calls, "redacted": result.redacted,
            "sha256": result.sha256, "redaction": result.redaction, "volatile": VOLATILE.get(result.format, [])}


