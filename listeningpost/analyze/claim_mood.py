"""Whether a casualty predicate states a fact: mood, person, genericity and figurative use.

A kill/die/wound word is news only when it says that someone was (or is being) killed or hurt. It
states no fact as an order ("убей его"), as the speaker's or the listener's own death ("я от голода
умираю", "ты там сдохнешь"), as a general truth ("на войне всегда убивают": no victim, no agent, no
count, in the present), about a thing ("убивать время", "это убило всю мотивацию"), or as an epithet of
a thing ("мёртвая тишина", "мёртвая зона"). ``veto(sent, p, cls)`` names the reason, or None; the frame
of the predicate is then vetoed, and the stem triggers of ``claims`` stay silent on that word too.

``not_a_fact_form(tok)`` is the same test for a word without a frame (slang the lexicon has no class
for): an imperative, or a future read by pymorphy or guessed from the ending of an unknown perfective
verb ("разъебут").
"""

from __future__ import annotations

import re

from listeningpost.analyze.document import Sentence, Token
from listeningpost.analyze.syntax import children

#: adverbs that make a present-tense statement a general truth ("на войне всегда убивают")
GENERIC = {"всегда", "обычно", "вечно", "никогда", "иногда", "порой", "зачастую"}
#: the speaker and the listener: alive while they talk
SPEAKERS = {"я", "ты", "мы", "вы"}
#: claim types whose predicates the mood vetoes apply to
CASUALTY = {"killed", "wounded"}
#: lemma classes of ``predicates.yaml`` the tests read (kill verbs that take an object)
TRANSITIVE_KILL = {"kill", "kill_people"}
#: an unknown word whose ending is that of a non-past verb with a perfective prefix: a future
_FUTURE_GUESS = re.compile(r"^(?:раз|рас|вы|по|у|за|на|от|с|при|под|пере|до|об|въ|съ)\w{2,}(?:ут|ют|ет|ёт|ем|ём|ешь|ёшь)$")


def not_a_fact_form(tok: Token) -> bool:
    """An imperative or a future: an order, a threat or a forecast, never a report."""
    if "impr" in tok.tags or tok.pos == "VERB" and "futr" in tok.tags:
        return True
    return not tok.known and tok.pos != "VERB" and bool(_FUTURE_GUESS.match(tok.text.lower().replace("ё", "е")))


def veto(sent: Sentence, p: int, cls) -> str | None:
    """Why the casualty predicate at ``p`` (a ``structure.PredClass``) states no fact, or None."""
    if cls.type not in CASUALTY:
        return None
    tok = sent.tokens[p]
    if "impr" in tok.tags:
        return "order"
    if sent.heads is None:
        return None
    if cls.type == "killed" and tok.pos == "VERB" and "intr" in tok.tags and _speaker_dies(sent, p):
        return "speaker"
    if cls.name in TRANSITIVE_KILL and tok.pos == "VERB" and "tran" in tok.tags:
        if _thing_object(sent, p):
            return "thing"
        if "pres" in tok.tags and _generic(sent, p):
            return "generic"
    if tok.pos in ("ADJF", "PRTF") and _epithet(sent, p):
        return "epithet"
    return None


def _speaker_dies(sent: Sentence, p: int) -> bool:
    """"я умираю", "мы тут сдохнем", "ты погибнешь": the one talking or listening dies, so nobody did."""
    tok = sent.tokens[p]
    if {"1per", "2per"} & tok.tags:
        return True
    subj = [j for j in children(sent, p) if sent.rels[j] in ("nsubj", "nsubj:pass")]
    return bool(subj) and all(sent.tokens[j].lemma in SPEAKERS for j in subj)


def _thing_object(sent: Sentence, p: int) -> bool:
    """"убивать время", "убило мотивацию": the only objects are abstract things, no person is named."""
    from listeningpost.analyze.structure import _person_like, arg_class

    objs = [j for j in children(sent, p) if sent.rels[j] == "obj"]
    if not objs or any(_person_like(sent, j) for j in objs):
        return False
    if any(_person_like(sent, k) for j in objs for k in children(sent, j) if sent.rels[k] == "nmod"):
        return False  # "расстреляли колонну беженцев": a group of people
    living = arg_class("people") | arg_class("animal") | arg_class("civil")
    return all(sent.tokens[j].pos == "NOUN" and "inan" in sent.tokens[j].tags and sent.tokens[j].lemma not in living
               for j in objs)


def _generic(sent: Sentence, p: int) -> bool:
    """A present with no subject, object or number ("на войне убивают"), or with an adverb of habit
    ("всегда убивают"): a general truth, not an event."""
    kids = children(sent, p)
    return any(sent.tokens[j].lemma in GENERIC for j in kids) \
        or not any(sent.rels[j] in ("nsubj", "obj", "nummod", "nummod:gov", "iobj") for j in kids)


def _epithet(sent: Sentence, p: int) -> bool:
    """"мёртвая тишина", "убитая дорога": a casualty adjective qualifying a thing that cannot die."""
    from listeningpost.analyze.structure import arg_class

    head = sent.heads[p]
    if head < 0 or sent.rels[p] != "amod":
        return False
    noun = sent.tokens[head]
    living = arg_class("people") | arg_class("bodies") | arg_class("civil") | arg_class("animal") | arg_class("body")
    return noun.pos == "NOUN" and "inan" in noun.tags and noun.lemma not in living


__all__ = ["GENERIC", "not_a_fact_form", "veto"]
