"""`lpost translate` (stream turns through an engine with a progress bar) and `lpost glossary`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from listeningpost.cliutil import CaseOpt, JsonOpt, console, fail, open_case, out, print_json


def register(app: typer.Typer) -> None:
    from listeningpost.translate import models  # noqa: F401  (registers translation models for `lpost models`)

    app.command()(translate)
    app.command()(glossary)


def translate(
    engine: Optional[str] = typer.Option(None, help="llm (default, offline draft), nmt, whisper."),
    model: Optional[str] = typer.Option(None, help="Model name from `lpost models list`, or a path."),
    call: List[str] = typer.Option([], "--call", help="Only these calls (repeatable)."),
    batch: int = typer.Option(32, help="Turns read, translated and committed together (bounds memory)."),
    skip_human: bool = typer.Option(False, "--skip-human", help="Skip turns that have a human translation."),
    force: bool = typer.Option(False, help="Translate again turns this engine already did (cache still used)."),
    case: Optional[Path] = CaseOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Translate turns to English, streaming: each batch is committed as it finishes, so a stopped
    run resumes where it was. Analyst-edited translations are never overwritten."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from listeningpost.translate.stream import translate_case

    c = open_case(case)
    call_ids = [c.resolve_call(x) for x in call] or None
    columns = (TextColumn("translate"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=console, disable=as_json) as progress:
            task = progress.add_task("translate", total=None)
            report = translate_case(
                c, engine=engine, model=model, call_ids=call_ids, batch=batch, skip_human=skip_human,
                only_missing=not force,
                on_total=lambda n: progress.update(task, total=n),
                on_advance=lambda n: progress.advance(task, n),
            )
    except ValueError as exc:
        fail(str(exc))
    if as_json:
        print_json(report)
    else:
        out.print(f"{report['translated']} turn(s) translated ({report['cached']} from cache), "
                  f"{report['failed']} failed, {report['glossary_miss']} flagged glossary_miss"
                  f" [engine {report['engine']}, model {report['model']}]")
    if report["failed"]:
        raise typer.Exit(1)


def glossary(
    text: Optional[str] = typer.Argument(None, help="Show the glossary terms found in this text."),
    as_json: bool = JsonOpt,
) -> None:
    """The military glossary the translation enforces (or the terms found in TEXT)."""
    from listeningpost.translate.glossary import default_glossary

    g = default_glossary()
    if text is not None:
        rows = [{"source": m.text, "start": m.start, "end": m.end, "term": m.term.id, "en": m.term.en,
                 "note": m.term.note} for m in g.find(text)]
    else:
        rows = [{"term": t.id, "category": t.cat, "en": t.en, "forms": list(t.forms) + list(t.abbr),
                 "note": t.note, "source": t.src} for t in g.terms]
    if as_json:
        print_json(rows)
        return
    for r in rows:
        out.print(f"{r.get('source') if text is not None else r['term']}\t{r['en']}\t{r.get('note') or ''}",
                  markup=False)
