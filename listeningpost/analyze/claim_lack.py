"""Shortages stated without a verb of lacking: "без X" and a small share of the supplies.

Two structures of the parse that say supplies are missing (``shortage``, never counted):

* a supply noun (``predicates.yaml`` ARGUMENTS ``supply``) under "без" that depends on a verb, a
  short participle or nothing (a sentence without a verb): "сидим без воды", "отправили на штурм без
  бронежилетов", "Третий день без еды"; not "без" qualifying another noun ("каска без ремешка") and
  not in a clause that is an order, a future, a negation or a condition ("без оружия не выходить",
  "если останемся без воды"), nor of one person ("я пришёл без каски": a choice, not a lack);
* a share ("N %", "N процентов", "треть", "половина", "десятая часть") limited by "только", "всего",
  "лишь" or "не больше/не более" whose noun is a supply ("получили только десять процентов снарядов"):
  the supplies came short.

Questions, wishes and conditions never get here (``claims`` drops those sentences first).
"""

from __future__ import annotations

from listeningpost.analyze import claim_mood, syntax
from listeningpost.analyze.document import Sentence
from listeningpost.analyze.structure import VERBAL, Frame, PredClass, arg_class

WITHOUT = PredClass("without_supply", "shortage", frozenset(), needs="supply", counted=False)
SMALL_SHARE = PredClass("small_share_of_supply", "shortage", frozenset(), needs="supply", counted=False)
#: words of a share of a whole
SHARE_WORDS = {"%", "процент", "треть", "четверть", "половина", "часть", "доля", "відсоток", "третина"}
#: particles that make a share a small one ("только треть")
LIMIT = {"только", "всего", "лишь", "не", "тільки", "лише", "усього"}
#: the bare preposition
PREP = {"без", "безо"}


def worth_parsing(sent: Sentence) -> bool:
    """A supply noun and "без" or a share word in one sentence (cheap: no parse)."""
    lemmas = {t.lemma for t in sent.tokens}
    return bool(lemmas & arg_class("supply")) and bool(lemmas & (PREP | SHARE_WORDS) or any(
        t.text == "%" for t in sent.tokens))


def frames(sent: Sentence, taken: set[int]) -> list[Frame]:
    """``shortage`` frames of supplies one is without, or got only a small share of."""
    if sent.heads is None:
        return []
    supply = arg_class("supply")
    out = []
    for j, tok in enumerate(sent.tokens):
        if tok.lemma not in supply or tok.pos != "NOUN" or j in taken:
            continue
        kids = syntax.children(sent, j)
        if any(sent.tokens[k].lemma in PREP and sent.rels[k] == "case" for k in kids) or \
                j > 0 and sent.tokens[j - 1].lemma in PREP:
            pred = _state(sent, j)
            if pred is not None:
                out.append(Frame(WITHOUT, pred, [j], data={"what": tok.text}))
                break
        share = _small_share(sent, j)
        if share is not None:
            out.append(Frame(SMALL_SHARE, j, [share], data={"what": tok.text}))  # "%" is no word: the noun is
            break
    return out


def _state(sent: Sentence, noun: int) -> int | None:
    """The word "без <noun>" depends on when it states a fact (the noun itself for a sentence without a
    verb), or None: it qualifies another noun, or the clause is no fact."""
    head = sent.heads[noun]
    verbal = [k for k, t in enumerate(sent.tokens) if t.pos in VERBAL]
    if head < 0 or sent.tokens[head].pos not in VERBAL:
        return noun if not verbal else None  # "Неделю без воды"; but "каска без ремешка" in a sentence with a verb
    verb = sent.tokens[head]
    if claim_mood.not_a_fact_form(verb) or syntax.negated(sent, head) or syntax.conditional(sent, head) \
            or syntax.irrealis(sent, head):
        return None
    if "sing" in verb.tags and "neut" not in verb.tags:
        return None  # "я пришёл без каски": one person's choice; a lack is told of a group ("сидим без воды")
    return head


def _small_share(sent: Sentence, noun: int) -> int | None:
    """The share word limited by "только"/"всего" that governs the supply noun ("только 10 % снарядов")."""
    head = sent.heads[noun]
    if head < 0 or sent.rels[noun] != "nmod":
        return None
    share = sent.tokens[head]
    if share.lemma not in SHARE_WORDS and share.text != "%":
        return None
    lo = max(0, head - 4)
    limited = any(t.lemma in LIMIT - {"не"} or t.text.lower() in LIMIT - {"не"} for t in sent.tokens[lo:head]) or any(
        sent.tokens[k].lemma == "не" and k + 1 < head and sent.tokens[k + 1].lemma in ("больше", "более")
        for k in range(lo, head))
    return head if limited else None


__all__ = ["WITHOUT", "SMALL_SHARE", "frames", "worth_parsing"]
