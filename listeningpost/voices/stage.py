"""Stage "voices": a voiceprint per speaker of every call with audio, then the case is re-linked.

`lpost process` runs it after speech (`--stages voices` alone, `--opt voices.threshold=0.8`).
A call whose speakers' turn spans are unchanged since its prints were made is skipped (resumable);
analyst decisions on links survive (see ``store.relink``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from listeningpost.pipeline import Stage, register
from listeningpost.store.case import Case
from listeningpost.store.tables import calls, sources, turns
from listeningpost.voices import store
from listeningpost.voices.prints import ENGINE, Voiceprint, spans_hash, speaker_prints


@dataclass
class VoicesItem:
    call_id: int
    path: str | None
    offset: float
    spans: dict[str, list[tuple[float, float]]]
    turns_hash: str
    unchanged: bool = False
    prints: list[Voiceprint] = field(default_factory=list)


def speaker_spans(case: Case, call_id: int) -> dict[str, list[tuple[float, float]]]:
    spans: dict[str, list[tuple[float, float]]] = {}
    t = turns
    for r in case.query(select(t.c.speaker, t.c.start_s, t.c.end_s)
                        .where(t.c.call_id == call_id, t.c.speaker.is_not(None), t.c.start_s.is_not(None),
                               t.c.end_s.is_not(None)).order_by(t.c.idx)):
        spans.setdefault(r["speaker"], []).append((float(r["start_s"]), float(r["end_s"])))
    return spans


class VoicesStage(Stage):
    name = "voices"
    requires = ("speech",)

    # threshold None: the case's (set by `lpost voices --threshold`, else the default)
    def __init__(self, threshold: float | None = None):
        self.threshold = None if threshold is None else float(threshold)

    def settings(self) -> dict[str, Any]:
        return {"engine": ENGINE, "threshold": self.threshold}

    def applies_to(self, case: Case, call_id: int) -> bool:
        row = case.one(select(calls.c.has_media).where(calls.c.id == call_id))
        return bool(row and row["has_media"]) and bool(speaker_spans(case, call_id))

    def load(self, case: Case, call_id: int) -> VoicesItem:
        call = case.one(select(calls.c.start_s, sources.c.archive_path)
                        .join(sources, sources.c.id == calls.c.source_id).where(calls.c.id == call_id))
        spans = speaker_spans(case, call_id)
        turns_hash = spans_hash(spans)
        # unchanged turns since the prints were made: nothing to do (a call whose speakers were all
        # too short has no prints and is simply tried again)
        unchanged = store.stored_hashes(case, call_id) == {turns_hash}
        return VoicesItem(call_id, str(case.archive_file(call)), call["start_s"] or 0.0, spans, turns_hash, unchanged)

    def compute(self, item: VoicesItem) -> VoicesItem:
        if not item.unchanged:
            item.prints = speaker_prints(item.path, item.offset, item.spans, item.call_id)
        return item

    def save(self, case: Case, call_id: int, result: VoicesItem, run_id: int) -> None:
        if not result.unchanged:
            store.save_prints(case, call_id, result.prints, result.turns_hash, run_id)

    def after_run(self, case: Case) -> None:
        store.relink(case, self.threshold)


@register("voices")
def voices_stage(threshold: float | None = None) -> VoicesStage:
    return VoicesStage(threshold)
