"""Claims: checkable statements of fact (casualties, losses, refusals, shortages, harm to civilians).

Rules over the text layer, one sentence at a time:

* structure first (``structure.py``): a predicate of a lemma class (kill, die, wound, refuse, flee, lose,
  burn, sink, rape, loot, not-pay, not-feed, ...) with its arguments from the syntax parse gives the
  type, the count (the number attached to the victims or the equipment; "по N в день" a rate, "из N
  осталось M" the difference) and the who/what; the parse also vetoes stem triggers that state no fact;
  a bare number answering a question about such a predicate in the turn before is that claim's count;
* a trigger (a word stem, in Russian or Ukrainian, slang included) names the event; some triggers
  only count with context in the sentence ("положили" needs people, "разъебали" needs equipment);
* casualty codes (двухсотые, 300, груз 200) are claims by themselves, counted by the number before them;
* the count is the nearest number in the same clause that is not a duration, a calibre, a grid
  reference or a comparison; a lone victim named in the singular (комбриг, полковник, его) counts 1;
* questions, wishes and conditions are not claims; hedges ("говорят", "якобы", "официально") and
  negation ("не погиб") are flagged;
* a claim repeated nearby in the same turn, or read back on the radio, is one claim;
* recurring phenomena without a closed type (wounded not evacuated, bodies not returned or dumped,
  convicts brought in, officials denying the unit is there, lying to families) are "other" claims
  from phrase rules (``PHENOMENA``); different phenomena are never merged into one claim.

The quote is the shortest clause span of the ORIGINAL turn text holding the trigger and the count.

This module is the driver (one sentence, then the call); the word classes and triggers are in
``claim_words.py``, the claim record and the sentence view in ``claim_text.py``, the phrase rules in
``phenomena.py`` and the folding of repeats in ``claim_merge.py``.
"""

from __future__ import annotations

from itertools import pairwise

# CLAIM_TYPES, FIRE, PHRASES and TRIGGERS are imported from here by other modules
from listeningpost.analyze import claim_mood, structure
from listeningpost.analyze.claim_merge import _merge
from listeningpost.analyze.claim_text import (Claim, _clause_span, _details, _has, _is_question_or_wish, _joined,
                                              _negated_at, _numbers, _usable_count, _wish_clauses,
                                              _Word, _word_at, _words)
from listeningpost.analyze.claim_words import (CIVIL, CIVIL_HARM, CLAIM_TYPES, COUNTED, FIRE, FIRE_AT_US, FUNCTION,
                                               HEDGES, NOT_CASUALTY, PEOPLE, PER_UNIT, PHRASES, PLURAL_PEOPLE,
                                               RETREAT, SHOOT, SINGULAR_PERSON, SUPPLY, TRIGGERS)
from listeningpost.analyze.document import AnalysisDoc, DocTurn, Sentence
from listeningpost.analyze.numbers import CODE_MEANING, NumberSpan, find_numbers
from listeningpost.analyze.phenomena import _phenomena
from listeningpost.text.normalise import fold


def _sentence_claims(doc: AnalysisDoc, turn: DocTurn, si: int, sent: Sentence, civil_turn: bool,
                     prev_question: list[_Word], near: list[str] = (), turn_words: list[str] = ()) -> list[Claim]:
    words = _words(sent)
    if not words:
        return []
    question = sent.text.rstrip(" \"'»)*.…").endswith("?")
    threat = _execution_threat(words)
    conditional = _is_question_or_wish(sent, words)
    if conditional and (question or not threat):
        return []
    # only the threat itself is a claim in "если кто назад побежит, замочим"
    numbers = [] if conditional else _numbers(turn, sent)
    found: list[tuple[str, list[int], float, bool]] = []  # type, word indexes, confidence, has_code
    if threat:
        found.append(("other", threat, 0.5, False))
    frame_hits = [] if conditional else _rule_hits(sent, words, numbers, prev_question, found)
    frame_counts, frame_data = _frame_details(frame_hits, found)
    found = _resolve(found, words, civil_turn)
    rules: list[str | None] = [None] * len(found)
    for name, hits in (_phenomena(words, list(near), list(turn_words)) if not conditional else []):
        found.append(("other", hits, 0.6, False))
        rules.append(name)
    fire = bool(_has(words, FIRE))
    hedged = bool(_has(words, HEDGES))
    return [_claim(doc, turn, si, sent, words, numbers, hit, rule, fire, hedged, frame_counts, frame_data)
            for hit, rule in zip(found, rules)]


