"""Scorers for the analysis stage: entities, claims, themes (rules in ../shared/eval/FORMAT.md)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from listeningpost.text.morph import lemmatise
from listeningpost.text.normalise import fold

#: a predicted entity matches a gold one of the same type at this lemma-set Jaccard or above
ENTITY_JACCARD = 0.5


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def lemma_set(text: str) -> frozenset[str]:
    return frozenset(lemmatise(text or ""))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def predicted_entities(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The call's entities an analyst has not rejected, one per (type, surface form): the gold lists a
    surface form once however often it is spoken, so repeated mentions are not extra predictions."""
    unique: dict[tuple[str, str], dict[str, Any]] = {}
    for ent in doc.get("entities") or []:
        if ent.get("status") != "rejected":
            unique.setdefault((ent["type"], fold(ent["text"]).strip()), ent)
    return list(unique.values())


def match_entities(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Pairs (gold index, pred index): same type, Jaccard >= 0.5, best overlaps first, each used once."""
    g_sets = [lemma_set(g["text"]) for g in gold]
    p_sets = [lemma_set(p["text"]) for p in pred]
    candidates = [(-j, gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(pred)
                  if g["type"] == p["type"] and (j := jaccard(g_sets[gi], p_sets[pi])) >= ENTITY_JACCARD]
    pairs: list[tuple[int, int]] = []
    for _, gi, pi in sorted(candidates):
        if all(gi != g and pi != p for g, p in pairs):
            pairs.append((gi, pi))
    return pairs


Compared = tuple[list[str], list[str], list[str], dict[str, Any]]  # gold types, predicted, matched, misses


def micro_scores(pairs: Iterable[tuple[dict, dict]], field: str, compare, per_key: str = "per_type") -> dict[str, Any]:
    """Micro P/R/F1 over the calls whose gold has ``field``, per type, and per-call misses/false
    alarms; ``compare(gold_item, doc)`` gives one call's gold, predicted and matched types."""
    totals = defaultdict(lambda: [0, 0, 0])  # type -> [tp, pred, gold]
    per_call = {}
    for gold_item, doc in pairs:
        if field not in gold_item:
            continue
        gold, pred, matched, errors = compare(gold_item, doc)
        for i, types in ((2, gold), (1, pred), (0, matched)):
            for t in types:
                totals[t][i] += 1
        per_call[gold_item.get("id")] = errors
    if not per_call:  # no gold item has the field
        return {}
    tp, n_pred, n_gold = (sum(v[i] for v in totals.values()) for i in range(3))
    result = prf(tp, n_pred, n_gold)
    result[per_key] = {t: {**prf(*v), "gold": v[2], "pred": v[1]} for t, v in sorted(totals.items())}
    result["per_call"] = per_call
    return result


def compare_entities(gold_item: dict, doc: dict) -> Compared:
    gold, pred = gold_item["entities"] or [], predicted_entities(doc)
    matched = match_entities(gold, pred)
    mg, mp = {gi for gi, _ in matched}, {pi for _, pi in matched}
    errors = {"missed": [(g["type"], g["text"]) for i, g in enumerate(gold) if i not in mg],
              "false": [(p["type"], p["text"]) for i, p in enumerate(pred) if i not in mp]}
    return [g["type"] for g in gold], [p["type"] for p in pred], [gold[gi]["type"] for gi, _ in matched], errors


def score_entities(pairs: Iterable[tuple[dict, dict]]) -> dict[str, Any]:
    """Micro P/R/F1 over calls and per type; ``per_call`` lists misses and false alarms for tuning."""
    return micro_scores(pairs, "entities", compare_entities)


def predicted_claims(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Claims an analyst has not rejected; a negated claim ("не погиб") states that the event did
    not happen, so it is no claim of its type."""
    return [c for c in doc.get("claims") or [] if c.get("status") != "rejected" and not c.get("negated")]


def _count_key(value: Any) -> int | None:
    return None if value is None else int(value)


def compare_claims(gold_item: dict, doc: dict) -> Compared:
    """A prediction matches a gold claim of the same type and count (null matches null); each gold
    claim matches at most one prediction."""
    gold = [(g["type"], _count_key(g.get("count"))) for g in gold_item["claims"] or []]
    pred = [(p["type"], _count_key(p.get("count"))) for p in predicted_claims(doc)]
    left, false, matched = list(gold), [], []
    for key in pred:
        if key in left:
            left.remove(key)
            matched.append(key[0])
        else:
            false.append(key)
    return [k[0] for k in gold], [k[0] for k in pred], matched, {"missed": left, "false": false}


def predicted_themes(doc: dict[str, Any]) -> set[str]:
    """Call-level themes (turn_id null) an analyst has not rejected."""
    return {t["theme"] for t in doc.get("themes") or [] if t.get("turn_id") is None and t.get("status") != "rejected"}


def compare_themes(gold_item: dict, doc: dict) -> Compared:
    """Scored as (call, theme) pairs: per theme, with per-call misses and false alarms."""
    gold, pred = set(gold_item["themes"] or []), predicted_themes(doc)
    return sorted(gold), sorted(pred), sorted(gold & pred), {"missed": sorted(gold - pred), "false": sorted(pred - gold)}


def score(pairs: list[tuple[dict, dict]]) -> dict[str, Any]:
    """Sections for `lpost eval`: entities, claims and themes, each where some gold item has it."""
    sections = {"entities": score_entities(pairs), "claims": micro_scores(pairs, "claims", compare_claims),
                "themes": micro_scores(pairs, "themes", compare_themes, per_key="per_theme")}
    return {name: section for name, section in sections.items() if section}
