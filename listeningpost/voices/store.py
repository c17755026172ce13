"""Voiceprints and voice links in the case.

Re-linking replaces only machine links: a link an analyst confirmed stays (whatever the threshold),
and a rejected one stays rejected, so it is never re-made. Decisions go through ``edits`` like every
other correction (history and undo on the call page).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import bindparam, delete, func, insert, select, update

from listeningpost.store.case import Case, now
from listeningpost.store.tables import calls, speakers, voice_links, voiceprints
from listeningpost.voices import link
from listeningpost.voices.prints import ENGINE, Voiceprint

THRESHOLD_SETTING = "voices.threshold"


def threshold(case: Case) -> float:
    return float(case.setting(THRESHOLD_SETTING, link.DEFAULT_THRESHOLD))


def stored_hashes(case: Case, call_id: int) -> set[str]:
    """The turn-span hashes the call's current prints were made from (one value when up to date)."""
    return {r["turns_hash"] for r in case.query(
        select(voiceprints.c.turns_hash).where(voiceprints.c.call_id == call_id, voiceprints.c.engine == ENGINE))}


def save_prints(case: Case, call_id: int, prints: list[Voiceprint], turns_hash: str, run_id: int | None) -> None:
    case.db.execute(delete(voiceprints).where(voiceprints.c.call_id == call_id))
    case.db.executemany(insert(voiceprints), [
        {"call_id": call_id, "label": vp.label, "vec": vp.vec.astype(np.float32).tobytes(), "windows": vp.windows,
         "speech_s": vp.speech_s, "engine": ENGINE, "turns_hash": turns_hash, "run_id": run_id, "created_at": now()}
        for vp in prints])


def all_prints(case: Case) -> list[Voiceprint]:
    """Prints of calls that have audio (an imported transcript never gets one)."""
    v = voiceprints
    rows = case.query(select(v.c.call_id, v.c.label, v.c.vec, v.c.windows, v.c.speech_s)
                      .join(calls, calls.c.id == v.c.call_id).where(calls.c.has_media == 1)
                      .order_by(v.c.call_id, v.c.label))
    return [Voiceprint(r["call_id"], r["label"], np.frombuffer(bytes(r["vec"]), dtype=np.float32),
                       r["windows"], r["speech_s"]) for r in rows]


_RESCORE = (update(voice_links).where(voice_links.c.id == bindparam("link_id"))
            .values(score=bindparam("new_score"), threshold=bindparam("new_threshold"), updated_at=bindparam("at")))


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
                    case.query(select(voice_links))}
        gone = [row["id"] for key, row in existing.items() if row["status"] == "machine" and key not in found]
        case.db.executemany(delete(voice_links).where(voice_links.c.id == bindparam("link_id")),
                            [{"link_id": i} for i in gone])
        stamp = now()
        case.db.executemany(_RESCORE, [{"link_id": existing[key]["id"], "new_score": score, "new_threshold": at,
                                        "at": stamp} for key, score in found.items() if key in existing])
        case.db.executemany(insert(voice_links), [
            {"call_id": key[0], "label": key[1], "other_call_id": key[2], "other_label": key[3], "score": score,
             "status": "machine", "threshold": at, "updated_at": stamp}
            for key, score in found.items() if key not in existing])
    case.set_setting(THRESHOLD_SETTING, at)
    return summary(case)


def summary(case: Case) -> dict[str, Any]:
    """Threshold in use, speakers with a print, machine/confirmed links and the voices they make."""
    links = case.one(select(func.count()).select_from(voice_links).where(voice_links.c.status != "rejected"))[0]
    return {"threshold": threshold(case), "speakers": len(all_prints(case)), "links": links, "voices": voices(case)}


def voices(case: Case) -> list[dict[str, Any]]:
    """Groups of linked speakers (machine or confirmed links; rejected ones cut), two or more calls each."""
    parent: dict[tuple[int, str], tuple[int, str]] = {}

    def root(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    vl = voice_links
    for r in case.query(select(vl.c.call_id, vl.c.label, vl.c.other_call_id, vl.c.other_label)
                        .where(vl.c.status != "rejected")):
        parent[root((r["call_id"], r["label"]))] = root((r["other_call_id"], r["other_label"]))
    groups: dict[tuple[int, str], list[tuple[int, str]]] = {}
    for x in list(parent):
        groups.setdefault(root(x), []).append(x)
    names = {(r["call_id"], r["label"]): r["name"] for r in case.query(
        select(speakers.c.call_id, speakers.c.label, speakers.c.name))}
    out = [{"speakers": [{"call_id": c, "label": lab, "name": names.get((c, lab))} for c, lab in sorted(members)]}
           for members in groups.values() if len({c for c, _ in members}) > 1]
    return sorted(out, key=lambda v: v["speakers"][0]["call_id"])


def links_for_call(case: Case, call_id: int) -> dict[str, list[dict[str, Any]]]:
    """Per speaker label of the call: the speakers of other calls its voice is linked to."""
    l, c1, c2, s1, s2 = voice_links, calls.alias("c1"), calls.alias("c2"), speakers.alias("s1"), speakers.alias("s2")
    rows = case.query(
        select(l, c1.c.title.label("title1"), c2.c.title.label("title2"), s1.c.name.label("name1"),
               s2.c.name.label("name2"))
        .join(c1, c1.c.id == l.c.call_id).join(c2, c2.c.id == l.c.other_call_id)
        .outerjoin(s1, (s1.c.call_id == l.c.call_id) & (s1.c.label == l.c.label))
        .outerjoin(s2, (s2.c.call_id == l.c.other_call_id) & (s2.c.label == l.c.other_label))
        .where((l.c.call_id == call_id) | (l.c.other_call_id == call_id)).order_by(l.c.score.desc()))
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        mine_first = r["call_id"] == call_id
        label, other = (r["label"], "2") if mine_first else (r["other_label"], "1")
        out.setdefault(label, []).append({
            "link_id": r["id"], "call_id": r["other_call_id"] if mine_first else r["call_id"],
            "label": r["other_label"] if mine_first else r["label"], "title": r[f"title{other}"],
            "name": r[f"name{other}"], "score": round(r["score"], 3), "status": r["status"]})
    return out