def _rule_hits(sent: Sentence, words: list[_Word], numbers: list[NumberSpan], prev_question: list[_Word],
               found: list[tuple[str, list[int], float, bool]]) -> list:
    """Add the casualty codes, stem triggers, fire at us and fixed phrases of a sentence that is no
    question or wish to ``found``; return its predicate frames outside wish clauses (``_frame_hits``)."""
    for num in numbers:  # casualty codes first: the slang reading wins
        if num.kind == "code" and not (words and (_word_at(words, num.start) is None or
                                                  words[_word_at(words, num.start)].aside)):
            found.append((CODE_MEANING[num.code], [_word_at(words, num.start)], 0.9, True))
    frame_hits, vetoed = _frame_hits(sent, words, numbers)
    wished = _wish_clauses(words)
    frame_hits = [f for f in frame_hits if words[f[1][0]].clause not in wished]
    typed: dict[int, set[str]] = {}
    for kind, hits, _, _ in frame_hits:
        typed.setdefault(hits[0], set()).add(kind)
    found.extend(_trigger_hits(words, vetoed, typed, wished, prev_question))
    lemmas = " ".join(w.key for w in words)
    for kind, pattern, strength in [("other", FIRE_AT_US, 0.5)] + [(k, p, 0.8) for k, p in PHRASES]:
        m = pattern.search(lemmas)
        if m:
            found.append((kind, [min(len(lemmas[:m.start()].split()), len(words) - 1)], strength, False))
    return frame_hits


def _trigger_hits(words: list[_Word], vetoed: set[int], typed: dict[int, set[str]], wished: set[int],
                  prev_question: list[_Word]) -> list[tuple[str, list[int], float, bool]]:
    """(type, word indexes, strength, False) of the stem triggers (``TRIGGERS``) that fire in a sentence."""
    found = []
    for trig in TRIGGERS:
        hits = [i for i, w in enumerate(words) if not w.aside and (trig.stems.match(w.key)) and i not in vetoed
                and trig.type in typed.get(i, (trig.type,))  # a predicate the parse read has the parse's type
                and w.clause not in wished and w.tok.lemma not in NOT_CASUALTY
                and (trig.type == "shortage" or not claim_mood.not_a_fact_form(w.tok))]  # "разъебут": a threat
        if not hits:
            continue
        context = words + (prev_question if trig.type == "shortage" else [])
        if trig.type == "shortage" and trig.needs:
            hits = [i for i in hits if _lack_of_supply(words, i, context)]
        elif any(not _has(context, need) for need in trig.needs):
            continue
        if hits:
            found.append((trig.type, hits, trig.strength, False))
    return found


def _frame_details(frame_hits: list, found: list[tuple[str, list[int], float, bool]]) -> tuple[dict, dict]:
    """Add the frames to ``found``; return the parse's count per claim type (count, word index) and the
    frame data per type (frame names, negative class, rate / per / total / left of the counted frame)."""
    frame_counts, frame_data = {}, {}
    for kind, hits, count, data in frame_hits:
        found.append((kind, hits, 0.7, False))
        info = frame_data.setdefault(kind, {"frames": []})
        info["frames"].append(data.pop("frame"))
        if data.pop("negative_class", False):
            info["negative_class"] = True  # "не вернулись": the "не" is the claim, not its negation
        if data.pop("uncounted", False):
            info["uncounted"] = True  # an award: a number near it is a date or another fact's
        if count is not None and kind not in frame_counts:
            frame_counts[kind] = (count, data.pop("count_word", None))
            info.update(data)  # rate / per / total / left of the counted frame
    return frame_counts, frame_data


