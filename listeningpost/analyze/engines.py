"""Analysis engines: what finds the claims of a call in the ``analyze`` stage. One registry, one protocol.

Entities and themes come from the rules whichever engine runs: the engine gets the call's document
(text layer built, ``doc.entities`` filled) and returns its claims, which the themes then take as
evidence. Built in: ``rules`` (``claims.py``), ``llm`` (``llm_claims.py``, the local Qwen) and ``both``
(their union). Another engine is one module that registers itself with
``@register_analysis_engine("NAME")`` and is listed in ``plugins.ANALYSIS_MODULES``; it is picked with
``--opt analyze.engine=NAME`` (docs/extending.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

from listeningpost.analyze.claims import Claim, extract_claims
from listeningpost.analyze.document import AnalysisDoc
from listeningpost.analyze.llm_claims import PROMPT_VERSION, extract_llm_claims, merge_claims
from listeningpost.registry import Registry

DEFAULT_ENGINE = "rules"


@dataclass
class ClaimOptions:
    """What a run hands every engine; each uses what it needs."""

    #: ``chat(messages, max_tokens) -> str`` in place of the local Qwen (engines llm, both; from Python)
    chat: Callable[[list[dict[str, str]], int], str] | None = None
    #: a folder of model answers to reuse (``llm_claims.cached_chat``; ``--opt analyze.llm_cache=DIR``)
    llm_cache: str | None = None


class ClaimEngine(Protocol):
    """Built as ``factory()`` for each call (cache loaded models in a module-level dict: workers keep
    them between calls).

    ``claims`` returns ``claims.Claim`` records in order of speech: ``quote`` cut from the ORIGINAL turn
    text (``doc.turns[turn_index].text[start_char:end_char]``), ``type`` one of ``CLAIM_TYPES``, ``count``
    an int or None. ``settings`` is what decides the output beyond the rules' version (model, prompt
    version, ...): recorded under ``"claims"`` in the run's settings, so a change re-queues the stage;
    None records nothing. The run records ``engine = "listeningpost-NAME"``.
    """

    name: str  # set by register_analysis_engine

    def settings(self) -> dict[str, Any] | None:
        """What the engine's output depends on (JSON-able), or None."""

    def claims(self, doc: AnalysisDoc, options: ClaimOptions) -> list[Claim]:
        """The claims of one call."""


ENGINES = Registry("analysis engine", plugins="ANALYSIS_MODULES")
#: class decorator: ``@register_analysis_engine("name")`` makes ``factory()`` the engine ``name``
register_analysis_engine = ENGINES.register
check_engine = ENGINES.check


def make_claim_engine(name: str) -> ClaimEngine:
    """The registered engine ``name``; ValueError naming the registered ones for any other."""
    check_engine(name)
    return ENGINES[name]()


@register_analysis_engine("rules")
class RulesEngine:
    """The rule engine (``claims.py``, structure first)."""

    def settings(self) -> None:
        return None  # the rules' version is in the stage settings already: they stay as they were

    def claims(self, doc: AnalysisDoc, options: ClaimOptions) -> list[Claim]:
        return extract_claims(doc)


@register_analysis_engine("llm")
class LlmEngine:
    """One chat call per window of speech to the local Qwen (``llm_claims.py``), or to ``options.chat``."""

    def settings(self) -> dict[str, Any]:
        from listeningpost.llm import QWEN_NAME

        return {"engine": self.name, "llm": QWEN_NAME, "prompt": PROMPT_VERSION}

    def claims(self, doc: AnalysisDoc, options: ClaimOptions) -> list[Claim]:
        return extract_llm_claims(doc, options.chat, cache=options.llm_cache if options.chat is None else None)


@register_analysis_engine("both")
class BothEngine(LlmEngine):
    """The rules' and the LLM's claims, an overlap kept once (``llm_claims.merge_claims``)."""

    def claims(self, doc: AnalysisDoc, options: ClaimOptions) -> list[Claim]:
        rules = extract_claims(doc)
        return merge_claims(rules, super().claims(doc, options))


__all__ = ["DEFAULT_ENGINE", "ENGINES", "ClaimEngine", "ClaimOptions", "check_engine",
           "make_claim_engine", "register_analysis_engine"]
