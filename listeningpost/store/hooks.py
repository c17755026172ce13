"""Fields the store's read views show but other packages compute.

The store sits below every stage package, so it never imports one. A package that adds a field to
the views registers a function here when it is imported; the views import the modules named in
``listeningpost.plugins.VIEW_MODULES`` to find them. Now: ``gloss`` on every machine translation
(the literal word-by-word gloss of the source turn, ``listeningpost.translate.gloss``).
"""

from __future__ import annotations

from typing import Any, Callable

from listeningpost.plugins import VIEW_MODULES, import_plugins

#: key -> f(source turn text, its language) -> value, added to each machine translation
_TRANSLATION_FIELDS: dict[str, Callable[[str, str], Any]] = {}


def register_translation_field(key: str, field: Callable[[str, str], Any]) -> None:
    _TRANSLATION_FIELDS[key] = field


def translation_fields() -> dict[str, Callable[[str, str], Any]]:
    """The registered machine-translation fields (importing the view plugins the first time)."""
    import_plugins(VIEW_MODULES)
    return _TRANSLATION_FIELDS