def _claim(doc: AnalysisDoc, turn: DocTurn, si: int, sent: Sentence, words: list[_Word], numbers: list[NumberSpan],
           hit: tuple[str, list[int], float, bool], rule: str | None, fire: bool, hedged: bool,
           frame_counts: dict, frame_data: dict) -> Claim:
    """The claim of one resolved hit: its count, quote, negation and details."""
    kind, hits, confidence, has_code = hit
    count, count_idx = _count_for(words, numbers, hits, kind, has_code, fire)
    if kind in frame_counts and (not has_code or count is None):  # the parse's number wins
        count, count_idx = frame_counts[kind][:2]
    if kind == "shortage" or kind not in frame_counts and frame_data.get(kind, {}).get("uncounted"):
        # "один танк стоит" is what is left, not how much is lacking; a number by an award is not its count
        count, count_idx = None, None
    if count_idx is not None and "rate" not in frame_data.get(kind, {}):
        rate = structure.rate_at(sent, sent.tokens.index(words[count_idx].tok))
        frame_data.setdefault(kind, {}).update(rate)
    span_idx = hits + ([count_idx] if count_idx is not None else [])
    start, end = _clause_span(words, span_idx)
    if turn.text.count("[", start, end) > turn.text.count("]", start, end) and "]" in turn.text[end:end + 2]:
        end = turn.text.index("]", end) + 1  # an editor's reading closes inside the quote
    quote = turn.text[start:end]
    negated = any(_negated_at(words, i) for i in hits) and kind != "shortage" \
        and not frame_data.get(kind, {}).get("negative_class") and rule is None  # a rule's "не": its content
    return Claim(
        kind, count, quote, turn.index, start, end, turn.speaker, turn.start_s, turn.end_s,
        hedged=hedged, negated=negated, confidence=round(confidence - 0.1 * hedged, 2),
        data={"trigger": [words[i].tok.orig for i in hits], "sentence": si, "fire": fire and rule is None,
              **({"rule": rule} if rule else {}),
              "us": any(w.key in ("нас", "нам", "мне", "меня", "наш", "наши", "нашим", "нашу") for w in words),
              "lemmas": [w.tok.lemma for w in words if start <= w.tok.start < end and w.tok.pos not in FUNCTION],
              **frame_data.get(kind, {})},
        **_with_rate(_details(doc, turn, sent, words), frame_data.get(kind, {})),
    )


def _with_rate(details: dict[str, str | None], frame: dict) -> dict[str, str | None]:
    """The frame's arguments fill what the sentence's entities leave open (who, what equipment); a
    rate's unit is the claim's period when the sentence names no date: "per day"."""
    details["subject"] = frame.get("who") or details.get("subject")
    details["equipment"] = details.get("equipment") or frame.get("what")
    if frame.get("rate") and not details.get("period"):
        details["period"] = f"per {PER_UNIT.get(frame.get('per'), frame.get('per') or 'occasion')}"
    return details


def _number_values(sent: Sentence, words: list[_Word], numbers: list[NumberSpan]) -> dict[int, int]:
    """Sentence token index -> count, for the first token of each usable count."""
    at = {tok.start: i for i, tok in enumerate(sent.tokens)}
    return {at[n.start]: n.count for n in numbers if n.start in at and _usable_count(words, n, False)}


