"""`lpost migrate` (SQLite case -> PostgreSQL) and the global ``lpost --db URL`` option."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from listeningpost.cliutil import JsonOpt, console, fail, out, print_json


def main(
    db: Optional[str] = typer.Option(
        None, "--db", envvar="LPOST_DB",
        help="Keep the case in PostgreSQL (postgresql://USER@HOST/DB); the case folder keeps the archive.",
    ),
) -> None:
    if db:
        # every command opens its case through Case.open, which reads LPOST_DB
        os.environ["LPOST_DB"] = db


def migrate(
    source: Path = typer.Option(..., "--from", help="SQLite case folder to copy."),
    to: str = typer.Option(..., "--to", help="Empty PostgreSQL database: postgresql://USER@HOST/DB."),
    as_json: bool = JsonOpt,
) -> None:
    """Copy a case into PostgreSQL without loss (row counts and checksums compared per table)."""
    from listeningpost.scale import pg
    from listeningpost.scale.migrate import MigrateError, migrate_case
    from listeningpost.store.case import CaseError

    if not pg.is_db_url(to):
        fail(f"--to must be a postgresql:// URL, got {to!r}")
    try:
        report = migrate_case(source, to, on_table=lambda t, n: console.print(f"copied {t}: {n} rows"))
    except (MigrateError, CaseError) as exc:
        fail(str(exc))
    except ImportError:
        fail("PostgreSQL support needs `pip install listeningpost[postgres]`")
    data = report.as_dict()
    if as_json:
        print_json(data)
    else:
        for t in data["tables"]:
            mark = "ok" if t["ok"] else "[red]MISMATCH[/red]"
            out.print(f"{t['table']:<24} {t['source_rows']:>9} -> {t['copied_rows']:>9}  {mark}")
        out.print(f"{data['rows']} rows copied and verified" if report.ok else "[red]verification failed[/red]")
        if report.ok:
            out.print(f"use it with: lpost --db '{to}' COMMAND --case {source}  (or set LPOST_DB)", markup=False)
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    if app.registered_callback is None:
        app.callback()(main)
    app.command()(migrate)
