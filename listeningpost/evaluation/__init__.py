"""`lpost eval`: score the product against gold files (format: ../shared/eval/FORMAT.md).

The driver (``runner.py``) ingests each gold item into a temporary case (audio when the item has
``audio``, else the gold ``turns`` as a transcript), runs the stages the gold needs, and hands
``(gold_item, call_document)`` pairs to each scorer module. A scorer module exposes

    def score(pairs: list[tuple[dict, dict]]) -> dict

returning the top-level sections it computed (e.g. ``{"asr": {...}, "diarization": {...}}``), or an
empty dict when no gold item carries the fields it needs.
"""

#: scorer modules, imported by the driver in this order
SCORER_MODULES = (
    "listeningpost.evaluation.asr",          # asr (WER/CER), diarization (DER)
    "listeningpost.evaluation.translation",  # translation (chrF, glossary accuracy)
    "listeningpost.evaluation.extraction",   # entities, claims, themes
)
