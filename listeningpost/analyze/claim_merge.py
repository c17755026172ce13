"""Folding repeated claims of a call into one (a repeat nearby, an echo by the other speaker, a radio
read-back)."""

from __future__ import annotations

from listeningpost.analyze.claim_text import Claim
from listeningpost.text.morph import lemma

#: claim types whose uncounted mentions in one turn are one claim
UNCOUNTED_ONCE = ("killed", "wounded")
#: frames read from the shape of a sentence, not from a predicate class: two of them are two events
#: unless their predicates or words are the same ("Петров подписал ..." / "Иванов уехал ...")
GENERIC_FRAMES = {"named_deed", "quantity", "without_supply", "small_share_of_supply"}


def _merge(claims: list[Claim], window: int = 2) -> list[Claim]:
    """Fold repeats: same type and count in the same turn within ``window`` sentences, or the same
    words again later in the call (a radio read-back)."""
    out: list[Claim] = []
    for c in claims:
        dup = None
        for o in out:
            same_place = (o.turn_index, o.data["sentence"]) == (c.turn_index, c.data["sentence"])
            same_rule = o.data.get("rule") == c.data.get("rule") or c.count is not None and same_place
            if (o.type, o.count, o.negated) != (c.type, c.count, c.negated) or not same_rule:
                continue  # different phenomena are different claims unless one count of one sentence; "not" is not "yes"
            near = o.turn_index == c.turn_index and abs(o.data["sentence"] - c.data["sentence"]) <= window \
                and (c.count is not None or _same_event(o, c))  # uncounted: different predicates, different events
            # deaths or wounds without a number, told again anywhere in one turn (a monologue comes back to
            # its dead): one claim; a counted one stays apart ("весь батальон положили" / "комбата положили")
            near = near or o.turn_index == c.turn_index and c.count is None and c.type in UNCOUNTED_ONCE
            # no count either side, a turn or two apart: the same event asked about, confirmed or
            # echoed ("там у вас кушать нечего" / "Нечего, согласен. Вообще нет еды")
            # ... by the other speaker right after, or with a shared word: two losses told in a row stay two
            echo = c.count is None and 0 < c.turn_index - o.turn_index <= window and (
                c.turn_index - o.turn_index == 1 and c.speaker != o.speaker
                or _overlap(o.data["lemmas"], c.data["lemmas"]) > 0)
            if near or echo or _overlap(o.data["lemmas"], c.data["lemmas"]) >= 0.5:
                dup = o
                break
        if dup is None:
            out.append(c)
            continue
        dup.data.setdefault("repeats", []).append({"turn": c.turn_index, "quote": c.quote})
        dup.confidence = min(0.95, dup.confidence + 0.05)
    return out


def _same_event(a: Claim, b: Claim) -> bool:
    """Two uncounted claims near each other tell one event when they share a predicate (trigger lemma or
    predicate class) or most words; "насиловали" and "забирали" are two."""
    def keys(c: Claim) -> set[str]:  # a frame without a predicate class of its own says nothing of the event
        return {lemma(w) for w in c.data.get("trigger", [])} | set(c.data.get("frames", [])) - GENERIC_FRAMES

    return bool(keys(a) & keys(b)) or not a.data.get("trigger") or not b.data.get("trigger") \
        or _overlap(a.data["lemmas"], b.data["lemmas"]) >= 0.5


def _overlap(a: list[str], b: list[str]) -> float:
    """Overlap coefficient of content lemmas: a read-back repeats most words of the shorter one."""
    sa, sb = set(a), set(b)
    return len(sa & sb) / min(len(sa), len(sb)) if sa and sb else 0.0
