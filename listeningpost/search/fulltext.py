"""Full-text engines by database dialect.

On SQLite the search package runs FTS5 itself (``search.api``). A database backend with its own
full-text machinery registers it here under its connection's ``dialect`` (PostgreSQL's tsvector
columns: ``listeningpost.scale.pgsearch``); search finds it through
``listeningpost.plugins.SEARCH_MODULES``, so it never imports the backend's package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class FullText:
    #: (case, FTS5 match or None, FTS5 exclude or None, compiled filter, depth, bm25 column weights,
    #: FROM clause of the search docs, total cap) -> ([(turn id, score)] best first, total)
    lexical: Callable[..., tuple[list[tuple[int, float]], int]]
    #: (case, FTS5 expression) -> ids of the turns it matches
    excluded_turns: Callable[[Any, str], set[int]]


_ENGINES: dict[str, FullText] = {}
_loaded = False


def register_fulltext(dialect: str, engine: FullText) -> None:
    _ENGINES[dialect] = engine


def fulltext_for(dialect: str) -> FullText:
    """The engine registered for ``dialect`` (importing the search plugins the first time)."""
    global _loaded
    if dialect not in _ENGINES and not _loaded:
        from listeningpost.plugins import SEARCH_MODULES, import_optional

        for module in SEARCH_MODULES:
            import_optional(module)
        _loaded = True
    try:
        return _ENGINES[dialect]
    except KeyError:
        raise LookupError(f"no full-text engine registered for the {dialect} dialect") from None