def _frame_hits(sent: Sentence, words: list[_Word], numbers: list[NumberSpan]):
    """(type, word indexes, count, data) of the predicate frames of a sentence (see ``structure``), and
    the word indexes of predicates the parse rejected ("телефон сдох", "убить мало", a condition): the
    stem triggers do not fire on those."""
    index = {id(w.tok): i for i, w in enumerate(words) if not w.aside}
    out, framed, vetoed = [], set(), set()
    for f in structure.frames(sent, _number_values(sent, words, numbers)):
        pred = index.get(id(sent.tokens[f.pred]))
        if pred is None:
            continue
        if f.conditional or "veto" in f.data:
            vetoed.add(pred)
            continue
        framed.add(pred)
        data = dict(f.data, frame=f.cls.name, **({"negative_class": True} if f.cls.negated else {}),
                    **({"uncounted": True} if not f.cls.counted else {}))
        if f.count_at is not None:
            data["count_word"] = index.get(id(sent.tokens[f.count_at]))
        out.append((f.type, [pred], f.count, data))
    return out, vetoed - framed


def _execution_threat(words: list[_Word]) -> list[int]:
    """Word indexes of a shoot-your-own threat: a shooting word and a retreat/refusal cue in one sentence."""
    shoot = [i for i, w in enumerate(words) if not w.aside and SHOOT.match(w.key)]
    return shoot if any(RETREAT.match(w.key) for w in words) else []


def _lack_of_supply(words: list[_Word], i: int, context: list[_Word]) -> bool:
    """A supply word and a lack: "нет еды", "патроны кончились", "оружие не поставляют"."""
    key = words[i].key
    if i == 0 and key in ("нет", "ні") and len(words) > 1 and words[1].clause != words[0].clause:
        return False  # "Нет, вон один танк стоит": the answer "no", not a lack
    negated = i > 0 and words[i - 1].key in ("не", "ни", "нє")
    if key.startswith(("нет", "нету", "немає", "нема", "закончил", "кончил", "кончают", "бракує", "меньше")):
        return bool(_has(words, SUPPLY))
    if key.startswith(("хватает", "хватит")):
        return negated and bool(_has(words, SUPPLY))
    return negated and bool(_has(context, SUPPLY))


def _resolve(found: list[tuple[str, list[int], float, bool]], words: list[_Word], civil_turn: bool):
    """One claim per type per sentence; harm to civilians when the turn is about civilians; 'other'
    only when nothing more specific was found."""
    by_type: dict[str, tuple[str, list[int], float, bool]] = {}
    civil_here = bool(_has(words, CIVIL)) or civil_turn
    own_side = any(w.key in ("наших", "наши", "пацанов", "нас") for w in words)
    for kind, hits, conf, code in found:
        if kind in ("killed", "captured") and civil_here and not code and not own_side \
                and any(CIVIL_HARM.match(words[i].key) for i in hits):
            kind = "civilian_harm"
        old = by_type.get(kind, (kind, [], conf, False))  # hits come sorted: a first one stays as it is
        by_type[kind] = (kind, sorted(set(old[1] + hits)), max(old[2], conf), old[3] or code)
    if civil_here and "civilian_harm" not in by_type and not own_side \
            and (harm := [i for i, w in enumerate(words) if CIVIL_HARM.match(w.key)]):
        by_type["civilian_harm"] = ("civilian_harm", harm, 0.6, False)
    if len(by_type) > 1:
        by_type.pop("other", None)
    if "equipment_lost" in by_type and "killed" in by_type and not by_type["killed"][3] and not _has(words, PEOPLE):
        by_type.pop("killed")  # "технику разъебали" also matches people-less killing verbs: equipment wins
    return list(by_type.values())


