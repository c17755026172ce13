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
                weights: tuple[float, float, float], from_docs: str, total_cap: int
                ) -> tuple[list[tuple[int, float]], int]:
        """The ``depth`` best (turn id, score) of the rows matching ``match`` (a match tree; None: every
        row, in call and turn order, score 0) and not ``exclude``, passing the compiled filter ``where``
        (``.sql`` with ``?`` params, ``.params``, ``.where``), higher scores first (bm25 with the
        column ``weights`` of text, lemmas, translation); and the number of such rows, counted up to
        ``total_cap``. ``from_docs``: the FROM clause joining ``search_docs d`` to what filters read."""

    def excluded_turns(self, case: Any, exclude: object) -> set[int]:
        """Ids of the turns that the match tree ``exclude`` matches."""


BACKENDS = Registry("search backend", plugins="SEARCH_MODULES", instantiate=True, error=LookupError)


def backend_for(case: Any) -> SearchBackend:
    """The backend for the case's database dialect."""
    dialect = getattr(case.db, "dialect", "sqlite")
    return BACKENDS[dialect] if dialect in BACKENDS else BACKENDS.lookup(dialect)
