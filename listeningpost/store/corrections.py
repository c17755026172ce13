"""Analyst corrections with history and undo.

Every correction is one ``edits`` row. Field changes store row patches as before/after:
``{"turns": {"12": {"text": "...", "edited": 0}}}`` (keys are rowids), so undo applies the
``before`` patch. Split and merge store snapshots and have their own inverse. Undo is refused when a
later edit changed the same rows (undo that first), so nothing an analyst wrote is lost silently.

Rules kept: an edited turn or translation gets ``edited = 1`` and an entity/claim/theme decision
sets ``status`` (confirmed, rejected, corrected); stages never overwrite such rows.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, union, update

from listeningpost.store import tables
from listeningpost.store.case import Case
from listeningpost.store.layers import add_speakers, record_edit, renumber_turns
from listeningpost.store.sql import row_id
from listeningpost.store.tables import edits, speakers, translations, turns, voice_links, words
from listeningpost.store.views import _pick

#: columns an analyst may change, per table (also the allow-list that keeps SQL names safe)
EDITABLE = {
    "turns": ("text", "speaker", "edited"),
    "words": ("text",),
    "translations": ("text", "edited"),
    "speakers": ("name",),
    "entities": ("type", "text", "norm", "lat", "lon", "status"),
    "claims": ("type", "count", "quote", "subject", "place", "period", "equipment", "hedged", "negated", "status"),
    "themes": ("theme", "status"),
    "voice_links": ("status",),
}
DECISIONS = ("confirmed", "rejected", "corrected", "machine")
#: tables whose rows follow a turn through splits, merges and their undo
TURN_ROWS = (tables.entities, tables.claims, tables.themes)


class EditError(Exception):
    """A correction that cannot be applied (unknown row, bad field, conflicting undo)."""


Patch = dict[str, dict[str, dict[str, Any]]]


def _row(case: Case, table: str, rowid: int, call_id: int | None = None) -> dict[str, Any]:
    if table not in EDITABLE:
        raise EditError(f"not editable: {table}")
    target = tables.metadata.tables[table]
    row = case.one(select(target).where(row_id(target) == rowid))
    if row is None:
        raise EditError(f"no {table} row {rowid}")
    row = dict(row)
    if call_id is not None and _call_of(case, table, row) != call_id:
        raise EditError(f"{table} row {rowid} is not in call {call_id}")
    return row


def _call_of(case: Case, table: str, row: dict[str, Any]) -> int | None:
    if "call_id" in row:
        return row["call_id"]
    if table == "words" or table == "translations":
        r = case.one(select(turns.c.call_id).where(turns.c.id == row["turn_id"]))
        return r["call_id"] if r else None
    return None


def _apply(case: Case, patch: Patch) -> None:
    for table, rows in patch.items():
        for rowid, values in rows.items():
            bad = set(values) - set(EDITABLE[table])
            if bad:
                raise EditError(f"cannot edit {table}.{', '.join(sorted(bad))}")
            target = tables.metadata.tables[table]
            case.db.execute(update(target).where(row_id(target) == int(rowid)).values(**values))


def _current(case: Case, patch: Patch) -> Patch:
    return {table: {rowid: _pick(_row(case, table, int(rowid)), *values) for rowid, values in rows.items()}
            for table, rows in patch.items()}


def _patch_edit(case: Case, author: str, call_id: int, action: str, target: tuple[str, int], after: Patch,
                field: str | None = None) -> int:
    """Apply ``after`` and record it with the current values as ``before``."""
    with case.transaction():
        before = _current(case, after)
        if before == after:
            raise EditError("nothing changed")
        _apply(case, after)
        return record_edit(case, author=author, target_table=target[0], target_id=target[1], action=action,
                           field=field, before=before, after=after, call_id=call_id)


# -- turns, words, translations, speakers ------------------------------------------------------
def edit_turn_text(case: Case, call_id: int, turn_id: int, text: str, author: str) -> int:
    _row(case, "turns", turn_id, call_id)
    text = text.strip()
    if not text:
        raise EditError("a turn needs text (merge or split instead of emptying it)")
    return _patch_edit(case, author, call_id, "set", ("turns", turn_id),
                       {"turns": {str(turn_id): {"text": text, "edited": 1}}}, "text")


def edit_word(case: Case, call_id: int, word_id: int, text: str, author: str) -> int:
    """Correct one word; the turn text follows when it was the words joined (ASR turns)."""
    word = _row(case, "words", word_id, call_id)
    text = text.strip()
    if not text:
        raise EditError("a word needs text")
    turn = _row(case, "turns", word["turn_id"])
    turn_words = case.query(select(words.c.id, words.c.text).where(words.c.turn_id == turn["id"]).order_by(words.c.idx))
    lead = word["text"][: len(word["text"]) - len(word["text"].lstrip())]  # whisper words keep their space
    new_word = lead + text
    patch: Patch = {"words": {str(word_id): {"text": new_word}}, "turns": {str(turn["id"]): {"edited": 1}}}
    joined = "".join(w["text"] for w in turn_words)
    if joined.strip() == turn["text"].strip():
        patch["turns"][str(turn["id"])]["text"] = "".join(new_word if w["id"] == word_id else w["text"]
                                                          for w in turn_words).strip()
    return _patch_edit(case, author, call_id, "set", ("words", word_id), patch, "text")


def edit_translation(case: Case, call_id: int, translation_id: int, text: str, author: str) -> int:
    _row(case, "translations", translation_id, call_id)
    return _patch_edit(case, author, call_id, "set", ("translations", translation_id),
                       {"translations": {str(translation_id): {"text": text.strip(), "edited": 1}}}, "text")


def rename_speaker(case: Case, call_id: int, label: str, name: str, author: str) -> int:
    row = case.one(select(row_id(speakers)).where(speakers.c.call_id == call_id, speakers.c.label == label))
    if row is None:
        raise EditError(f"no speaker {label!r} in call {call_id}")
    return _patch_edit(case, author, call_id, "rename", ("speakers", row[0]),
                       {"speakers": {str(row[0]): {"name": name.strip() or None}}}, "name")


def reassign_speaker(case: Case, call_id: int, turn_id: int, label: str, author: str) -> int:
    _row(case, "turns", turn_id, call_id)
    label = label.strip()
    if not label:
        raise EditError("speaker label is empty")
    with case.transaction():
        add_speakers(case, call_id, [label])
        return _patch_edit(case, author, call_id, "set", ("turns", turn_id),
                           {"turns": {str(turn_id): {"speaker": label, "edited": 1}}}, "speaker")


# -- entity / claim / theme decisions ------------------------------------------------------------
def decide(case: Case, call_id: int, table: str, row_id: int, status: str, author: str,
           changes: dict[str, Any] | None = None) -> int:
    """Confirm, reject or correct (with changed fields) an entity, claim or theme."""
    if table not in ("entities", "claims", "themes"):
        raise EditError(f"no decisions on {table}")
    if status not in DECISIONS:
        raise EditError(f"status must be one of {', '.join(DECISIONS)}")
    _row(case, table, row_id, call_id)
    values = {k: v for k, v in (changes or {}).items() if k != "status"}
    if values and status != "corrected":
        raise EditError("changed fields need status 'corrected'")
    return _patch_edit(case, author, call_id, "status", (table, row_id),
                       {table: {str(row_id): {**values, "status": status}}}, "status")


# -- voice links across calls -------------------------------------------------------------------
def decide_voice_link(case: Case, call_id: int, link_id: int, status: str, author: str) -> int:
    """Confirm or reject a link between a speaker of ``call_id`` and one of another call."""
    if status not in ("confirmed", "rejected", "machine"):
        raise EditError("status must be confirmed, rejected or machine")
    row = _row(case, "voice_links", link_id)
    if call_id not in (row["call_id"], row["other_call_id"]):
        raise EditError(f"voice link {link_id} is not in call {call_id}")
    return _patch_edit(case, author, call_id, "status", ("voice_links", link_id),
                       {"voice_links": {str(link_id): {"status": status}}}, "status")


def carry_speaker_name(case: Case, call_id: int, label: str, author: str) -> list[int]:
    """Give the name of speaker ``label`` to every speaker its voice is linked to (not rejected links);
    one edit per renamed speaker, so each can be undone on its own call."""
    me = _speaker_name(case, call_id, label)
    if me is None or not (me["name"] or "").strip():
        raise EditError(f"speaker {label!r} of call {call_id} has no name to carry")
    v = voice_links.c
    linked = union(
        select(v.other_call_id.label("c"), v.other_label.label("l"))
        .where(v.call_id == call_id, v.label == label, v.status != "rejected"),
        select(v.call_id, v.label).where(v.other_call_id == call_id, v.other_label == label, v.status != "rejected"),
    ).order_by("c", "l")  # SQLite's UNION comes out sorted; PostgreSQL's in any order
    done = []
    for r in case.query(linked):
        other = _speaker_name(case, r["c"], r["l"])
        if other is not None and other["name"] != me["name"]:
            done.append(rename_speaker(case, r["c"], r["l"], me["name"], author))
    return done


def _speaker_name(case: Case, call_id: int, label: str):
    return case.one(select(speakers.c.name).where(speakers.c.call_id == call_id, speakers.c.label == label))


# -- split and merge -------------------------------------------------------------------------
def _turn_snapshot(case: Case, turn_id: int) -> dict[str, Any]:
    turn = dict(case.one(select(turns).where(turns.c.id == turn_id)))
    # ordered by id so the snapshot (edits.before_json) is the same on SQLite and PostgreSQL
    turn["translations"] = [dict(r) for r in case.query(select(translations).where(translations.c.turn_id == turn_id)
                                                        .order_by(translations.c.id))]
    turn["word_ids"] = [r[0] for r in case.query(select(words.c.id).where(words.c.turn_id == turn_id)
                                                 .order_by(words.c.idx))]
    for table in TURN_ROWS:
        turn[table.name] = [r[0] for r in case.query(select(table.c.id).where(table.c.turn_id == turn_id)
                                                     .order_by(table.c.id))]
    return turn


def _move_words(case: Case, turn_id: int, word_ids: list[int], first_idx: int = 0) -> None:
    """Words ``word_ids`` (in order) become words ``first_idx``... of turn ``turn_id``."""
    case.db.executemany(
        update(words).where(words.c.id == bindparam("word_id")).values(turn_id=bindparam("to_turn"), idx=bindparam("to_idx")),
        [{"word_id": wid, "to_turn": turn_id, "to_idx": first_idx + i} for i, wid in enumerate(word_ids)])


def _move_turn_rows(case: Case, from_turn: int, to_turn: int) -> None:
    for table in TURN_ROWS:
        case.db.execute(update(table).where(table.c.turn_id == from_turn).values(turn_id=to_turn))


def split_turn(case: Case, call_id: int, turn_id: int, at: int, author: str, word_index: bool = False) -> int:
    """Split a turn at character ``at`` of its text (or before word ``at`` when ``word_index``).

    The second half becomes a new turn with the same speaker; words move with their half and the
    split time is the first moved word's start. Translations stay on the first half (flagged
    edited) because a translation cannot be split by position reliably.
    """
    turn = _row(case, "turns", turn_id, call_id)
    with case.transaction():
        turn_words = case.query(select(words).where(words.c.turn_id == turn_id).order_by(words.c.idx))
        if word_index:
            if not 0 < at < len(turn_words):
                raise EditError("split point must be inside the turn")
            first = "".join(w["text"] for w in turn_words[:at]).strip()
            second = "".join(w["text"] for w in turn_words[at:]).strip()
            moved = turn_words[at:]
        else:
            first, second = turn["text"][:at].strip(), turn["text"][at:].strip()
            if not first or not second:
                raise EditError("split point must be inside the text")
            n_first = len(first.split())
            moved = turn_words[n_first:] if len(turn_words) == len(turn["text"].split()) else []
        split_s = moved[0]["start_s"] if moved else None
        before = _turn_snapshot(case, turn_id)
        new_id = case.db.execute(insert(turns).values(
            call_id=call_id, idx=turn["idx"], speaker=turn["speaker"],
            start_s=split_s if split_s is not None else turn["end_s"], end_s=turn["end_s"], language=turn["language"],
            language_prob=turn["language_prob"], text=second, origin="analyst", run_id=None, edited=1)).lastrowid
        _move_words(case, new_id, [w["id"] for w in moved])
        case.db.execute(update(turns).where(turns.c.id == turn_id)
                        .values(text=first, end_s=func.coalesce(split_s, turns.c.end_s), edited=1))
        case.db.execute(update(translations).where(translations.c.turn_id == turn_id).values(edited=1))
        case.db.execute(update(turns).where(turns.c.call_id == call_id, turns.c.idx > turn["idx"], turns.c.id != new_id)
                        .values(idx=turns.c.idx + 1))
        case.db.execute(update(turns).where(turns.c.id == new_id).values(idx=turn["idx"] + 1))
        return record_edit(case, author=author, target_table="turns", target_id=turn_id, action="split",
                           field="text", before=before,
                           after={"turn": turn_id, "new_turn": new_id, "first": first, "second": second},
                           call_id=call_id)


def merge_turns(case: Case, call_id: int, turn_id: int, author: str) -> int:
    """Merge a turn with the next one; the next turn's words, translations and analysis rows move
    into it and the next turn is removed (restored by undo)."""
    turn = _row(case, "turns", turn_id, call_id)
    with case.transaction():
        nxt = case.one(select(turns).where(turns.c.call_id == call_id, turns.c.idx > turn["idx"])
                       .order_by(turns.c.idx).limit(1))
        if nxt is None:
            raise EditError("no next turn to merge with")
        before = {"turn": _turn_snapshot(case, turn_id), "next": _turn_snapshot(case, nxt["id"])}
        _move_words(case, turn_id, before["next"]["word_ids"], first_idx=len(before["turn"]["word_ids"]))
        for tr in before["next"]["translations"]:
            _merge_translation(case, turn_id, tr)
        _move_turn_rows(case, nxt["id"], turn_id)
        text = f"{turn['text']} {nxt['text']}".strip()
        case.db.execute(update(turns).where(turns.c.id == turn_id)
                        .values(text=text, end_s=func.coalesce(nxt["end_s"], turns.c.end_s), edited=1))
        case.db.execute(delete(turns).where(turns.c.id == nxt["id"]))
        renumber_turns(case, call_id)
        return record_edit(case, author=author, target_table="turns", target_id=turn_id, action="merge",
                           field="text", before=before, after={"turn": turn_id, "removed": nxt["id"], "text": text},
                           call_id=call_id)


def _merge_translation(case: Case, turn_id: int, tr: dict[str, Any]) -> None:
    """The next turn's translation ``tr`` joins turn ``turn_id``'s in the same language and engine, or moves over."""
    mine = case.one(select(translations.c.id, translations.c.text).where(
        translations.c.turn_id == turn_id, translations.c.lang == tr["lang"], translations.c.engine == tr["engine"]))
    if mine:
        case.db.execute(update(translations).where(translations.c.id == mine["id"])
                        .values(text=f"{mine['text']} {tr['text']}".strip(), edited=1))
    else:
        case.db.execute(update(translations).where(translations.c.id == tr["id"]).values(turn_id=turn_id, edited=1))


def _restore_turn(case: Case, snap: dict[str, Any]) -> None:
    """Put a turn back as snapshotted (same id), with its translations, words and links."""
    values = {c: v for c, v in snap.items() if c not in ("translations", "word_ids", *(t.name for t in TURN_ROWS))}
    if case.one(select(turns.c.id).where(turns.c.id == snap["id"])):
        case.db.execute(update(turns).where(turns.c.id == snap["id"]).values(**values))
    else:
        case.db.execute(insert(turns).values(**values))
    _move_words(case, snap["id"], snap["word_ids"])
    for tr in snap["translations"]:
        _replace_translation(case, tr)
    for table in TURN_ROWS:
        for rid in snap[table.name]:
            case.db.execute(update(table).where(table.c.id == rid).values(turn_id=snap["id"]))


def _replace_translation(case: Case, tr: dict[str, Any]) -> None:
    """SQLite's ``INSERT OR REPLACE``: the rows in the way (same id, or same turn, language and engine)
    go, then ``tr`` goes in. Not an upsert: on SQLite an ON CONFLICT clause would override the
    ``OR IGNORE`` of the search triggers on translations (migrations/0400_search.sql)."""
    t = translations.c
    case.db.execute(delete(translations).where(
        or_(t.id == tr["id"], and_(t.turn_id == tr["turn_id"], t.lang == tr["lang"], t.engine == tr["engine"]))))
    case.db.execute(insert(translations).values(**tr))


# -- undo and history ------------------------------------------------------------------------
def undo(case: Case, edit_id: int, author: str) -> int:
    """Apply the inverse of an edit, record it, and mark the original ``undone_by``."""
    with case.transaction():
        edit = case.one(select(edits).where(edits.c.id == edit_id))
        if edit is None:
            raise EditError(f"no edit {edit_id}")
        if edit["undone_by"] is not None:
            raise EditError("already undone")
        if edit["action"] == "undo":
            raise EditError("an undo cannot be undone; make the change again")
        before, after = json.loads(edit["before_json"]), json.loads(edit["after_json"])
        later = case.one(select(edits.c.id).where(
            edits.c.call_id.is_not_distinct_from(edit["call_id"]), edits.c.id > edit_id, edits.c.undone_by.is_(None),
            edits.c.action != "undo").limit(1))
        if edit["action"] in ("split", "merge"):
            if later:
                raise EditError("undo the later edits of this call first")
            if edit["action"] == "split":
                _undo_split(case, before, after)
            else:
                _restore_turn(case, before["next"])
                _restore_turn(case, before["turn"])
            renumber_turns(case, edit["call_id"])
        else:
            try:
                current = _current(case, after)
            except EditError:
                raise EditError("the edited row no longer exists (undo later splits/merges first)")
            if current != after:
                raise EditError("changed again since; undo the later edit first")
            _apply(case, before)
        undo_id = record_edit(case, author=author, target_table=edit["target_table"], target_id=edit["target_id"],
                              action="undo", field=edit["field"], before=after, after=before,
                              call_id=edit["call_id"])
        case.db.execute(update(edits).where(edits.c.id == edit_id).values(undone_by=undo_id))
        return undo_id


def _undo_split(case: Case, before: dict[str, Any], after: dict[str, Any]) -> None:
    new_id = after["new_turn"]
    _move_turn_rows(case, new_id, before["id"])
    case.db.execute(update(words).where(words.c.turn_id == new_id).values(turn_id=before["id"]))
    case.db.execute(delete(turns).where(turns.c.id == new_id))
    _restore_turn(case, before)


def history(case: Case, call_id: int, limit: int = 500) -> list[dict[str, Any]]:
    out = []
    rows = case.query(select(edits).where(edits.c.call_id == call_id).order_by(edits.c.id.desc()).limit(limit))
    for r in rows:
        before, after = json.loads(r["before_json"] or "null"), json.loads(r["after_json"] or "null")
        out.append({**_pick(r, "id", "at", "author", "action", "target_table", "target_id", "field"),
                    "before": before, "after": after, "undone_by": r["undone_by"],
                    "summary": summarize(r["action"], before, after)})
    return out


def _is_patch(value: Any) -> bool:
    return isinstance(value, dict) and all(
        t in EDITABLE and isinstance(rows, dict) and all(isinstance(v, dict) for v in rows.values())
        for t, rows in value.items())


def summarize(action: str, before: Any, after: Any) -> str:
    """One line for the history panel: 'old → new' for field changes."""
    if _is_patch(after) and _is_patch(before):
        changes = ((table, rowid, col, before.get(table, {}).get(rowid, {}).get(col), new)
                   for table, rows in after.items() for rowid, values in rows.items()
                   for col, new in values.items() if col != "edited")
        return "; ".join(f"{table[:-1]} {rowid} {col}: {old!s} → {new!s}"
                         for table, rowid, col, old, new in changes)
    if action == "split" and isinstance(after, dict):
        return f"split turn {after.get('turn')} → new turn {after.get('new_turn')}"
    if action == "merge" and isinstance(after, dict):
        return f"merged turn {after.get('removed')} into {after.get('turn')}"
    if action == "undo":
        return "undo of a split/merge"
    return action


__all__ = ["EditError", "EDITABLE", "DECISIONS", "edit_turn_text", "edit_word", "edit_translation",
           "rename_speaker", "reassign_speaker", "decide", "split_turn", "merge_turns", "undo", "history"]
