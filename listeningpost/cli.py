"""`lpost`: the command line. Each stage package adds its commands in ``listeningpost/<stage>/cli.py``:
module-level command functions (sub-command groups on a module-level ``typer.Typer``) that a short
``register(app)`` adds to this app. The options and helpers they share are in ``listeningpost/cliutil.py``
(re-exported here)."""

from __future__ import annotations

import typer

from listeningpost.cliutil import CaseOpt, JsonOpt, console, fail, open_case, out, print_json
from listeningpost.plugins import import_optional

__all__ = ["app", "CaseOpt", "JsonOpt", "console", "out", "open_case", "print_json", "fail", "main"]

app = typer.Typer(
    help="Listening Post: turn intercepted-call recordings and transcripts into searchable, cited evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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


for _name in PLUGIN_MODULES:
    if (_module := import_optional(_name)) is not None:
        _module.register(app)


def main() -> None:  # pragma: no cover - entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
