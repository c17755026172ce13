"""`lpost voices`: link speakers across calls by voice; confirm, reject, carry names."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from listeningpost.cliutil import CaseOpt, JsonOpt, fail, open_case, out, print_json

voices_app = typer.Typer(help="Speakers who sound alike across calls (voiceprints and links).",
                         invoke_without_command=True, no_args_is_help=False)


@voices_app.callback()
def voices(ctx: typer.Context,
           threshold: Optional[float] = typer.Option(None, "--threshold", min=0.0, max=1.0,
                                                     help="Cosine similarity to link (default: the case's, 0.84)."),
           case: Optional[Path] = CaseOpt, as_json: bool = JsonOpt) -> None:
    """Make missing voiceprints, re-cluster the case and list voices heard in several calls."""
    if ctx.invoked_subcommand is not None:
        return
    from listeningpost.jobs.cli import run_stages
    from listeningpost.jobs.executors import make_executor
    from listeningpost.voices.store import relink, summary

    c = open_case(case, create=False)
    # the ``voices`` stage over the case, in this process, under the runner lock
    report, = run_stages(c, make_executor("local"), ["voices"], {"voices": {"threshold": threshold}},
                         as_json=as_json, display=out)
    # the stage links the case once it made new prints; with none to make, link here
    result = relink(c, threshold) if not report.done else summary(c)
    result["failed"] = report.errors
    if as_json:
        print_json(result)
        return
    _print_voices(result, report.errors)


def _print_voices(result: dict[str, Any], errors: list[dict[str, Any]]) -> None:
    out.print(f"{result['speakers']} speaker(s) with a voiceprint, {result['links']} link(s)"
              f" at threshold {result['threshold']:.2f}")
    for e in errors:
        out.print(f"  call {e['call']}: {e['error']}", markup=False)
    for i, v in enumerate(result["voices"], 1):
        who = ", ".join(f"call {s['call_id']} {s['label']}" + (f" ({s['name']})" if s["name"] else "")
                        for s in v["speakers"])
        out.print(f"voice {i}: {who}", markup=False)


@voices_app.command("links")
def links(call: str = typer.Argument(..., help="Call id or external id."),
          case: Optional[Path] = CaseOpt, as_json: bool = JsonOpt) -> None:
    """Which other calls each speaker of CALL is linked to, with link ids and scores."""
    from listeningpost.voices.store import links_for_call

    c = open_case(case, create=False)
    data = links_for_call(c, c.resolve_call(call))
    if as_json:
        print_json(data)
        return
    for label, items in sorted(data.items()):
        for it in items:
            out.print(f"{label}: call {it['call_id']} {it['label']}  score {it['score']:.2f}"
                      f"  {it['status']}  (link {it['link_id']})", markup=False)


def decision_command(status: str, doc: str):
    """The command that records one analyst decision (``status``) on a link: confirm and reject."""
    def decide(link_id: int, call: str = typer.Option(..., "--call", help="A call of the link."),
               author: str = typer.Option("cli", "--author"), case: Optional[Path] = CaseOpt) -> None:
        from listeningpost.store.corrections import EditError, decide_voice_link

        c = open_case(case, create=False)
        try:
            edit = decide_voice_link(c, c.resolve_call(call), link_id, status, author)
        except EditError as exc:
            fail(str(exc))
        out.print(f"link {link_id} {status} (edit {edit})")

    decide.__doc__ = doc
    return decide


voices_app.command("confirm")(decision_command("confirmed", "Confirm a link: kept whatever the threshold."))
voices_app.command("reject")(decision_command("rejected", "Reject a link: never made again by re-linking."))


@voices_app.command("name")
def name(call: str, label: str, speaker_name: str = typer.Argument(..., metavar="NAME"),
         carry: bool = typer.Option(False, "--carry", help="Also name the speakers this voice is linked to."),
         author: str = typer.Option("cli", "--author"), case: Optional[Path] = CaseOpt) -> None:
    """Name speaker LABEL of CALL (history kept); --carry gives the name to linked speakers."""
    from listeningpost.store.corrections import EditError, carry_speaker_name, rename_speaker

    c = open_case(case, create=False)
    call_id = c.resolve_call(call)
    try:
        rename_speaker(c, call_id, label, speaker_name, author)
    except EditError as exc:
        if "nothing changed" not in str(exc):
            fail(str(exc))
    carried = carry_speaker_name(c, call_id, label, author) if carry else []
    out.print(f"call {call_id} {label} = {speaker_name}" + (f"; carried to {len(carried)} speaker(s)" if carry else ""))


def register(app: typer.Typer) -> None:
    app.add_typer(voices_app, name="voices")
