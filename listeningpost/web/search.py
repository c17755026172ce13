"""Search box adapter: the search package's index once it is built, else a plain substring match.

The calls list needs matching call ids in rank order plus one snippet per call; this module turns
either backend's answer into that shape, so the list page does not depend on the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, literal, or_, select, union_all

from listeningpost.store.case import Case
from listeningpost.store.sql import like_nocase
from listeningpost.store.tables import calls, search_docs, translations, turns

MAX_HITS = 1000


@dataclass
class Matches:
    call_ids: list[int]
    snippets: dict[int, str] = field(default_factory=dict)
    engine: str = "substring"
    error: str | None = None


def indexed(case: Case) -> bool:
    try:
        return case.one(select(literal(1)).select_from(search_docs).limit(1)) is not None
    except Exception:  # no search tables in this case
        return False


def find(case: Case, query: str, mode: str = "lexical") -> Matches:
    """Call ids matching the search box (rank order). Uses the search index once the index stage
    has run, else a substring scan so a fresh case is still searchable."""
    if not indexed(case):
        return substring(case, query)
    from listeningpost.search.api import search  # the search issue's query language

    out = Matches([], engine=f"search ({mode})")
    try:
        result = search(case, query, {}, mode, MAX_HITS, 0, facets=False)
    except Exception as exc:  # a query syntax error is shown, not a 500
        out.error = str(exc)
        return out
    for hit in result.hits:
        if hit.call_id not in out.snippets:
            out.call_ids.append(hit.call_id)
            out.snippets[hit.call_id] = _snip(hit.text or "", "")
    return out


def substring(case: Case, query: str) -> Matches:
    """Substring match in titles, turns and translations, without a search index.

    SQLite's LIKE folds ASCII case only, so the needle is tried as typed, lower-case and capitalised
    (sentence-initial words), which keeps the scan in C (0.1 s over 120,000 turns)."""
    needle = query.strip()
    if not needle:
        return Matches([])
    forms = list(dict.fromkeys([needle, needle.lower(), needle[:1].upper() + needle[1:].lower()]))
    likes = ["%" + f.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for f in forms]
    any_like = lambda col: or_(*(like_nocase(col, p) for p in likes))  # noqa: E731
    found = union_all(
        select(turns.c.call_id, turns.c.text).where(any_like(turns.c.text)),
        select(turns.c.call_id, translations.c.text).join_from(translations, turns, turns.c.id == translations.c.turn_id)
        .where(any_like(translations.c.text)),
        select(calls.c.id, calls.c.title).where(any_like(calls.c.title)),
    ).subquery()
    rows = case.query(select(found.c.call_id, func.min(found.c.text).label("text")).group_by(found.c.call_id)
                      .order_by(found.c.call_id).limit(MAX_HITS))
    return Matches([r["call_id"] for r in rows], {r["call_id"]: _snip(r["text"], needle) for r in rows})


def _snip(text: str, needle: str, width: int = 80) -> str:
    at = text.casefold().find(needle.casefold()) if needle else -1
    if at < 0:
        return text[:width * 2]
    start = max(0, at - width)
    return ("…" if start else "") + text[start:at + len(needle) + width] + ("…" if at + len(needle) + width < len(text) else "")
