"""Writing and reading a call's layers (turns, words, translations) and the edit history.

Rule every writer follows: rows an analyst touched (``edited = 1`` or ``status != 'machine'``) are
never deleted or overwritten by a stage. Stages call these helpers inside ``case.transaction()``.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from listeningpost.records import Turn
from listeningpost.store.case import Case, now


def _overlaps(turn: Turn, kept: list[tuple[float | None, float | None]]) -> bool:
    if turn.start is None or turn.end is None:
        return False
    for start, end in kept:
        if start is not None and end is not None and turn.start < end and start < turn.end:
            return True
    return False


def replace_turns(case: Case, call_id: int, turns: Iterable[Turn], run_id: int | None, origin: str) -> list[int]:
    """Replace a call's machine turns with ``turns``; edited turns stay, and new turns that overlap
    an edited turn in time are dropped (the analyst's version wins). Returns the new turn ids."""
    db = case.db
    kept = db.execute(
        "SELECT id, start_s, end_s FROM turns WHERE call_id=? AND edited=1 ORDER BY idx", (call_id,)
    ).fetchall()
    kept_spans = [(r["start_s"], r["end_s"]) for r in kept]
    db.execute("DELETE FROM turns WHERE call_id=? AND edited=0", (call_id,))
    new_ids = []
    for turn in turns:
        if kept and (_overlaps(turn, kept_spans) or all(s is None for s, _ in kept_spans)):
            continue
        new_ids.append(insert_turn(case, call_id, turn, run_id, origin, idx=0))
    renumber_turns(case, call_id)
    speakers = {t["speaker"] for t in db.execute("SELECT DISTINCT speaker FROM turns WHERE call_id=?", (call_id,))}
    for label in sorted(s for s in speakers if s):
        db.execute("INSERT OR IGNORE INTO speakers(call_id, label) VALUES (?, ?)", (call_id, label))
    return new_ids


def insert_turn(case: Case, call_id: int, turn: Turn, run_id: int | None, origin: str, idx: int) -> int:
    db = case.db
    cur = db.execute(
        "INSERT INTO turns(call_id, idx, speaker, start_s, end_s, language, language_prob, text, avg_logprob,"
        " no_speech_prob, low_confidence, origin, run_id, data_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            call_id, idx, turn.speaker, turn.start, turn.end, turn.language, turn.language_prob, turn.text,
            turn.avg_logprob, turn.no_speech_prob, int(turn.low_confidence), origin, run_id,
            json.dumps(turn.data, ensure_ascii=False) if turn.data else None,
        ),
    )
    turn_id = cur.lastrowid
    if turn.words:
        db.executemany(
            "INSERT INTO words(turn_id, idx, start_s, end_s, text, probability) VALUES (?,?,?,?,?,?)",
            [(turn_id, i, w.start, w.end, w.text, w.probability) for i, w in enumerate(turn.words)],
        )
    for lang, text in turn.translations.items():
        if text:
            db.execute(
                "INSERT INTO translations(turn_id, lang, engine, model, text, flags_json, run_id, created_at)"
                " VALUES (?, ?, 'human', NULL, ?, '[]', ?, ?)",
                (turn_id, lang, text, run_id, now()),
            )
    return turn_id


def renumber_turns(case: Case, call_id: int) -> None:
    """Order turns by start time where known, else by insertion order."""
    rows = case.db.execute(
        "SELECT id FROM turns WHERE call_id=? ORDER BY CASE WHEN start_s IS NULL THEN 1 ELSE 0 END, start_s, idx, id",
        (call_id,),
    ).fetchall()
    has_times = case.one("SELECT COUNT(*) FROM turns WHERE call_id=? AND start_s IS NULL", (call_id,))[0] == 0
    if not has_times:
        rows = case.db.execute("SELECT id FROM turns WHERE call_id=? ORDER BY idx, id", (call_id,)).fetchall()
    case.db.executemany("UPDATE turns SET idx=? WHERE id=?", [(i, r[0]) for i, r in enumerate(rows)])


def call_turns(case: Case, call_id: int, with_words: bool = False) -> list[dict[str, Any]]:
    rows = case.query("SELECT * FROM turns WHERE call_id=? ORDER BY idx", (call_id,))
    turns = [dict(r) for r in rows]
    if with_words and turns:
        words: dict[int, list] = {}
        for w in case.query(
            "SELECT w.* FROM words w JOIN turns t ON t.id=w.turn_id WHERE t.call_id=? ORDER BY w.turn_id, w.idx",
            (call_id,),
        ):
            words.setdefault(w["turn_id"], []).append(
                {"text": w["text"], "start": w["start_s"], "end": w["end_s"], "probability": w["probability"]}
            )
        for t in turns:
            t["words"] = words.get(t["id"], [])
    return turns


def record_edit(
    case: Case,
    *,
    author: str,
    target_table: str,
    target_id: int | None,
    action: str,
    field: str | None = None,
    before: Any = None,
    after: Any = None,
    call_id: int | None = None,
    source_id: int | None = None,
) -> int:
    cur = case.db.execute(
        "INSERT INTO edits(call_id, source_id, target_table, target_id, action, field, before_json, after_json, author, at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            call_id, source_id, target_table, target_id, action, field,
            json.dumps(before, ensure_ascii=False), json.dumps(after, ensure_ascii=False), author, now(),
        ),
    )
    return cur.lastrowid


def start_run(case: Case, stage: str, settings: dict[str, Any]) -> int:
    cur = case.db.execute(
        "INSERT INTO runs(stage, engine, model, settings_json, started_at) VALUES (?,?,?,?,?)",
        (stage, str(settings.get("engine", "")), settings.get("model"),
         json.dumps(settings, ensure_ascii=False, sort_keys=True, default=str), now()),
    )
    return cur.lastrowid


def finish_run(case: Case, run_id: int, status: str, error: str | None = None) -> None:
    case.db.execute("UPDATE runs SET finished_at=?, status=?, error=? WHERE id=?", (now(), status, error, run_id))
