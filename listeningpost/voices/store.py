"""Voiceprints and voice links in the case.

Re-linking replaces only machine links: a link an analyst confirmed stays (whatever the threshold),
and a rejected one stays rejected, so it is never re-made. Decisions go through ``edits`` like every
other correction (history and undo on the call page).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from listeningpost.store.case import Case, now
from listeningpost.voices import link
from listeningpost.voices.prints import ENGINE, Voiceprint

THRESHOLD_SETTING = "voices.threshold"
STATUSES = ("machine", "confirmed", "rejected")


def threshold(case: Case) -> float:
    return float(case.setting(THRESHOLD_SETTING, link.DEFAULT_THRESHOLD))


def stored_hashes(case: Case, call_id: int) -> set[str]:
    """The turn-span hashes the call's current prints were made from (one value when up to date)."""
    return {r["turns_hash"] for r in case.query(
        "SELECT turns_hash FROM voiceprints WHERE call_id=? AND engine=?", (call_id, ENGINE))}


def save_prints(case: Case, call_id: int, prints: list[Voiceprint], turns_hash: str, run_id: int | None) -> None:
    case.db.execute("DELETE FROM voiceprints WHERE call_id=?", (call_id,))
    for vp in prints:
        case.db.execute(
            "INSERT INTO voiceprints(call_id, label, vec, windows, speech_s, engine, turns_hash, run_id, created_at)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (call_id, vp.label, vp.vec.astype(np.float32).tobytes(), vp.windows, vp.speech_s, ENGINE,
             turns_hash, run_id, now()))


def all_prints(case: Case) -> list[Voiceprint]:
    """Prints of calls that have audio (an imported transcript never gets one)."""
    rows = case.query("SELECT v.call_id, v.label, v.vec, v.windows, v.speech_s FROM voiceprints v"
                      " JOIN calls c ON c.id=v.call_id WHERE c.has_media=1 ORDER BY v.call_id, v.label")
    return [Voiceprint(r["call_id"], r["label"], np.frombuffer(bytes(r["vec"]), dtype=np.float32),
                       r["windows"], r["speech_s"]) for r in rows]


def relink(case: Case, at: float | None = None) -> dict[str, Any]:
    """Cluster every print of the case at threshold ``at`` (default: the case's) and store the links."""
    at = threshold(case) if at is None else float(at)
    prints = all_prints(case)
    found = {}
    if prints:
        vecs = np.stack([p.vec for p in prints])
        for lk in link.links(vecs, [p.call_id for p in prints], at):
            a, b = sorted((prints[lk.a], prints[lk.b]), key=lambda p: (p.call_id, p.label))
            found[(a.call_id, a.label, b.call_id, b.label)] = lk.score
    with case.transaction():
        existing = {(r["call_id"], r["label"], r["other_call_id"], r["other_label"]): r for r in
                    case.query("SELECT * FROM voice_links")}
        for key, row in existing.items():
            if row["status"] == "machine" and key not in found:
                case.db.execute("DELETE FROM voice_links WHERE id=?", (row["id"],))
        for key, score in found.items():
            if key in existing:
                case.db.execute("UPDATE voice_links SET score=?, threshold=?, updated_at=? WHERE id=?",
                                (score, at, now(), existing[key]["id"]))
            else:
                case.db.execute("INSERT INTO voice_links(call_id, label, other_call_id, other_label, score, status,"
                                " threshold, updated_at) VALUES (?,?,?,?,?,?,?,?)", (*key, score, "machine", at, now()))
    case.set_setting(THRESHOLD_SETTING, at)
    return summary(case)


def summary(case: Case) -> dict[str, Any]:
    """Threshold in use, speakers with a print, machine/confirmed links and the voices they make."""
    links = case.one("SELECT COUNT(*) FROM voice_links WHERE status != 'rejected'")[0]
    return {"threshold": threshold(case), "speakers": len(all_prints(case)), "links": links, "voices": voices(case)}


def voices(case: Case) -> list[dict[str, Any]]:
    """Groups of linked speakers (machine or confirmed links; rejected ones cut), two or more calls each."""
    parent: dict[tuple[int, str], tuple[int, str]] = {}

    def root(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for r in case.query("SELECT call_id, label, other_call_id, other_label FROM voice_links WHERE status != 'rejected'"):
        parent[root((r["call_id"], r["label"]))] = root((r["other_call_id"], r["other_label"]))
    groups: dict[tuple[int, str], list[tuple[int, str]]] = {}
    for x in list(parent):
        groups.setdefault(root(x), []).append(x)
    names = {(r["call_id"], r["label"]): r["name"] for r in case.query("SELECT call_id, label, name FROM speakers")}
    out = [{"speakers": [{"call_id": c, "label": lab, "name": names.get((c, lab))} for c, lab in sorted(members)]}
           for members in groups.values() if len({c for c, _ in members}) > 1]
    return sorted(out, key=lambda v: v["speakers"][0]["call_id"])


def links_for_call(case: Case, call_id: int) -> dict[str, list[dict[str, Any]]]:
    """Per speaker label of the call: the speakers of other calls its voice is linked to."""
    rows = case.query(
        "SELECT l.*, c1.title AS title1, c2.title AS title2, s1.name AS name1, s2.name AS name2 FROM voice_links l"
        " JOIN calls c1 ON c1.id=l.call_id JOIN calls c2 ON c2.id=l.other_call_id"
        " LEFT JOIN speakers s1 ON s1.call_id=l.call_id AND s1.label=l.label"
        " LEFT JOIN speakers s2 ON s2.call_id=l.other_call_id AND s2.label=l.other_label"
        " WHERE l.call_id=? OR l.other_call_id=? ORDER BY l.score DESC", (call_id, call_id))
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        mine_first = r["call_id"] == call_id
        label, other = (r["label"], "2") if mine_first else (r["other_label"], "1")
        out.setdefault(label, []).append({
            "link_id": r["id"], "call_id": r["other_call_id"] if mine_first else r["call_id"],
            "label": r["other_label"] if mine_first else r["label"], "title": r[f"title{other}"],
            "name": r[f"name{other}"], "score": round(r["score"], 3), "status": r["status"]})
    return out
