"""`lpost`: the command line. Core commands live here; each stage package may add its own
commands in ``listeningpost/<stage>/cli.py`` through a ``register(app)`` function."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console

from listeningpost.plugins import import_optional
from listeningpost.store.case import Case, CaseError, default_case_dir

app = typer.Typer(
    help="Listening Post: turn intercepted-call recordings and transcripts into searchable, cited evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
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


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, code: int = 2) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


# Stage packages add their commands (speech: models, translate, analyze, search, web: serve/users,
# export). Imported lazily so `lpost --help` stays fast and a missing optional extra doesn't break it.
PLUGIN_MODULES = (
    "listeningpost.ingest.cli",
    "listeningpost.jobs.cli",
    "listeningpost.speech.cli",
    "listeningpost.translate.cli",
    "listeningpost.analyze.cli",
    "listeningpost.search.cli",
    "listeningpost.web.cli",
    "listeningpost.export.cli",
    "listeningpost.evaluation.cli",
    "listeningpost.scale.cli",
    "listeningpost.context.cli",
    "listeningpost.voices.cli",
)


def _register_plugins() -> None:
    for name in PLUGIN_MODULES:
        module = import_optional(name)
        if module is not None:
            module.register(app)


_register_plugins()


def main() -> None:  # pragma: no cover - entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
