"""Writing and reading a call's layers (turns, words, translations) and the edit history.

Rule every writer follows: rows an analyst touched (``edited = 1`` or ``status != 'machine'``) are
never deleted or overwritten by a stage. Stages call these helpers inside ``case.transaction()``.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from sqlalchemy import bindparam, delete, func, insert, select, update

from listeningpost.records import Turn
from listeningpost.store.case import Case, now
from listeningpost.store.sql import insert_ignore
from listeningpost.store.tables import edits, runs, speakers, translations, turns, words


def _overlaps(turn: Turn, kept: list[tuple[float | None, float | None]]) -> bool:
    if turn.start is None or turn.end is None:
        return False
    return any(s is not None and e is not None and turn.start < e and s < turn.end for s, e in kept)


def replace_turns(case: Case, call_id: int, new_turns: Iterable[Turn], run_id: int | None, origin: str) -> list[int]:
    """Replace a call's machine turns with ``new_turns``; edited turns stay, and new turns that overlap
    an edited turn in time are dropped (the analyst's version wins). Returns the new turn ids."""
    with case.transaction():  # joins the caller's; the new ids are read back below
        kept = case.query(select(turns.c.start_s, turns.c.end_s)
                          .where(turns.c.call_id == call_id, turns.c.edited == 1).order_by(turns.c.idx))
        kept_spans = [(r["start_s"], r["end_s"]) for r in kept]
        case.db.execute(delete(turns).where(turns.c.call_id == call_id, turns.c.edited == 0))
        adding = [t for t in new_turns
                  if not (kept and (_overlaps(t, kept_spans) or all(s is None for s, _ in kept_spans)))]
        new_ids = _insert_machine_turns(case, call_id, adding, run_id, origin)
        renumber_turns(case, call_id)
        labels = case.query(select(turns.c.speaker).distinct().where(turns.c.call_id == call_id))
        add_speakers(case, call_id, sorted(r["speaker"] for r in labels if r["speaker"]))
    return new_ids


def _turn_values(call_id: int, turn: Turn, run_id: int | None, origin: str, idx: int) -> dict[str, Any]:
    return {
        "call_id": call_id, "idx": idx, "speaker": turn.speaker, "start_s": turn.start, "end_s": turn.end,
        "language": turn.language, "language_prob": turn.language_prob, "text": turn.text,
        "avg_logprob": turn.avg_logprob, "no_speech_prob": turn.no_speech_prob,
        "low_confidence": int(turn.low_confidence), "origin": origin, "run_id": run_id,
        "data_json": json.dumps(turn.data, ensure_ascii=False) if turn.data else None,
    }


def _insert_machine_turns(case: Case, call_id: int, new_turns: list[Turn], run_id: int | None, origin: str) -> list[int]:
    """All turns in one statement, then their words and translations. The call has no unedited turn
    left (``replace_turns`` deleted them), and ids grow in insertion order on both databases, so the
    call's unedited turns by id are the new ones in order."""
    if not new_turns:
        return []
    case.db.executemany(insert(turns), [_turn_values(call_id, t, run_id, origin, 0) for t in new_turns])
    ids = [r[0] for r in case.query(select(turns.c.id).where(turns.c.call_id == call_id, turns.c.edited == 0)
                                    .order_by(turns.c.id))]
    if len(ids) != len(new_turns):
        raise RuntimeError(f"call {call_id}: {len(ids)} machine turns after inserting {len(new_turns)}")
    _insert_turn_layers(case, list(zip(ids, new_turns)), run_id)
    return ids


def _insert_turn_layers(case: Case, inserted: list[tuple[int, Turn]], run_id: int | None) -> None:
    """Words and supplied human translations of freshly inserted turns."""
    case.db.executemany(insert(words), [
        {"turn_id": turn_id, "idx": i, "start_s": w.start, "end_s": w.end, "text": w.text, "probability": w.probability}
        for turn_id, turn in inserted for i, w in enumerate(turn.words)])
    at = now()
    case.db.executemany(insert(translations), [
        {"turn_id": turn_id, "lang": lang, "engine": "human", "model": None, "text": text, "flags_json": "[]",
         "run_id": run_id, "created_at": at}
        for turn_id, turn in inserted for lang, text in turn.translations.items() if text])


def insert_turn(case: Case, call_id: int, turn: Turn, run_id: int | None, origin: str, idx: int) -> int:
    turn_id = case.db.execute(insert(turns).values(**_turn_values(call_id, turn, run_id, origin, idx))).lastrowid
    _insert_turn_layers(case, [(turn_id, turn)], run_id)
    return turn_id


def add_speakers(case: Case, call_id: int, labels: Iterable[str]) -> None:
    """Speaker rows for ``labels`` of a call (those already there are kept, with their names)."""
    case.db.executemany(insert_ignore(case.db, speakers), [{"call_id": call_id, "label": label} for label in labels])


def renumber_turns(case: Case, call_id: int) -> None:
    """Order turns by start time where every turn has one, else by insertion order."""
    untimed = case.one(select(func.count().label("n")).select_from(turns)
                       .where(turns.c.call_id == call_id, turns.c.start_s.is_(None)))["n"]
    order = (turns.c.idx, turns.c.id) if untimed else (turns.c.start_s, turns.c.idx, turns.c.id)
    rows = case.query(select(turns.c.id, turns.c.idx).where(turns.c.call_id == call_id).order_by(*order))
    case.db.executemany(update(turns).where(turns.c.id == bindparam("turn_id")).values(idx=bindparam("new_idx")),
                        [{"turn_id": r["id"], "new_idx": i} for i, r in enumerate(rows) if r["idx"] != i])


def turn_ids(case: Case, call_id: int) -> set[int]:
    """Ids of a call's turns."""
    return {r[0] for r in case.query(select(turns.c.id).where(turns.c.call_id == call_id))}


def call_turns(case: Case, call_id: int, with_words: bool = False) -> list[dict[str, Any]]:
    out = [dict(r) for r in case.query(select(turns).where(turns.c.call_id == call_id).order_by(turns.c.idx))]
    if with_words and out:
        by_turn: dict[int, list] = {}
        for w in case.query(select(words).join(turns, turns.c.id == words.c.turn_id)
                            .where(turns.c.call_id == call_id).order_by(words.c.turn_id, words.c.idx)):
            by_turn.setdefault(w["turn_id"], []).append(
                {"text": w["text"], "start": w["start_s"], "end": w["end_s"], "probability": w["probability"]}
            )
        for t in out:
            t["words"] = by_turn.get(t["id"], [])
    return out


def record_edit(case: Case, *, author: str, target_table: str, target_id: int | None, action: str,
                field: str | None = None, before: Any = None, after: Any = None, call_id: int | None = None,
                source_id: int | None = None) -> int:
    return case.db.execute(insert(edits).values(
        call_id=call_id, source_id=source_id, target_table=target_table, target_id=target_id, action=action,
        field=field, before_json=json.dumps(before, ensure_ascii=False), after_json=json.dumps(after, ensure_ascii=False),
        author=author, at=now())).lastrowid


def start_run(case: Case, stage: str, settings: dict[str, Any]) -> int:
    return case.db.execute(insert(runs).values(
        stage=stage, engine=str(settings.get("engine", "")), model=settings.get("model"),
        settings_json=json.dumps(settings, ensure_ascii=False, sort_keys=True, default=str),
        started_at=now())).lastrowid


def finish_run(case: Case, run_id: int, status: str, error: str | None = None) -> None:
    case.db.execute(update(runs).where(runs.c.id == run_id).values(finished_at=now(), status=status, error=error))
