"""`lpost context CALL`: reference loss figures beside a call's claims."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    from listeningpost.cli import CaseOpt, JsonOpt, open_case, out, print_json

    @app.command()
    def context(call: str = typer.Argument(..., help="Call id or external id."),
                case: Optional[Path] = CaseOpt, as_json: bool = JsonOpt) -> None:
        """Show reference loss figures for the call's date beside each casualty/equipment claim."""
        from listeningpost.context.claims import context_for_call

        c = open_case(case, create=False)
        data = context_for_call(c, c.resolve_call(call))
        if as_json:
            print_json(data)
            return
        out.print(f"call {data['call_id']}  date {data['date'] or '(undated)'}")
        for cl in data["claims"]:
            ref = cl["reference"]
            fig = (f"reference {ref['date']}: daily {ref['daily']}, cumulative {ref['cumulative']} ({ref['source']})"
                   if ref else "no reference figure for this date")
            out.print(f"  [{cl['type']} {cl['count']}] {cl['quote']}\n    {fig}")
