"""Optional modules: stage packages, their CLI commands, scorers, executors and engines register on import.

Adding an engine is one new module that registers itself plus its name in one of these lists
(docs/extending.md).
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType

#: database backends for ``--db``/``LPOST_DB`` URLs; each registers with ``listeningpost.store.backends``
BACKEND_MODULES = ("listeningpost.scale.pg",)

#: executors beyond the built-in local one, by name: (module that registers it in
#: ``listeningpost.jobs.executors.EXECUTORS``, the extra that installs what it needs)
EXECUTOR_MODULES = {"ray": ("listeningpost.scale.ray_executor", "ray")}

#: fields of the store's read views computed by other packages; each registers with ``listeningpost.store.hooks``
VIEW_MODULES = ("listeningpost.translate.gloss",)

#: ASR engines beyond faster-whisper; each registers with ``listeningpost.speech.asr.register_engine``
#: (imported in every worker process, so the speech stage option ``engine`` can name them)
ASR_MODULES: tuple[str, ...] = ()

#: analysis (claim) engines beyond rules, llm and both; each registers with
#: ``listeningpost.analyze.engines.register_analysis_engine`` (imported in every worker process, so the
#: analyze stage option ``engine`` can name them)
ANALYSIS_MODULES: tuple[str, ...] = ()

#: export formats beyond the built-in ones; each registers with ``listeningpost.export.run.register_format``
EXPORT_MODULES: tuple[str, ...] = ()

#: transcript formats beyond the built-in ones; each registers with
#: ``listeningpost.ingest.transcripts.register_format``
TRANSCRIPT_MODULES: tuple[str, ...] = ()

#: search backends by database dialect (FTS5 on SQLite, tsvector on PostgreSQL); each registers with
#: ``listeningpost.search.backends.BACKENDS``, imported on the first lookup
SEARCH_MODULES = ("listeningpost.search.fts5", "listeningpost.search.tsvector")


def import_optional(name: str) -> ModuleType | None:
    """Import ``name``; None when that module (or a package it lives in) does not exist. An import
    error *inside* an existing module is raised: a broken plugin must not vanish silently."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise


@cache
def import_plugins(names: tuple[str, ...]) -> None:
    """Import the modules ``names`` once, so they register (missing optional ones are skipped)."""
    for name in names:
        import_optional(name)
