"""Progress bars for the command line, shared by every CLI that drives the job runner
(`lpost process`, `lpost retry`, `lpost eval`)."""

from __future__ import annotations

from typing import Any


class StageProgress:
    """Rich progress bars with ETA, one per stage; a callable for the runner (``on_progress``)."""

    def __init__(self, console, disabled: bool):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("eta"), TimeRemainingColumn(), console=console,
                                 disable=disabled or not console.is_terminal)
        self.tasks: dict[str, Any] = {}

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total or None)
        self.progress.update(self.tasks[stage], completed=done, total=total or None)
