"""Optional modules: stage packages, their CLI commands, scorers and executors register on import."""

from __future__ import annotations

import importlib
from types import ModuleType


def import_optional(name: str) -> ModuleType | None:
    """Import ``name``; None when that module (or a package it lives in) does not exist. An import
    error *inside* an existing module is raised: a broken plugin must not vanish silently."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise
