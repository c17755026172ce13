"""Claims from the structure of a sentence: a predicate from lemma classes, its arguments from the parse.

``parse(doc)`` runs natasha's slovnet syntax parser once per call, on the sentences where a predicate
of ``data/predicates.yaml`` could hold (cheap lemma checks first: the parse is a real share of the stage).
``frames(sent, values)`` then reads one ``Frame`` per predicate: who/what it is about (subject, object,
oblique arguments and their modifiers), how many (a number governing or attached to the predicate or
an argument; "по N" marks a rate, "из N осталось M" the difference), negation and condition. A
predicate class may need an argument class ("положили" only counts with people; "сгорел" as equipment
loss only with equipment). A frame can also veto its predicate: a thing as the subject of a death verb
("телефон сдох"), a bare infinitive ("убить мало"), a refusal of something that is no duty; the stem
triggers of ``claims`` then stay silent on that word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from listeningpost.analyze import claim_mood
from listeningpost.analyze.claim_words import PER_UNIT
from listeningpost.analyze.document import AnalysisDoc, Sentence
from listeningpost.analyze.numbers import casualty_code
from listeningpost.analyze.syntax import NEGATION
from listeningpost.analyze.syntax import children as _children, clause as _clause, conditional as _conditional
from listeningpost.analyze.syntax import irrealis as _irrealis, negated as _negated, repair as _repair, under as _under

DATA = Path(__file__).parent / "data"
#: relations that attach an argument to its predicate (UD, as slovnet labels them)
ARG_RELS = {"nsubj", "nsubj:pass", "obj", "iobj", "obl", "obl:agent", "nmod", "xcomp", "conj", "appos",
            "parataxis", "acl", "advcl", "nummod", "nummod:gov", "det", "amod", "csubj"}
NUM_RELS = {"nummod", "nummod:gov", "nummod:entity"}
PERSONAL = {"я", "ты", "он", "она", "мы", "вы", "они"}
#: a singular argument that is not one person: formations, collectives, "все"
NOT_ONE = {"весь", "батальон", "рота", "взвод", "полк", "бригада", "отделение", "расчет", "экипаж", "группа",
           "половина", "пехота", "народ", "кто", "никто", "каждый", "личный", "состав", "куча", "толпа",
           "разведка", "отряд", "смена", "пополнение", "подразделение", "дивизия", "армия", "десант",
           "подкрепление", "резерв", "дозор", "караул", "патруль", "гарнизон", "семья", "молодежь"}
VICTIM_RELS = {"nsubj", "nsubj:pass", "obj"}
#: classes of harm done by someone: a civilian victim makes them civilian_harm (dying in one's sleep does not)
VIOLENT = {"kill", "kill_people", "wound", "wound_people", "captured"}
#: claim types whose stem triggers the parse can veto (a thing as subject, an infinitive)
VETOED = {"killed", "wounded", "missing", "refused_or_deserted"}
#: classes of everyday verbs (прийти, вернуться, остаться): parsed only when their arguments can be there
FREQUENT = {"bodies_sent_home", "not_returned", "survived_of"}
#: nouns of quantity: "десяток человек", "сотня", "куча народу"
QUANTITY = {"десяток", "десятка", "сотня", "сотка", "тысяча", "пара", "куча", "половина", "треть", "часть",
            "масса", "толпа", "дюжина", "полсотни", "много", "немного", "несколько"}
#: duties one can refuse in war ("отказались от штурма")
DUTY = {"штурм", "наступление", "атака", "задача", "приказ", "выезд", "выход", "служба", "контракт", "война",
        "участие", "позиция", "операция", "выполнение", "бой", "оружие", "ротация", "командировка"}
#: prepositions that make a casualty noun background ("после ранения", "за гибель", "без потерь")
BACKGROUND_PREPS = {"после", "за", "от", "до", "при", "без", "для", "из-за", "вследствие", "ради", "против", "про",
                    "о", "об", "насчет", "перед", "після", "від", "без", "через"}
#: death as such: a claim only with a victim or a count ("гибель роты", "смерть двоих")
ABSTRACT = {"смерть", "гибель", "смертушка"}
#: nouns whose casualty modifier is the count asked or given ("число погибших", "список убитых")
STATISTIC = {"число", "количество", "список", "цифра", "статистика", "счет", "сводка", "данные"}
#: parts of speech that can be the predicate of a clause
VERBAL = ("VERB", "INFN", "PRTS", "GRND", "PRED")


@dataclass(frozen=True)
class PredClass:
    name: str
    type: str
    lemmas: frozenset[str]
    needs: str | None = None  # argument class ("people", "equipment", "supply_or_none", ...)
    negated: bool = False  # the claim is the negated predicate ("не платят")
    counted: bool = True  # False: the claim never takes a count (awards, a percentage that changed)
    not_with: str | None = None  # argument class that makes it an idiom ("нашли общий язык")


@dataclass
class Frame:
    cls: PredClass
    pred: int  # token index in the sentence
    args: list[int]  # token indexes of the predicate's arguments (and their modifiers)
    negated: bool = False
    conditional: bool = False
    count: int | None = None
    count_at: int | None = None  # token index of the count
    civil: bool = False  # an argument is a civilian
    data: dict[str, Any] = field(default_factory=dict)  # rate, period, total/left

    @property
    def type(self) -> str:
        return "civilian_harm" if self.civil and self.cls.name in VIOLENT else self.cls.type


@lru_cache(maxsize=1)
def classes() -> tuple[tuple[PredClass, ...], dict[str, frozenset[str]]]:
    raw = yaml.safe_load((DATA / "predicates.yaml").read_text(encoding="utf-8"))
    preds = tuple(PredClass(name, v["type"], frozenset(v["lemmas"]), v.get("needs"), v.get("negated", False),
                            v.get("counted", True), v.get("not_with")) for name, v in raw["PREDICATES"].items())
    return preds, {k: frozenset(v) for k, v in raw["ARGUMENTS"].items()}


@lru_cache(maxsize=100_000)
def predicates_of(lemma: str) -> tuple[PredClass, ...]:
    return tuple(c for c in classes()[0] if lemma in c.lemmas)


#: casualty codes read as predicates ("двухсотых у нас человек пятнадцать")
_CODE_CLASS = {200: "kill", 300: "wound", 500: "refuse"}


def classes_of(tok) -> tuple[PredClass, ...]:
    """Predicate classes of a token: by its lemma, or by the casualty code it is (in any inflection)."""
    return _classes_of(tok.lemma, tok.text)


@lru_cache(maxsize=100_000)
def _classes_of(lemma: str, text: str) -> tuple[PredClass, ...]:
    got = predicates_of(lemma)
    if got or not text[:1].isalnum():
        return got
    code = casualty_code(text)
    return tuple(c for c in classes()[0] if c.name == _CODE_CLASS.get(code)) if code else ()


def arg_class(name: str) -> frozenset[str]:
    return classes()[1].get(name, frozenset())


@lru_cache(maxsize=1)
def _parser():
    from natasha import NewsEmbedding, NewsSyntaxParser

    return NewsSyntaxParser(NewsEmbedding())


def parse(doc: AnalysisDoc) -> None:
    """Fill ``heads``/``rels`` of the sentences that hold a predicate (one parser batch per call)."""
    todo = [s for _, s in doc.sentences() if s.heads is None and _worth_parsing(s)]
    if not todo:
        return
    for sent, markup in zip(todo, _parser().map([[t.text for t in s.tokens] for s in todo])):
        ids = {tok.id: i for i, tok in enumerate(markup.tokens)}
        sent.heads = _repair([ids.get(tok.head_id, -1) for tok in markup.tokens])
        sent.rels = [tok.rel or "" for tok in markup.tokens]


def _worth_parsing(sent: Sentence) -> bool:
    """A predicate whose class could hold here: its needed argument class and its "не" are in the
    sentence at all (frequent verbs like "дать", "вернуться" need both; the parse is the stage's cost)."""
    from listeningpost.analyze import claim_actors, claim_lack, quantities  # they build on this module's frames

    if quantities.worth_parsing(sent) or claim_actors.worth_parsing(sent) or claim_lack.worth_parsing(sent):
        return True
    lemmas = {t.lemma for t in sent.tokens}
    neg = bool(lemmas & NEGATION)
    for t in sent.tokens:
        for c in classes_of(t):
            if c.type in VETOED and c.name not in FREQUENT:
                return True  # the parse may veto a stem trigger here ("связь пропала")
            if c.negated and not neg:
                continue
            if not c.needs or c.needs.endswith("_or_none") or any(
                    _could_be(sent, part, lemmas) for part in c.needs.split("+")):
                return True
    return False


def _could_be(sent: Sentence, name: str, lemmas: set[str]) -> bool:
    if name in ("people", "people_or_body"):
        return bool(lemmas & (arg_class("people") | arg_class("body"))) or any(
            {"Name", "Surn", "anim", "Anum"} & t.tags or t.lemma in PERSONAL for t in sent.tokens)
    if name in ("source", "of_total"):
        return True
    if name == "place":
        return any(t.lemma in arg_class("place") or "Geox" in t.tags or i and t.pos == "NOUN" and t.orig[:1].isupper()
                   for i, t in enumerate(sent.tokens))
    return bool(lemmas & arg_class(name))


def _arguments(sent: Sentence, p: int) -> list[int]:
    """Arguments of predicate ``p`` and their own dependents (a numeral, "наших"), and the noun a
    participle or adjective predicate qualifies ("убитых пацанов")."""
    if sent.heads is None:  # not parsed: the clause around the predicate
        return _clause(sent, p)
    if sum(h < 0 for h in sent.heads) > 1:  # a broken parse (two roots): the clause too
        return sorted(set(_tree_arguments(sent, p)) | set(_clause(sent, p)))
    return _tree_arguments(sent, p)


def _tree_arguments(sent: Sentence, p: int) -> list[int]:
    direct = [j for j in _children(sent, p) if sent.rels[j].split(":")[0] in {r.split(":")[0] for r in ARG_RELS}]
    if sent.tokens[p].pos in ("ADJF", "PRTF", "NOUN", "ADJS", "PRTS") and sent.heads[p] >= 0:
        direct.append(sent.heads[p])
    return sorted(set(direct) | {k for j in direct for k in _children(sent, j) if k != p})


def _in_class(sent: Sentence, idx: list[int], name: str) -> bool:
    if "+" in name:  # every class: "people+source"
        return all(_in_class(sent, idx, part) for part in name.split("+"))
    if name == "source":  # "с задания", "из боя": where one comes back from
        return any(sent.tokens[k].lemma in ("с", "из", "оттуда") for i in idx for k in [i] + _children(sent, i))
    if name.endswith("_or_none"):
        return True
    if name == "people_or_body":
        return _in_class(sent, idx, "people") or _in_class(sent, idx, "body")
    if name == "place":
        return any(_place_like(sent, i) for i in idx)
    if name == "building":  # the thing destroyed, not where ("сожгли мусор за домом")
        return sent.rels is not None and any(
            sent.tokens[i].lemma in arg_class(name) and sent.rels[i] in ("obj", "nsubj", "nsubj:pass")
            and not any(sent.rels[k] == "case" for k in _children(sent, i)) for i in idx)
    lemmas = arg_class(name)
    return any(sent.tokens[i].lemma in lemmas or name == "people" and _person_like(sent, i) for i in idx)


def _place_like(sent: Sentence, i: int) -> bool:
    """A settlement or territory taken or held: a place noun, a known place name, or a capitalised noun
    as the object ("взяли Бахмут"; pymorphy does not know every village)."""
    t = sent.tokens[i]
    if sent.rels is None or sent.rels[i] not in ("obj", "nsubj:pass", "nsubj", "conj", "nmod"):
        return False
    named = t.pos == "NOUN" and t.orig[:1].isupper() and i > 0 and not {"Surn", "Patr"} & t.tags
    return t.lemma in arg_class("place") or "Geox" in t.tags or named


def _person_like(sent: Sentence, i: int) -> bool:
    """A name, an animate noun, a personal pronoun, or an adjective standing alone for a person
    ("третьего", "мобилизованный"; not "населённый" of "населённый пункт")."""
    t = sent.tokens[i]
    if t.lemma in arg_class("animal"):
        return False  # "кот сдох"
    head = sent.heads[i] if sent.heads is not None else -1
    modifies_noun = sent.rels is not None and sent.rels[i] in ("amod", "det") and head >= 0 \
        and sent.tokens[head].pos == "NOUN"
    alone = sent.rels is not None and not modifies_noun and t.pos in ("ADJF", "PRTF") and "Apro" not in t.tags
    collective = t.pos == "NUMR" and ("Coll" in t.tags or t.lemma == "оба")  # "троих", "пятеро": people
    return bool({"Name", "Surn", "Patr"} & t.tags) or t.pos == "NOUN" and "anim" in t.tags or alone or collective \
        or t.lemma in arg_class("people") and t.lemma not in NOT_ONE or t.pos == "NPRO" and t.lemma in PERSONAL


def _count(sent: Sentence, p: int, args: list[int], values: dict[int, int],
           cls: PredClass) -> tuple[int | None, int | None]:
    """A number that is the predicate's argument or is attached to one (subject, object, the predicate);
    one counting what the predicate is about wins ("двенадцать человек" over "одним снарядом")."""
    def host(k: int) -> int:  # the word a number counts: its head when it modifies one, else itself
        if sent.heads is not None and sent.rels[k] in NUM_RELS and sent.heads[k] >= 0:
            return sent.heads[k]
        return k

    cands = [(j, host(j)) for j in [p] + args if j in values]  # (number, the word it counts)
    if sent.heads is not None:
        for j in [p] + args:
            cands.extend((k, j) for k in _children(sent, j) if k in values and sent.rels[k] in NUM_RELS)
    cands = [c for c in cands if not is_of_total(sent, c[0])]
    if not cands and cls.type != "equipment_lost":
        # the parse attached no number: a count of people in the same clause ("по три человека ... уходят")
        cands = [(j, j + 1) for j in _clause(sent, p) if j in values and j + 1 < len(sent.tokens)
                 and sent.tokens[j + 1].lemma in arg_class("people") and sent.tokens[j + 1].pos == "NOUN"]
    if not cands:
        return None, None
    about = "equipment" if cls.type == "equipment_lost" else "people"

    def rank(c: tuple[int, int]) -> tuple[bool, int]:
        host = c[1]
        counted = host in (c[0], p) or sent.tokens[host].lemma in arg_class(about) \
            or about == "people" and _person_like(sent, host)
        return not counted, abs(c[0] - p)

    best = min(cands, key=rank)[0]
    return values[best], best


def _one_victim(sent: Sentence, p: int) -> bool:
    """One person is the victim: a singular person as subject/object ("его убили", "третий повесился"),
    or a singular past verb with no subject ("повесился")."""
    if sent.heads is None:
        return False
    victims = [j for j in _children(sent, p) if sent.rels[j] in VICTIM_RELS
               or sent.rels[j] == "amod" and _person_like(sent, j)  # "Четвертого зарезали": amod on a verb
               or "datv" in sent.tokens[j].tags and _person_like(sent, j)]  # "ему ногу оторвало"
    tok = sent.tokens[p]
    if tok.pos in ("ADJF", "PRTF", "NOUN") and sent.heads[p] >= 0 and sent.rels[p] in ("amod", "acl"):
        victims.append(sent.heads[p])  # "убитого командира"
    if any(sent.tokens[j].lemma in NOT_ONE or "plur" in sent.tokens[j].tags or any(  # "тысячи человек"
            sent.rels[k] in NUM_RELS or sent.tokens[k].lemma in QUANTITY for k in _children(sent, j)) for j in victims):
        return False
    if any(_person_like(sent, j) and "sing" in sent.tokens[j].tags for j in victims):
        return True
    return not victims and tok.pos == "VERB" and "sing" in tok.tags and ("masc" in tok.tags or "femn" in tok.tags) \
        and not _nominative_near(sent, p)


def _nominative_near(sent: Sentence, p: int) -> bool:
    """A nominative in the predicate's clause the parse did not attach ("полк весь полёг"): not one person."""
    return any((j == 0 or sent.tokens[j - 1].pos != "PREP") and t.pos in ("NOUN", "NPRO", "NUMR")
               and ("nomn" in t.tags or t.lemma in NOT_ONE)
               for j in _clause(sent, p) for t in [sent.tokens[j]])


def is_of_total(sent: Sentence, j: int, digits: bool = False) -> bool:
    """The "из N" of "из N осталось M" (the total, not the count); ``digits``: N may be written in digits."""
    k = j - 1
    while k >= 0 and (sent.tokens[k].pos == "NUMR" or digits and sent.tokens[k].text.isdigit()):
        k -= 1
    return k >= 0 and sent.tokens[k].lemma in ("из", "с")


def rate_at(sent: Sentence, at: int) -> dict[str, Any]:
    """"по пять человек в день": a rate, with the unit of time it is counted per."""
    k = at - 1
    while k >= 0 and sent.tokens[k].pos == "NUMR":
        k -= 1
    if k < 0 or sent.tokens[k].lemma != "по":
        return {}
    near = sent.tokens[at + 1:at + 6] + sent.tokens[max(0, k - 3):k][::-1]  # "в день" after, "каждый день" before
    unit = next((t.lemma for t in near if t.lemma in PER_UNIT), None)
    return {"rate": True, **({"per": unit} if unit else {})}


def _survivors(sent: Sentence, p: int, values: dict[int, int]) -> tuple[int, int] | None:
    """(total, left) of "из ста двадцати осталось сорок" or "было сто двадцать, вернулось тридцать"."""
    was = [i for i, t in enumerate(sent.tokens) if t.lemma == "быть"]
    near_was = min(values, key=lambda j: abs(j - was[0])) if was and len(values) > 1 else None
    totals = [j for j in values if is_of_total(sent, j) or j == near_was]
    left = [j for j in values if j not in totals]
    if totals and left and values[totals[0]] > values[left[0]]:
        return values[totals[0]], values[left[0]]
    return None


def frames(sent: Sentence, values: dict[int, int]) -> list[Frame]:
    """One frame per predicate of the sentence; ``values`` maps token index -> count for number tokens
    (the first token of each number)."""
    out = [f for p, tok in enumerate(sent.tokens) for cls in classes_of(tok)
           if (f := _frame(sent, p, cls, values)) is not None]
    from listeningpost.analyze import claim_actors, claim_lack, quantities  # they build on this module's frames

    taken = {f.pred for f in out} | {a for f in out for a in f.args} | {f.count_at for f in out}
    out += quantities.frames(sent, values, taken)
    if not any(f.type == "shortage" for f in out):
        out += claim_lack.frames(sent, taken)
    return out + claim_actors.frames(sent, taken | {f.pred for f in out})


def _thing_dies(sent: Sentence, p: int, cls: PredClass) -> bool:
    """A death/wound/refusal verb whose subject is a thing and that harms no person: "телефон сдох",
    "цены убивают", "связь пропала"."""
    if cls.type not in VETOED or sent.heads is None:
        return False
    kids = _children(sent, p)
    subj = [j for j in kids if sent.rels[j] in ("nsubj", "nsubj:pass")]
    objs = [j for j in kids if sent.rels[j] in ("obj", "iobj")]
    thing = [j for j in subj if sent.tokens[j].pos == "NOUN" and ("inan" in sent.tokens[j].tags
                                                               or sent.tokens[j].lemma in arg_class("animal"))
             and sent.tokens[j].lemma not in arg_class("people") | arg_class("bodies") | arg_class("vital") | QUANTITY
             and not any(_person_like(sent, k) for k in _children(sent, j))]  # "десяток человек" are people
    # a person among the subjects too: the parse took a date or a place for one ("двадцать третьего числа погибли двое")
    return bool(thing) and not any(_person_like(sent, j) for j in objs + subj)


def _refused_something_else(sent: Sentence, p: int) -> bool:
    """"отказался от сахара": a refusal of something that is not a duty of war."""
    if sent.heads is None:
        return False
    for j in _children(sent, p):
        if sent.rels[j].startswith("obl") and any(sent.tokens[k].lemma == "от" for k in _children(sent, j)):
            return sent.tokens[j].lemma not in DUTY
    return False


def _frame(sent: Sentence, p: int, cls: PredClass, values: dict[int, int]) -> Frame | None:
    args = _arguments(sent, p)
    if cls.needs == "of_total":
        got = _survivors(sent, p, values)
        if got is None:
            return None
        total, left = got
        return Frame(cls, p, args, count=total - left, count_at=min(values), data={"total": total, "left": left})
    if _thing_dies(sent, p, cls) and cls.name not in FREQUENT:  # "военкомат прислал повестку" vetoes nothing
        return Frame(cls, p, args, data={"veto": "thing"})
    if cls.needs and not _in_class(sent, args, cls.needs) or cls.not_with and _in_class(sent, args, cls.not_with):
        return None
    order = "impr" in sent.tokens[p].tags and cls.type != "shortage"  # "отойди от окна"; "дайте снарядов" asks
    veto = "irrealis" if _irrealis(sent, p) else "order" if order else claim_mood.veto(sent, p, cls) or \
        ("not_a_duty" if cls.type == "refused_or_deserted" and _refused_something_else(sent, p) else None)
    if veto:  # the predicate is there but states no fact: no claim, and no stem trigger on it either
        return Frame(cls, p, args, data={"veto": veto})
    negated = _negated(sent, p)
    if cls.negated and not negated:
        return None  # "платят" is no claim; "не платят" is
    count, at = _count(sent, p, args, values, cls) if cls.counted else (None, None)
    if _background(sent, p, cls, at):
        return Frame(cls, p, args, data={"veto": "background"})
    if count is None and cls.type in ("killed", "wounded", "captured", "missing") and _one_victim(sent, p):
        count = 1
    frame = Frame(cls, p, args, negated=negated and not cls.negated, conditional=_conditional(sent, p),
                  count=count, count_at=at, civil=_in_class(sent, args, "civil"))
    if at is not None:
        frame.data.update(rate_at(sent, at))
    frame.data.update(_who_and_what(sent, args))
    return frame


def _background(sent: Sentence, p: int, cls: PredClass, at: int | None) -> bool:
    """A casualty noun as background, not as news: in a prepositional phrase ("после ранения", "за
    ранения", "без потерь"), qualifying another noun ("семьи погибших"), or death itself with nobody
    dead ("смерти не боятся"); not with a count or a victim of its own ("после гибели двадцати человек",
    "за смерть товарищей" are news)."""
    tok = sent.tokens[p]
    if cls.type not in ("killed", "wounded") or sent.heads is None or tok.pos not in ("NOUN", "ADJF", "PRTF"):
        return False
    if at is not None and _under(sent, at, p):
        return False
    if tok.pos == "NOUN" and any(_person_like(sent, j) for j in _children(sent, p)
                                 if sent.rels[j] != "case" and "datv" not in sent.tokens[j].tags):
        return False  # a victim named: "после гибели ребят", "его смерть" (not "смерть врагам": a slogan)
    if tok.lemma in ABSTRACT:
        return True  # "смерть не страшна", "не боимся смерти", "на смерть"
    if any(sent.rels[j] == "case" and sent.tokens[j].lemma in BACKGROUND_PREPS for j in _children(sent, p)):
        return True
    head = sent.heads[p]
    if sent.rels[p] == "nmod" and head >= 0 and sent.tokens[head].lemma in QUANTITY:
        return False  # "тысячи погибших", "десяток убитых": the dead counted, not background
    if sent.rels[p] == "nmod" and head >= 0 and sent.tokens[head].lemma in STATISTIC and _changed(sent, head):
        return True  # "число погибших сократилось вдвое": the claim is the change of the statistic
    return sent.rels[p] == "nmod" and head >= 0 and sent.tokens[head].pos == "NOUN" \
        and sent.tokens[head].lemma not in arg_class("bodies") | STATISTIC and not classes_of(sent.tokens[head])


def _changed(sent: Sentence, noun: int) -> bool:
    """The statistic ``noun`` is the subject of a predicate of change with a share ("сократилось на N %")."""
    gov = sent.heads[noun]
    return gov >= 0 and any(c.name == "change_of_rate" for c in classes_of(sent.tokens[gov])) \
        and _in_class(sent, list(range(len(sent.tokens))), "share")


def _who_and_what(sent: Sentence, args: list[int]) -> dict[str, str]:
    """Surface phrases of the first person argument (who) and equipment argument (what)."""
    out = {}
    for key, test in (("who", lambda j: _person_like(sent, j) and sent.tokens[j].pos != "NPRO"
                       and "Apro" not in sent.tokens[j].tags),
                      ("what", lambda j: sent.tokens[j].lemma in arg_class("equipment"))):
        j = next((j for j in args if test(j) and sent.rels[j] not in ("amod", "det", "nummod", "nummod:gov")), None) \
            if sent.rels is not None else None
        if j is not None:
            mods = [k for k in _children(sent, j) if sent.rels[k] in ("amod", "det", "nummod", "nummod:gov")]
            out[key] = " ".join(sent.tokens[k].text for k in sorted(mods + [j]))
    return out


__all__ = ["PredClass", "Frame", "classes", "predicates_of", "classes_of", "arg_class", "parse", "frames",
           "rate_at", "is_of_total"]
