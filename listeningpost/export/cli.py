"""`lpost export` and `lpost redaction` (analyst marks and the case's redaction default)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from sqlalchemy import delete, select

from listeningpost.cliutil import CaseOpt, JsonOpt, console, fail, open_case, print_json
from listeningpost.store import tables


def export_cmd(
    calls: List[str] = typer.Argument(None, help="Call ids or external ids."),
    fmt: str = typer.Option(..., "--format", "-f", help="srt, vtt, json, csv, html, pdf, docx, audio (.wav),"
                                  " or a registered plugin format (docs/extending.md)."),
    output: Path = typer.Option(..., "-o", "--output", help="Output file (csv: a folder of tables)."),
    query: Optional[str] = typer.Option(None, "--query", "-q", help="Add the calls matching this search."),
    all_calls: bool = typer.Option(False, "--all", help="Every call of the case."),
    lang: str = typer.Option("both", "--lang", help="Subtitles: orig, en or both."),
    redact: Optional[bool] = typer.Option(None, "--redact/--no-redact",
                                          help="Redact personal data (default: the case setting)."),
    speakers: bool = typer.Option(False, "--speakers", help="Subtitles: label speakers."),
    user: Optional[str] = typer.Option(None, "--user", help="Name recorded in the audit log."),
    case: Optional[Path] = CaseOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Export calls as subtitles, a report (HTML/PDF/DOCX), data (JSON/CSV) or bleeped audio."""
    from listeningpost.export.run import ExportError, ExportOptions, describe, export
    from listeningpost.store.case import CaseError

    c = open_case(case)
    try:
        ids = [c.resolve_call(x) for x in calls or []]
        if all_calls:
            ids = sorted(set(ids) | {r[0] for r in c.query(select(tables.calls.c.id))})
        result = export(c, ExportOptions(format=fmt, output=output, call_ids=ids, query=query, lang=lang,
                                         redact=redact, speakers=speakers, user=user))
    except (ExportError, CaseError, ValueError, RuntimeError) as exc:
        fail(str(exc))
    if as_json:
        print_json(describe(result))
    else:
        console.print(f"wrote {result.path} ({result.format}, {len(result.calls)} call(s)"
                      f"{', redacted' if result.redacted else ''})")


red = typer.Typer(help="Redaction marks and the case's default for exports.", no_args_is_help=True)


@red.command("mark")
def mark_cmd(
    text: Optional[str] = typer.Option(None, "--text", help="Redact every occurrence of this text."),
    field: Optional[str] = typer.Option(None, "--field", help="Redact a whole field: TABLE:ID:COLUMN."),
    call: Optional[str] = typer.Option(None, "--call", help="Only in this call (default: every call)."),
    kind: str = typer.Option("REDACTED", "--kind", help="Placeholder type: PERSON, PHONE, ADDRESS, REDACTED..."),
    author: str = typer.Option("cli", "--author"),
    case: Optional[Path] = CaseOpt,
) -> None:
    """Mark text or a field for redaction in every export."""
    from listeningpost.export.redact import add_mark

    if bool(text) == bool(field):
        fail("give --text or --field")
    c = open_case(case)
    target = None
    if field:
        parts = field.split(":")
        if len(parts) != 3 or not parts[1].isdigit():
            fail("--field is TABLE:ID:COLUMN, e.g. turns:12:text")
        target = (parts[0], int(parts[1]), parts[2])
    try:
        mark_id = add_mark(c, author=author, kind=kind, text=text, target=target,
                           call_id=c.resolve_call(call) if call else None)
    except ValueError as exc:
        fail(str(exc))
    console.print(f"mark {mark_id} added")


@red.command("list")
def list_cmd(case: Optional[Path] = CaseOpt, as_json: bool = JsonOpt) -> None:
    """List redaction marks."""
    from listeningpost.export.redact import DEFAULT_SETTING

    c = open_case(case)
    rows = [dict(r) for r in c.query(select(tables.redaction_marks).order_by(tables.redaction_marks.c.id))]
    if as_json:
        print_json({"default": bool(c.setting(DEFAULT_SETTING, False)), "marks": rows})
        return
    console.print(f"redact exports by default: {'yes' if c.setting(DEFAULT_SETTING, False) else 'no'}")
    for r in rows:
        what = repr(r["text"]) if r["text"] else f"{r['target_table']}:{r['target_id']}:{r['field']}"
        console.print(f"{r['id']}: [{r['kind']}] {what} call={r['call_id'] or 'all'} by {r['author']}")


@red.command("remove")
def remove_cmd(mark_id: int, case: Optional[Path] = CaseOpt) -> None:
    """Remove a redaction mark."""
    c = open_case(case)
    with c.transaction():
        c.db.execute(delete(tables.redaction_marks).where(tables.redaction_marks.c.id == mark_id))


@red.command("default")
def default_cmd(state: str = typer.Argument(..., help="on or off"), case: Optional[Path] = CaseOpt) -> None:
    """Set whether exports of this case are redacted unless --no-redact is given."""
    from listeningpost.export.redact import DEFAULT_SETTING
    from listeningpost.store import audit

    if state not in ("on", "off"):
        fail("state is on or off")
    c = open_case(case)
    with c.transaction():
        before = c.setting(DEFAULT_SETTING)
        c.set_setting(DEFAULT_SETTING, state == "on")
        # same history as a change made on the web settings page
        audit.log(c, None, audit.SETTINGS_CHANGE, f"setting:{DEFAULT_SETTING}", {"before": before, "after": state == "on"})
    console.print(f"redact exports by default: {state}")


def register(app: typer.Typer) -> None:
    app.command("export")(export_cmd)
    app.add_typer(red, name="redaction")
