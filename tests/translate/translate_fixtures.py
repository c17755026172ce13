"""Translation test helpers (not a conftest: tests import it by this unique name): ``add_call``
builds a call straight through the store; ``ScriptedEngine`` stands in for a model."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import insert

from listeningpost.records import Turn
from listeningpost.store import tables
from listeningpost.store.case import Case, now
from listeningpost.store.layers import replace_turns
from listeningpost.translate.engines import Segment, TranslationEngine, register_engine

def _add_call(case: Case, turns: list[Turn], name: str = "call.json", media: Path | None = None,
             language: str = "ru") -> int:
    """Insert a source + call and its turns; with ``media`` the file is archived as the call audio."""
    data = media.read_bytes() if media else name.encode()
    sha = hashlib.sha256(data).hexdigest()
    rel = f"archive/{sha[:2]}/{sha}{media.suffix if media else '.json'}"
    if media:
        (case.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (case.root / rel).write_bytes(data)
    with case.transaction() as db:
        src = db.execute(insert(tables.sources).values(
            sha256=sha, original_name=name, archive_path=rel, size=len(data), kind="audio" if media else "transcript",
            format=media.suffix[1:] if media else "json", added_at=now())).lastrowid
        call_id = db.execute(insert(tables.calls).values(source_id=src, idx=0, language=language,
                                                         has_media=int(media is not None), created_at=now())).lastrowid
        replace_turns(case, call_id, turns, None, "asr" if media else "import")
    return call_id


@pytest.fixture
def add_call():
    return _add_call


@register_engine("scripted-test")
class ScriptedEngine(TranslationEngine):
    """Upper-cases the input; raises on any segment containing BOOM; records every batch it sees."""

    name = "scripted-test"
    batch_size = 4
    calls: list[list[str]] = []

    def __init__(self, model=None, **_):
        super().__init__(model or "scripted-v1")

    def translate(self, segments: list[Segment]) -> list[str]:
        ScriptedEngine.calls.append([s.text for s in segments])
        if any("BOOM" in s.text for s in segments):
            raise RuntimeError("engine crashed")
        return [f"EN[{s.text}]" for s in segments]


@register_engine("slow-test")
class SlowEngine(ScriptedEngine):
    """The scripted engine at 20 ms a turn, so a run can be killed half way (resume tests)."""

    name = "slow-test"

    def translate(self, segments: list[Segment]) -> list[str]:
        import time

        time.sleep(0.02 * len(segments))
        return super().translate(segments)
