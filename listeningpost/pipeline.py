"""Stage interface and registry.

A stage turns one call into results in three steps, so that any executor (a local process pool now,
Ray later) can run the expensive middle step anywhere while the case keeps a single writer:

1. ``load(case, call_id)`` -- in the coordinating process: read what the stage needs from the case
   (turns, an archive path) into a small picklable object. Audio is passed by path, never by bytes.
2. ``compute(item)`` -- in a worker: the model work. Pure: no case access. Models are loaded once per
   worker process (cache them in a module-level dict keyed by settings).
3. ``save(case, call_id, result, run_id)`` -- in the coordinating process, inside one transaction:
   write the results. It must never delete or overwrite rows an analyst edited or reviewed
   (turns.edited = 1, translations.edited = 1, entities/claims/themes with status != 'machine').

``settings()`` describes engine, model and options; it is recorded in ``runs`` and its hash in
``jobs.settings_hash`` so a changed setting re-queues the stage.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from abc import ABC, abstractmethod
from typing import Any, Callable

from listeningpost.registry import Registry
from listeningpost.store.case import Case


class Stage(ABC):
    name: str = ""
    #: stages whose output this one reads; the runner only queues a call once these are done
    requires: tuple[str, ...] = ()

    @abstractmethod
    def settings(self) -> dict[str, Any]:
        """Engine, model and options. Must include 'engine'; 'model' when there is one."""

    def applies_to(self, case: Case, call_id: int) -> bool:
        """Whether the stage has anything to do for this call (e.g. speech needs media)."""
        return True

    @abstractmethod
    def load(self, case: Case, call_id: int) -> Any:
        """Read the input for one call (runs in the coordinating process)."""

    @abstractmethod
    def compute(self, item: Any) -> Any:
        """Do the work for one call (runs in a worker; no case access)."""

    @abstractmethod
    def save(self, case: Case, call_id: int, result: Any, run_id: int) -> None:
        """Write results (coordinating process, inside a transaction)."""

    def after_run(self, case: Case) -> None:
        """Case-wide work once this run's calls are saved (e.g. linking voices across calls)."""

    def settings_hash(self) -> str:
        blob = json.dumps(self.settings(), sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


# name -> factory(**options) -> Stage. Stage packages register themselves on import.
STAGES = Registry("stage", sets_name=False)
#: default order of `lpost process`
STAGE_ORDER = ["speech", "translate", "analyze", "index", "voices"]
#: decorator: ``@register("name")`` on a Stage class or a factory function
register = STAGES.register


def load_stage_plugins() -> None:
    """Import the stage packages so they register (missing optional ones are skipped)."""
    from listeningpost.plugins import import_plugins

    import_plugins((
        "listeningpost.speech.stage",
        "listeningpost.translate.stage",
        "listeningpost.analyze.stage",
        "listeningpost.search.stage",
        "listeningpost.voices.stage",
    ))


def available_stages() -> list[str]:
    load_stage_plugins()
    return [s for s in STAGE_ORDER if s in STAGES] + sorted(set(STAGES) - set(STAGE_ORDER))


_INFER = object()
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def coerce_option(value: Any, like: Any = _INFER) -> Any:
    """A ``--opt STAGE.KEY=VALUE`` value arrives as text: convert it to the type of the default it
    replaces (``like``), or, with no default to go by, to the bool/int/float/None it spells."""
    if not isinstance(value, str):
        return value
    low = value.strip().lower()
    if low in ("none", "null"):
        return None
    if like is _INFER:
        if low in _TRUE + _FALSE:
            return low in _TRUE
        for kind in (int, float):
            try:
                return kind(low)
            except ValueError:
                pass
        return value
    if like is None or isinstance(like, str):
        return value
    if isinstance(like, bool):
        if low not in _TRUE + _FALSE:
            raise ValueError(f"expected true or false, got {value!r}")
        return low in _TRUE
    if isinstance(like, tuple):
        items = [v.strip() for v in value.split(",") if v.strip()]
        return tuple(type(like[0])(v) for v in items) if like else tuple(items)
    return type(like)(value)


def coerce_options(factory: Callable[..., Any], options: dict[str, Any]) -> dict[str, Any]:
    """Coerce each option against the factory's default for that keyword (inferred for **extra)."""
    defaults = {key: param.default for key, param in inspect.signature(factory).parameters.items()
                if param.default is not inspect.Parameter.empty}
    return {key: coerce_option(value, defaults.get(key, _INFER)) for key, value in options.items()}


def make_stage(name: str, **options: Any) -> Stage:
    load_stage_plugins()
    if name not in STAGES:
        raise KeyError(f"unknown stage {name!r}; available: {', '.join(available_stages()) or 'none'}")
    factory = STAGES[name]
    return factory(**coerce_options(factory, options))
