"""`lpost ingest`, `lpost calls`, `lpost show`, `lpost meta`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List, Optional

import typer
from sqlalchemy import select

from listeningpost.cliutil import CaseOpt, JsonOpt, console, fail, open_call, open_case, out, print_json
from listeningpost.store import tables


def ingest(
    paths: List[Path] = typer.Argument(..., help="Audio, video or transcript files, or folders."),
    publisher: Optional[str] = typer.Option(None, help="Who published it (SBU, HUR, a newsroom...)."),
    url: Optional[str] = typer.Option(None, help="Source URL."),
    published: Optional[str] = typer.Option(None, help="Published date (YYYY-MM-DD)."),
    obtained: Optional[str] = typer.Option(None, help="Date obtained (YYYY-MM-DD)."),
    title: Optional[str] = typer.Option(None),
    language: Optional[str] = typer.Option(None, help="ru, uk or mixed, if known."),
    notes: Optional[str] = typer.Option(None),
    authenticity: Optional[str] = typer.Option(None, help="Authenticity / selection-bias notes."),
    recursive: bool = typer.Option(False, "--recursive", "-r", help="Descend into sub-folders."),
    case: Optional[Path] = CaseOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Add files to the case (archived by SHA-256, never overwritten; duplicates reported)."""
    from listeningpost.ingest.provenance import ProvenanceError, normalise

    given = {
        "publisher": publisher, "source_url": url, "published_date": published, "obtained_date": obtained,
        "title": title, "language": language, "notes": notes, "authenticity_notes": authenticity,
    }
    try:
        given = normalise(given)
    except ProvenanceError as exc:
        fail(str(exc))
    c = open_case(case, create=True)
    report = _ingest_with_progress(c, paths, given, recursive, as_json)
    data = report.to_json()
    if as_json:
        print_json({k: v for k, v in data.items() if k != "items"})
    else:
        _print_ingest_report(data)
    if report.items and not report.added and not report.duplicates:
        raise typer.Exit(1)


def _ingest_with_progress(c, paths: List[Path], given: dict[str, Any], recursive: bool, as_json: bool):
    """``ingest_paths`` with a progress bar on a terminal (none with --json)."""
    from rich.progress import BarColumn, Progress, TextColumn

    from listeningpost.ingest.ingest import ingest_paths

    with Progress(TextColumn("[bold]ingest"), BarColumn(), TextColumn("{task.completed} files"),
                  TextColumn("{task.description}"), console=console, transient=True,
                  disable=as_json or not console.is_terminal) as progress:
        task = progress.add_task("", total=None)
        return ingest_paths(c, paths, given, recursive=recursive,
                            on_item=lambda it: progress.update(task, advance=1, description=it.path[-40:]))


def _print_ingest_report(data: dict[str, Any]) -> None:
    out.print(f"added {data['added']} file(s), {data['calls']} call(s); {data['duplicates']} duplicate(s); "
              f"{len(data['failed'])} failed")
    for nd in data["near_duplicates"]:
        out.print(f"  likely the same recording as source {nd['likely_same_as']}: {nd['path']} "
                  f"(similarity {nd['similarity']})")
    for f in data["failed"]:
        out.print(f"  [red]failed[/red] {f['path']}: {f['error']}", markup=True)


def calls(case: Optional[Path] = CaseOpt, as_json: bool = JsonOpt) -> None:
    """List the calls in the case."""
    from rich.table import Table

    from listeningpost.store.views import list_calls

    items = list_calls(open_case(case))
    if as_json:
        print_json(items)
        return
    table = Table("id", "title", "publisher", "published", "lang", "turns", "media")
    for c in items:
        table.add_row(str(c["id"]), (c["title"] or c["original_name"] or "")[:60], c["publisher"] or "",
                      c["published_date"] or "", c["language"] or "", str(c["turns"]), "yes" if c["has_media"] else "")
    out.print(table)


