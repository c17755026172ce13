"""`lpost context CALL`: reference loss figures beside a call's claims; `lpost reference import|list`:
newer reference series stored in the case."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from listeningpost.cliutil import CaseOpt, JsonOpt, fail, open_call, open_case, out, print_json


def context(call: str = typer.Argument(..., help="Call id or external id."),
            case: Optional[Path] = CaseOpt, as_json: bool = JsonOpt) -> None:
    """Show reference loss figures for the call's date beside each casualty/equipment claim."""
    from listeningpost.context.claims import context_for_call

    data = context_for_call(*open_call(case, call))
    if as_json:
        print_json(data)
        return
    out.print(f"call {data['call_id']}  date {data['date'] or '(undated)'}")
    for cl in data["claims"]:
        count = "" if cl["count"] is None else f" {cl['count']}"
        out.print(f"  [{cl['type']}{count}] {cl['quote']}\n    {cl['line']}")
    if not data["claims"]:
        out.print("  no killed, wounded or equipment claims")


reference = typer.Typer(help="Reference loss series beside the claims (General Staff, Oryx).", no_args_is_help=True)


@reference.command("import")
def reference_import(
    file: Path = typer.Argument(..., help="CSV or JSON of the same shape as the shipped General Staff series."),
    kind: str = typer.Option(..., "--kind", help="personnel or equipment."),
    source: Optional[str] = typer.Option(None, "--source", help="Source name shown beside each figure."),
    case: Optional[Path] = CaseOpt, as_json: bool = JsonOpt,
) -> None:
    """Load a newer series into the case; from its first date on it replaces the shipped one."""
    from listeningpost.context.imports import ReferenceImportError, import_file

    c = open_case(case, create=False)
    try:
        got = import_file(c, file, kind, source)
    except ReferenceImportError as exc:
        fail(f"{exc} (nothing was loaded)")
    if as_json:
        print_json(got)
    elif got["already"]:
        out.print(f"already imported as import {got['import_id']} ({got['source']}): nothing added")
    else:
        out.print(f"import {got['import_id']}: {got['added']} rows, {got['first_date']} … {got['last_date']},"
                  f" categories {', '.join(got['categories'])} ({got['source']})")


@reference.command("list")
def reference_list(case: Optional[Path] = CaseOpt, as_json: bool = JsonOpt) -> None:
    """The reference series imported into the case."""
    from listeningpost.context.imports import list_imports

    rows = list_imports(open_case(case, create=False))
    if as_json:
        print_json(rows)
        return
    for r in rows:
        out.print(f"{r['id']}  {r['kind']}  {r['first_date']} … {r['last_date']}  {r['row_count']} rows"
                  f"  {r['source']}  ({r['file_name']}, {r['imported_at']})")
    if not rows:
        out.print("no imported reference series (the shipped ones are used)")


def register(app: typer.Typer) -> None:
    app.command()(context)
    app.add_typer(reference, name="reference")
