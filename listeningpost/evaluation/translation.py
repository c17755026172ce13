"""Translation scorer for `lpost eval`: chrF (sacrebleu) over all calls and glossary accuracy.

Glossary accuracy = share of glossary terms found in the source turns (``translate/glossary.yaml``,
lemma-matched) whose rendering appears in the machine translation of that turn.
"""

from __future__ import annotations

from typing import Any

from listeningpost.translate.glossary import Glossary, default_glossary


def machine_translation(turn: dict[str, Any], lang: str = "en", engine: str | None = None) -> str:
    """The machine (non-human) translation of a call-document turn, '' when there is none."""
    for tr in turn.get("translations", []):
        if tr.get("lang") == lang and tr.get("engine") != "human" and (engine is None or tr.get("engine") == engine):
            return tr.get("text") or ""
    return ""


def chrf(hypotheses: list[str], references: list[str]) -> float:
    """Corpus chrF (sacrebleu defaults), one segment per call."""
    from sacrebleu.metrics import CHRF

    return round(CHRF().corpus_score(hypotheses, [references]).score, 2)


def glossary_hits(sources: list[str], outputs: list[str], glossary: Glossary | None = None) -> tuple[int, int]:
    """(rendered, total) glossary term occurrences over aligned source/output segments."""
    glossary = glossary or default_glossary()
    hit = total = 0
    for src, out in zip(sources, outputs):
        for m in glossary.find(src or ""):
            total += 1
            hit += m.term.rendered_in(out or "")
    return hit, total


def score_lists(sources: list[list[str]], outputs: list[list[str]], references: list[list[str]],
                ids: list[str] | None = None, glossary: Glossary | None = None) -> dict[str, Any]:
    """Score calls given as turn lists (source, machine output, reference), aligned per call.

    Where a call's output has a different turn count than its source (an audio transcript), the
    glossary is checked on the whole call."""
    hyps, refs, hit, total, per_call = [], [], 0, 0, {}
    for i, (src, out, ref) in enumerate(zip(sources, outputs, references)):
        hyp_text, ref_text = " ".join(o for o in out if o), " ".join(r for r in ref if r)
        hyps.append(hyp_text)
        refs.append(ref_text)
        pairs = (src, out) if len(src) == len(out) else ([" ".join(s for s in src if s)], [hyp_text])
        h, t = glossary_hits(*pairs, glossary=glossary)
        hit, total = hit + h, total + t
        if ids is not None:
            per_call[ids[i]] = {"chrf": chrf([hyp_text], [ref_text]), "glossary_terms": t, "glossary_rendered": h}
    result: dict[str, Any] = {
        "chrf": chrf(hyps, refs) if hyps else 0.0,
        "glossary_accuracy": round(hit / total, 4) if total else None,
        "glossary_terms": total,
    }
    if ids is not None:
        result["per_call"] = per_call
    return result


def score(pairs: list[tuple[dict, dict]], engine: str | None = None) -> dict[str, Any]:
    sources, outputs, references, ids, engines = [], [], [], [], set()
    for gold, doc in pairs:
        if not (ref := gold.get("translation_en")):
            continue
        turns = doc.get("turns", [])
        sources.append([t.get("text") or "" for t in gold.get("turns", [])] or [t.get("text") or "" for t in turns])
        outputs.append([machine_translation(t, engine=engine) for t in turns])
        references.append([r or "" for r in ref])
        ids.append(gold.get("id", str(len(ids))))
        engines.update(tr["engine"] for t in turns for tr in t.get("translations", []) if tr.get("engine") != "human")
    if not ids:
        return {}
    result = score_lists(sources, outputs, references, ids)
    result["engines"] = sorted(engines)
    return {"translation": result}
