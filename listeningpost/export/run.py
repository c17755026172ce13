"""One export: pick the calls, build their documents, redact, render, write atomically, log.

Formats are :class:`Exporter` objects registered by name with ``@register_format("name")``;
``lpost export --format NAME`` picks one. Formats living in other modules are imported through
``listeningpost.plugins.EXPORT_MODULES``. See docs/extending.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Protocol, Union

from listeningpost.export import data, docx, html, output, pdf, subtitles
from listeningpost.export.redact import DEFAULT_SETTING, redact_documents
from listeningpost.export.report import CaseReport, case_label, case_report
from listeningpost.store.case import Case
from listeningpost.store.views import call_document
from listeningpost.registry import Registry


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


@dataclass
class ExportContext:
    """Everything a format renders from: the call documents (``listeningpost.call/1``, already
    redacted when the export is), the options, the case label and the redaction summary."""

    case: Case
    docs: list[dict[str, Any]]
    options: ExportOptions
    case_id: str
    redaction: dict[str, Any]

    @cached_property
    def report(self) -> CaseReport:
        """The case report the document formats (HTML, PDF, DOCX) lay out, built once."""
        return case_report(self.case, self.docs, self.options.query, self.redaction)


#: what a format renders: the bytes of one file, or a folder as {file name: bytes}
Rendered = Union[bytes, dict[str, bytes]]


class Exporter(Protocol):
    #: the ``--format`` name and the format recorded in the audit log
    name: str
    #: the format takes exactly one call (subtitles, audio)
    single_call: bool
    #: what differs between two exports of the same input (everything else is byte-identical)
    volatile: list[str]

    def render(self, ctx: ExportContext) -> Rendered:
        """The output for ``ctx``; raise :class:`ExportError` with a message for the user."""


FORMATS = Registry("export format", plugins="EXPORT_MODULES", instantiate=True, error=ExportError)
#: class decorator: ``@register_format("name")`` registers an instance of the class as format ``name``
register_format = FORMATS.register


def get_format(name: str) -> Exporter:
    return FORMATS.lookup(name.lower())


# -- the built-in formats (registration order is the order `lpost export` lists them in) --------
@dataclass
class BuiltinFormat:
    """A built-in :class:`Exporter`: its render function and flags (``name`` is set on registration)."""

    render: Callable[[ExportContext], Rendered]
    single_call: bool = False
    volatile: list[str] = field(default_factory=list)


def _builtin(name: str, render: Callable[[ExportContext], Rendered], single_call: bool = False,
             volatile: tuple[str, ...] = ()) -> None:
    register_format(name)(lambda: BuiltinFormat(render, single_call, list(volatile)))


def _subtitles(to_text: Callable[[dict[str, Any], subtitles.SubtitleOptions], str]):
    def render(ctx: ExportContext) -> Rendered:
        doc = ctx.docs[0]
        text = to_text(doc, subtitles.SubtitleOptions(lang=ctx.options.lang, speakers=ctx.options.speakers))
        if not text.strip() or text.strip() == "WEBVTT":
            raise ExportError(f"call {doc['id']} has no timed turns to subtitle")
        return text.encode("utf-8")
    return render


def _audio(ctx: ExportContext) -> Rendered:
    from listeningpost.export import media

    return media.export_audio(ctx.case, ctx.docs[0], ctx.options.output.suffix.lstrip(".") or "wav")


_builtin("srt", _subtitles(subtitles.to_srt), single_call=True)
_builtin("vtt", _subtitles(subtitles.to_vtt), single_call=True)
_builtin("json", lambda ctx: data.to_json(ctx.docs, ctx.case_id, ctx.options.query,
                                          ctx.redaction).encode("utf-8"))
_builtin("csv", lambda ctx: data.to_csv(ctx.docs, ctx.case_id))
_builtin("html", lambda ctx: html.render(ctx.report).encode("utf-8"))
_builtin("pdf", lambda ctx: pdf.html_to_pdf(html.render(ctx.report)), volatile=("/CreationDate", "/ModDate"))
_builtin("docx", lambda ctx: docx.render(ctx.report))
_builtin("audio", _audio, single_call=True)


def export(case: Case, opts: ExportOptions) -> ExportResult:
    exporter = get_format(opts.format)
    fmt = exporter.name
    if opts.lang not in ("orig", "en", "both"):
        raise ExportError("--lang is orig, en or both")
    ids = list(opts.call_ids)
    if opts.query:
        ids = sorted(set(ids) | set(query_calls(case, opts.query)))
    if not ids:
        raise ExportError("no calls to export (name calls, or a --query that matches some)")
    if exporter.single_call and len(ids) != 1:
        raise ExportError(f"{fmt} export takes exactly one call ({len(ids)} given)")
    redact = bool(case.setting(DEFAULT_SETTING, False)) if opts.redact is None else opts.redact
    docs = [call_document(case, i) for i in ids]
    summary: dict[str, Any] = {"applied": False}
    if redact:
        docs, redactor = redact_documents(case, docs)
        summary = redactor.summary()
    path = Path(opts.output)
    rendered = exporter.render(ExportContext(case, docs, opts, case_label(case), summary))
    if isinstance(rendered, dict):
        sha = output.write_folder(path, rendered)
    else:
        sha = output.write_file(path, rendered)
    output.record(case, opts.user, fmt, ids, {
        "path": str(path), "sha256": sha, "redacted": redact, "query": opts.query, "lang": opts.lang,
        "placeholders": summary.get("placeholders", {}),
    })
    return ExportResult(path, fmt, ids, redact, sha, summary)


def describe(result: ExportResult) -> dict[str, Any]:
    return {"path": str(result.path), "format": result.format, "calls": result.calls, "redacted": result.redacted,
            "sha256": result.sha256, "redaction": result.redaction,
            "volatile": list(FORMATS[result.format].volatile) if result.format in FORMATS else []}


