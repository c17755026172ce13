"""What every ``lpost`` command module shares: the ``--case`` and ``--json`` options, the two
consoles, opening the case, printing JSON and failing with a message.

It lives apart from ``listeningpost/cli.py`` so the stage command modules (``<stage>/cli.py``) can
import it at module level, while ``cli.py`` imports them (lazily, by name) to add their commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console

from listeningpost.store.case import Case, CaseError, default_case_dir

console = Console(stderr=True)
out = Console(soft_wrap=True, highlight=False)

CaseOpt = typer.Option(None, "--case", help="Case folder (default: $LPOST_CASE or ./case).", envvar="LPOST_CASE")
JsonOpt = typer.Option(False, "--json", help="Print machine-readable JSON.")


def open_case(case: Optional[Path], create: bool = False) -> Case:
    try:
        return Case.open(case if case is not None else default_case_dir(), create=create)
    except CaseError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2)


def open_call(case: Optional[Path], call: str) -> tuple[Case, int]:
    """The case and the id of CALL (an id or an external id); a clear error when there is none."""
    c = open_case(case)
    try:
        return c, c.resolve_call(call)
    except CaseError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, code: int = 2) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)
