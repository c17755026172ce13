"""ASR and diarization scorer for `lpost eval` (../shared/eval/FORMAT.md).

* ASR: WER and CER (jiwer) after normalisation -- lower case, ё -> е, bracketed notes and
  punctuation removed -- micro-averaged over all words/characters of all calls, plus per call.
  Calls whose gold turns have unknown text (``text: null``) are not scored for WER.
* Diarization: DER with no collar and overlapped speech scored, on a 10 ms grid; the hypothesis
  speakers are mapped one-to-one onto the gold speakers to maximise overlap (Hungarian method).
  DER = (missed + false alarm + confused speaker time) / gold speaker time, pooled over calls.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

import jiwer
import numpy as np
from scipy.optimize import linear_sum_assignment

from listeningpost.text.normalise import bare_words

FRAME_S = 0.01
_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)|\{[^}]*\}|<[^>]*>")


def normalise(text: str) -> str:
    return bare_words(_BRACKETS.sub(" ", text))


def _reference_text(gold: dict) -> str | None:
    turns = gold.get("turns") or []
    if not turns or any(t.get("text") is None for t in turns):
        return None
    return normalise(" ".join(t["text"] for t in turns))


def _hypothesis_text(doc: dict) -> str:
    return normalise(" ".join(t.get("text") or "" for t in doc.get("turns") or []))


def error_rates(refs: list[str], hyps: list[str]) -> tuple[float, float]:
    """Pooled (WER, CER) over pairs; empty references with empty hypotheses count as correct."""
    keep = [(r, h) for r, h in zip(refs, hyps) if r]
    extra_words = sum(len(h.split()) for r, h in zip(refs, hyps) if not r)
    extra_chars = sum(len(h) for r, h in zip(refs, hyps) if not r)
    if not keep:
        return 0.0, 0.0
    refs_k, hyps_k = [r for r, _ in keep], [h for _, h in keep]
    words = jiwer.process_words(refs_k, hyps_k)
    chars = jiwer.process_characters(refs_k, hyps_k)
    n_words = sum(len(r.split()) for r in refs_k)
    n_chars = sum(len(r) for r in refs_k)
    wer = (words.substitutions + words.deletions + words.insertions + extra_words) / n_words
    cer = (chars.substitutions + chars.deletions + chars.insertions + extra_chars) / n_chars
    return wer, cer


def _frames(spans: Iterable[tuple[str, float, float]], n_frames: int) -> np.ndarray:
    labels = sorted({s for s, _, _ in spans})
    grid = np.zeros((len(labels), n_frames), dtype=bool)
    for speaker, start, end in spans:
        a, b = int(round(start / FRAME_S)), int(round(end / FRAME_S))
        grid[labels.index(speaker), max(0, a):max(0, b)] = True
    return grid


def der_counts(reference: list[tuple[str, float, float]], hypothesis: list[tuple[str, float, float]]) -> tuple[float, float]:
    """(error time, reference speaker time) in seconds for one call."""
    end = max([e for _, _, e in reference] + [e for _, _, e in hypothesis] + [0.0])
    n = int(np.ceil(end / FRAME_S)) + 1
    ref, hyp = _frames(reference, n), _frames(hypothesis, n)
    n_ref, n_hyp = ref.sum(0), hyp.sum(0)
    correct = np.zeros(n, dtype=int)
    if len(ref) and len(hyp):
        overlap = ref.astype(np.int32) @ hyp.T.astype(np.int32)
        rows, cols = linear_sum_assignment(-overlap)
        for i, j in zip(rows, cols):
            correct += ref[i] & hyp[j]
    error = np.maximum(n_ref, n_hyp) - correct
    return float(error.sum() * FRAME_S), float(n_ref.sum() * FRAME_S)


def _reference_spans(gold: dict) -> list[tuple[str, float, float]] | None:
    turns = gold.get("turns") or []
    if not turns or any(t.get("start") is None or t.get("end") is None for t in turns):
        return None
    return [(str(t.get("speaker")), float(t["start"]), float(t["end"])) for t in turns]


def _hypothesis_spans(doc: dict) -> list[tuple[str, float, float]]:
    return [(str(t.get("speaker")), float(t["start"]), float(t["end"]))
            for t in doc.get("turns") or [] if t.get("start") is not None and t.get("end") is not None]


def score(pairs: list[tuple[dict, dict]]) -> dict[str, Any]:
    """``pairs``: (gold item, call document). Returns ``{"asr": ..., "diarization": ...}`` for the
    sections the gold supports (only items with ``audio`` are speech-scored)."""
    out: dict[str, Any] = {}
    if asr_items := [(g, d) for g, d in pairs if g.get("audio") and _reference_text(g) is not None]:
        refs = [_reference_text(g) or "" for g, _ in asr_items]
        hyps = [_hypothesis_text(d) for _, d in asr_items]
        wer, cer = error_rates(refs, hyps)
        per_call = {}
        for (gold, _), ref, hyp in zip(asr_items, refs, hyps):
            w, c = error_rates([ref], [hyp])
            per_call[gold["id"]] = {"wer": round(w, 4), "cer": round(c, 4)}
        out["asr"] = {"wer": round(wer, 4), "cer": round(cer, 4), "per_call": per_call}
    if der_items := [(g, d) for g, d in pairs if g.get("audio") and _reference_spans(g) is not None]:
        errors = total = 0.0
        per_call = {}
        for gold, doc in der_items:
            err, ref_time = der_counts(_reference_spans(gold), _hypothesis_spans(doc))
            errors, total = errors + err, total + ref_time
            per_call[gold["id"]] = {"der": round(err / ref_time, 4) if ref_time else 0.0}
        out["diarization"] = {"der": round(errors / total, 4) if total else 0.0, "per_call": per_call}
    return out
