"""Progress bars for the command line, shared by every CLI that drives the job runner
(`lpost process`, `lpost retry`, `lpost eval`)."""

from __future__ import annotations

from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


class StageProgress(Progress):
    """Rich progress bars with ETA, one per stage; a callable for the runner (``on_progress``)."""

    def __init__(self, console, disabled: bool):
        super().__init__(TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(),
                         TextColumn("eta"), TimeRemainingColumn(), console=console,
                         disable=disabled or not console.is_terminal)
        self.stage_tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.stage_tasks:
            self.stage_tasks[stage] = self.add_task(stage, total=total or None)
        self.update(self.stage_tasks[stage], completed=done, total=total or None)