def show(call: str = typer.Argument(..., help="Call id (or imported id)."), case: Optional[Path] = CaseOpt,
         as_json: bool = JsonOpt) -> None:
    """Show one call: provenance, turns, and what later stages found."""
    from listeningpost.store.views import call_document

    doc = call_document(*open_call(case, call))
    if as_json:
        print_json(doc)
        return
    out.print(f"[bold]call {doc['id']}[/bold] {doc['title'] or ''}")
    for key, value in doc["source"]["provenance"].items():
        if value:
            out.print(f"  {key}: {value}")
    for t in doc["turns"]:
        _print_turn(t)
    for section in ("entities", "claims", "themes"):
        if doc.get(section):
            out.print(f"{section}: {len(doc[section])}")


def _print_turn(t: dict[str, Any]) -> None:
    """One turn of `lpost show`: the line, its first translation (and gloss), unfaithful machine lines."""
    stamp = f"{t['start']:7.1f}s " if t["start"] is not None else ""
    out.print(f"{stamp}[{t['speaker'] or '?'}] {t['text']}", markup=False)
    for tr in t["translations"][:1]:
        label = "" if tr["engine"] == "human" else f" (machine: {tr['engine']})"
        out.print(f"        {tr['lang']}{label}: {tr['text']}", markup=False)
        if tr.get("gloss"):  # literal source gloss under machine English
            out.print(f"        gloss: {tr['gloss']}", markup=False)
    for i, tr in enumerate(t["translations"]):
        if tr.get("facts") and not tr["facts"]["faithful"]:  # issue 14: a machine line that drops a fact
            shown = "" if i == 0 else f" -- {tr['text']}"  # the line itself when a human one is shown above
            out.print(f"        unfaithful ({tr['engine']}): missing {', '.join(tr['facts']['missing'])}{shown}",
                      markup=False)


def meta(
    call: str = typer.Argument(..., help="Call id whose source provenance to show or change."),
    set_: List[str] = typer.Option([], "--set", help="key=value (publisher, source_url, published_date, "
                                                       "obtained_date, title, language, notes, authenticity_notes, or any key)."),
    history: bool = typer.Option(False, "--history", help="Show every change."),
    author: Optional[str] = typer.Option(None, help="Who makes the change (default: $LPOST_USER/$USER)."),
    case: Optional[Path] = CaseOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Show or edit provenance; every change is kept in history."""
    from listeningpost.ingest.ingest import env_author
    from listeningpost.ingest.provenance import ProvenanceError, set_provenance
    from listeningpost.store.views import source_dict

    c, call_id = open_call(case, call)
    source_id = c.one(select(tables.calls.c.source_id).where(tables.calls.c.id == call_id))[0]
    if changes := _parse_changes(set_):
        try:
            set_provenance(c, source_id, changes, author or env_author())
        except ProvenanceError as exc:
            fail(str(exc))
    src = source_dict(c.one(select(tables.sources).where(tables.sources.c.id == source_id)))
    hist = _provenance_history(c, source_id)
    if as_json:
        print_json({"call": call_id, "source_id": source_id, "provenance": src["provenance"], "history": hist})
        return
    for key, value in src["provenance"].items():
        out.print(f"{key}: {value if value is not None else ''}", markup=False)
    if history:
        for h in hist:
            out.print(f"{h['at']} {h['author']}: {h['field']} {h['before']!r} -> {h['after']!r}", markup=False)


def _parse_changes(items: List[str]) -> dict[str, str]:
    """``--set key=value`` items as a dict (fails on an item without ``=``)."""
    if (bad := next((item for item in items if "=" not in item), None)) is not None:
        fail(f"--set expects key=value, got {bad!r}")
    return dict(item.split("=", 1) for item in items)


def _provenance_history(c, source_id: int) -> list[dict[str, Any]]:
    """Every provenance edit of the source, oldest first, with before/after decoded."""
    edits = tables.edits
    rows = c.query(select(edits.c.id, edits.c.field, edits.c.before_json, edits.c.after_json, edits.c.author,
                          edits.c.at)
                   .where(edits.c.target_table == "sources", edits.c.target_id == source_id)
                   .order_by(edits.c.id))
    return [{"id": r["id"], "field": r["field"], "author": r["author"], "at": r["at"],
             "before": json.loads(r["before_json"]), "after": json.loads(r["after_json"])} for r in rows]


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(calls)
    app.command()(show)
    app.command()(meta)
