"""Search backends: the lexical (full-text) part of search, one per database dialect.

``listeningpost.search.query.compile_query`` turns a query into a match tree over the index columns
(``Words``, ``InColumns``, ``AnyOf``, ``AllOf``, ``Without``); a backend renders that tree in its own
dialect and runs it against ``search_docs``:

* ``sqlite``: FTS5, the MATCH string over the ``search_fts`` table (``listeningpost.search.fts5``);
* ``postgresql``: tsquery conditions over the tsvector columns of ``search_docs``
  (``listeningpost.search.tsvector``).

Backends register under the connection's ``dialect`` in ``BACKENDS``; the modules are named in
``listeningpost.plugins.SEARCH_MODULES`` and imported on the first lookup, so a SQLite-only install
never loads the PostgreSQL one (and search never imports the ``scale`` package).
"""

from __future__ import annotations

from typing import Any, Protocol

from listeningpost.registry import Registry


class SearchError(ValueError):
    """A query or filter that cannot run."""


class SearchBackend(Protocol):
    name: str

    def lexical(self, case: Any, match: object | None, exclude: object | None, where: Any, depth: int,
                weights: tuple[float, float, float], join_filtered: Any, total_cap: int
                ) -> tuple[list[tuple[int, float]], int]:
        """The ``depth`` best (turn id, score) of the rows matching ``match`` (a match tree; None: every
        row, in call and turn order, score 0) and not ``exclude``, passing the filters ``where``
        (``facets.Filters``: ``.clause``, a Core condition, and ``.where``, its parts), higher scores
        first (bm25 with the column ``weights`` of text, lemmas, translation); and the number of such
        rows, counted up to ``total_cap``. ``join_filtered(select)``: a select from ``search_docs``
        joined to what filters read."""

    def excluded_turns(self, case: Any, exclude: object) -> set[int]:
        """Ids of the turns that the match tree ``exclude`` matches."""

    def rebuild(self, case: Any) -> None:
        """Rebuild the full-text index from ``search_docs`` (after its rows were dropped)."""

    def optimize(self, case: Any) -> None:
        """Compact the full-text index after a full reindex."""

    def data_version(self, case: Any) -> int:
        """A number that changes when another connection commits a write (cache invalidation)."""

    def short_lock_wait(self, case: Any) -> Any:
        """Context manager: wait only briefly for another process's write lock (then the write fails
        with ``sqlite3.OperationalError``), where the database waits long by default."""


BACKENDS = Registry("search backend", plugins="SEARCH_MODULES", instantiate=True, error=LookupError)


def backend_for(case: Any) -> SearchBackend:
    """The backend for the case's database dialect."""
    dialect = getattr(case.db, "dialect", "sqlite")
    return BACKENDS[dialect] if dialect in BACKENDS else BACKENDS.lookup(dialect)
