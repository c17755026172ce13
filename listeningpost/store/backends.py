"""Database backends for a case other than its own ``case.sqlite``, chosen by the URL scheme of
``--db`` / ``LPOST_DB``.

The store only knows this interface. A backend lives in an optional package and registers itself
here when imported (``listeningpost.scale.pg`` registers ``postgresql://``); the store imports the
modules named in ``listeningpost.plugins.BACKEND_MODULES`` to find them, so it never imports a
backend by name and works without any installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ContextManager

from listeningpost.plugins import BACKEND_MODULES, import_plugins

if TYPE_CHECKING:
    from listeningpost.store.case import Case


@dataclass(frozen=True)
class Backend:
    name: str
    #: URL prefixes this backend serves (``postgresql://``, ...)
    schemes: tuple[str, ...]
    #: url -> a case connection: ``execute(statement or SQL text, params)`` and ``executemany`` giving a
    #: cursor (``fetchone``/``fetchall``, rows by position and by name, ``lastrowid``, ``rowcount``),
    #: ``begin_write()`` (the case's write lock until the end of the transaction), ``commit()``,
    #: ``rollback()``, ``in_transaction``, ``total_changes``, ``dialect``, ``close()``; the SQLite one is
    #: ``store.sql.SqliteConnection``. Errors are the database driver's own.
    connect: Callable[[str], Any]
    #: url -> whether that database already holds a case
    has_case: Callable[[str], bool]
    #: case -> names of the migrations applied (the ``store.schema`` files, built for this database)
    migrate: Callable[["Case"], list[str]]
    #: (case, exception class) -> a context manager holding the case's job-runner lock across
    #: machines; raises that exception when another runner holds it
    runner_lock: Callable[["Case", type[Exception]], ContextManager[None]]


_BACKENDS: list[Backend] = []


def register_backend(backend: Backend) -> Backend:
    """Called by a backend module on import; a second registration of the same name replaces the first."""
    _BACKENDS[:] = [b for b in _BACKENDS if b.name != backend.name]
    _BACKENDS.append(backend)
    return backend


def backend_for(url: Any) -> Backend | None:
    """The backend serving ``url``; None when no registered backend takes that scheme."""
    if not isinstance(url, str):
        return None
    import_plugins(BACKEND_MODULES)  # the backend modules register on import
    return next((backend for backend in _BACKENDS if url.startswith(backend.schemes)), None)