def _count_for(words: list[_Word], numbers: list[NumberSpan], hits: list[int], kind: str, has_code: bool,
               fire: bool) -> tuple[int | None, int | None]:
    """The count of a claim and the word index it sits at."""
    anchor = min(hits)
    if has_code:  # "6 трёхсотых", "Вчера 4 300": the count right before the code
        for prev, num in pairwise(numbers):
            if num.kind == "code" and _word_at(words, num.start) in hits and prev.kind == "count" \
                    and _word_at(words, prev.start) is not None \
                    and anchor - _word_at(words, max(prev.start, prev.end - 1)) <= 2:
                return prev.count, _word_at(words, prev.start)
        return None, None
    # the nearest usable number (the first of equals) in the trigger's clause or two words away, at most six
    near = [(min(abs(i - h) for h in hits), i, num) for num in numbers if _usable_count(words, num, fire)
            for i in [_word_at(words, num.start)]]
    best = min((c for c in near if c[0] <= 6 and (c[0] <= 2 or words[c[1]].clause == words[anchor].clause)),
               key=lambda c: c[0], default=None)
    if best is not None:
        return best[2].count, best[1]
    if kind in ("killed", "wounded", "captured", "missing") and _has(words, SINGULAR_PERSON) \
            and not _has(words, PLURAL_PEOPLE):
        return 1, None
    if kind == "other" and fire:  # "выпустили четвёртую ракету": the fourth shot means four
        for num in numbers:
            i = _word_at(words, num.start)
            if num.kind == "ordinal" and i is not None and i + 1 < len(words) and FIRE.match(words[i + 1].key):
                return int(num.value), i
    return None, None


def _answer_claims(turn: DocTurn, sent: Sentence, asked: Sentence) -> list[Claim]:
    """A bare answer with a number to a question about a predicate: the claim of the two turns together,
    quoted from the answer."""
    words = _words(sent)
    numbers = [n for n in _numbers(turn, sent) if _usable_count(words, n, False)]
    if not numbers or len(words) > 10 or sent.text.rstrip(" \"'»)*.…").endswith("?"):
        return []
    q_words = _words(asked)
    kinds = [f.type for f in structure.frames(asked, {}) if f.type in COUNTED and not f.negated]
    kinds += [CODE_MEANING[n.code] for n in find_numbers(" ".join(w.key for w in q_words)) if n.kind == "code"]
    if not kinds:
        return []
    start, end = words[0].tok.start, words[-1].tok.end
    return [Claim(kinds[0], numbers[0].count, turn.text[start:end], turn.index, start, end, turn.speaker,
                  turn.start_s, turn.end_s, hedged=bool(_has(words, HEDGES)), confidence=0.6,
                  data={"trigger": [], "sentence": 0, "fire": False, "answer_to": asked.text, "us": False,
                        "lemmas": [w.tok.lemma for w in q_words + words if w.tok.pos not in FUNCTION]})]


def extract_claims(doc: AnalysisDoc) -> list[Claim]:
    """All claims of a call, in order of speech; also stored on ``doc.claims``."""
    structure.parse(doc)
    claims: list[Claim] = []
    prev_question: list[_Word] = []
    asked: Sentence | None = None  # the question that ended the turn before
    prev_turn: list[str] = []  # joined words of the last two sentences of the turn before
    for turn in doc.turns:
        turn_words = [fold(t.text) for t in turn.tokens if t.is_word]
        civil_turn = any(CIVIL.match(w) for w in turn_words)
        joined = [_joined(_words(sent)) for sent in turn.sentences]
        for si, sent in enumerate(turn.sentences):
            near = prev_turn + [t for pair in joined[max(0, si - 2):si] for t in pair]
            found = _sentence_claims(doc, turn, si, sent, civil_turn, prev_question, near, turn_words)
            if si == 0 and asked is not None and all(c.count is None for c in found):
                answer = _answer_claims(turn, sent, asked)  # "Сколько погибло?" - "Человек тридцать."
                found = answer + [c for c in found if c.type not in {a.type for a in answer}]
            claims.extend(found)
        prev_turn = [t for pair in joined[-2:] for t in pair]
        last = turn.sentences[-1] if turn.sentences else None
        asked = last if last and last.text.rstrip(" \"'»)*.…").endswith("?") else None
        prev_question = _words(asked) if asked else []
    doc.claims = _merge(claims)
    return doc.claims


__all__ = ["CLAIM_TYPES", "Claim", "extract_claims"]
