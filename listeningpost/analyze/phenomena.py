"""Recurring phenomena of intercepted calls: claims of type "other" from phrase rules (``PHENOMENA``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from listeningpost.analyze.claim_text import _joined, _Word
from listeningpost.analyze.claim_words import _stems


# --- recurring phenomena of intercepted calls (claim type "other") ---------------------------------
# Checkable facts that come back call after call and have no closed type of their own. Each rule is a
# regular expression over one sentence, read twice: as folded surface words and as lemmas, both
# space-joined with " ," at clause breaks (so "(?:\w+ ){0,3}" stays inside one clause). ``context``
# must also be found in the sentence, the two sentences before it in the turn, or the last two
# sentences of the turn before ("А раненых как забирают?" - "Сами выползают"); ``cue`` must be found
# somewhere in the turn (reported speech of officials). Questions and wishes are excluded upstream.
_NEG = r"(?:не|никто не|некому|нечем|вряд ли|так и не|до сих пор не|уже не|даже не)"
#: the wounded (surface and lemma forms)
_WOUNDED = r"(?:ранен\w*|раненн\w*|поранен\w*|трехсот\w*|300\w*)"
#: taking people off the battlefield
_EVAC = (r"(?:вывоз\w*|вывез\w*|вывести|выводят|эвакуир\w*|забира\w*|забрать|забер\w*|забрал\w*|вытаск\w*"
         r"|вытащ\w*|выно[сш]\w*|вынес\w*|подбира\w*|подобрать|увоз\w*|увез\w*|эвакуаци\w*)")
#: getting out on one's own
_SELF_OUT = (r"(?:выполз\w*|выбира\w*|выберут\w*|выбра\w*|вылез\w*|вылаз\w*|дополз\w*|выход\w*|выйти|вышли"
             r"|выбег\w*|добира\w*|добра\w*|выкарабк\w*)")
#: the dead and their remains
_BODIES = (r"(?:труп\w*|тел[оау]?|телами|двухсот\w*|200\w*|мертв\w*|погибш\w*|убит\w*|останк\w*|цинк\w*"
           r"|гроб\w*)")
#: handing the dead over to the families
_RETURN = (_EVAC[:-1] + r"|отда\w*|отдад\w*|выда\w*|верн\w*|возвращ\w*|присыл\w*|пришл\w*|прислать|отправ\w*"
           r"|дожд\w*|доставл\w*|довез\w*|привез\w*|хорон\w*|похорон\w*)")
#: convicts and where they come from
_CONVICTS = (r"(?:зэк\w*|зек\w*|заключенн\w*|уголовник\w*|сидельц\w*|осужденн\w*|арестант\w*"
             r"|(?:с|из) (?:зон[ыу]?|тюрьм\w*|тюрем|колони\w*|лагер\w*|сизо))")
#: bringing people in
_BROUGHT = (r"(?:привез\w*|привоз\w*|набра\w*|набира\w*|набер\w*|завез\w*|завоз\w*|пригна\w*|пригон\w*"
            r"|присла\w*|присыла\w*|вербов\w*|вербу\w*|завербов\w*|забира\w*|забрал\w*|взяли|берут|закин\w*"
            r"|закидыва\w*|кину\w*|кида\w*|пополн\w*|прибыл\w*|приехал\w*|пришли|завели|гонят|погнал\w*)")
#: who is said to be absent: the speaker's side
_WE = r"(?:нас|их|вас|наших|ребят|мы|они|вы|наши|сын\w*|муж\w*)"
#: the speaker's side, as the one said to be elsewhere
_US = r"(?:нас|вас|наших|мы|вы)"
#: lying, and to whom (the families: not "жена врёт")
_LIE = r"(?:вр[еу]т|врал\w*|врать|наврал\w*|лж[еу]т|лгут|лгал\w*|лгать|обманыва\w*|обманул\w*|обмануть)"
_FAMILY = (r"(?:родным|родных|родне|родню|семьям|семье|семью|матерям|матерей|мамам|мам|женам|жен|родителям"
           r"|родителей|близким|близких)")  # the ones lied to: dative/accusative only
#: reported speech of officials, or lying
_OFFICIAL_CUE = _stems(r"говорит$", r"говорят$", r"говорил", r"сказал", r"отвеча", r"ответил", r"пишут", r"написал",
                       r"заявля", r"утвержда",
                       r"комитет", r"военкомат", r"министерств", r"минобороны", r"командован", r"официальн",
                       r"начальств", r"врут", r"лгут", r"обманыва")


@dataclass(frozen=True)
class Phenomenon:
    name: str
    patterns: tuple[re.Pattern, ...]
    context: re.Pattern | None = None
    cue: re.Pattern | None = None
    type: str = "other"


def _rx(*alternatives: str) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(a) for a in alternatives)


PHENOMENA = [
    # wounded not evacuated, abandoned, or left to get out on their own
    Phenomenon("wounded_not_evacuated", _rx(
        rf"\b{_WOUNDED}(?: \w+){{0,4}} {_NEG} (?:\w+ )?{_EVAC}\b",
        rf"\b{_NEG} (?:\w+ )?{_EVAC}(?: \w+){{0,3}} {_WOUNDED}\b",
        rf"\b(?:брос\w*|кину\w*|кинул\w*|оставля\w* умирать|оставил\w* умирать)(?: \w+){{0,3}} {_WOUNDED}\b",
        rf"\b{_WOUNDED}(?: \w+){{0,3}} (?:бросают|бросили|бросил|кинули|оставляют умирать|оставили умирать)\b")),
    Phenomenon("wounded_get_out_themselves", _rx(rf"\bсам[иа]? (?:\w+ )?{_SELF_OUT}\b",
                                                 rf"\bэвакуаци\w* (?:нет|нету|не было|никакой)\b",
                                                 rf"\b(?:нет|нету|никакой) эвакуаци"),
               context=re.compile(rf"\b{_WOUNDED}\b")),
    # bodies of the dead not taken away, not handed over, left lying or dumped
    Phenomenon("bodies_not_returned", _rx(
        rf"\b{_BODIES}(?: \w+){{0,4}} {_NEG} (?:\w+ )?{_RETURN}\b",
        rf"\b{_NEG} (?:\w+ )?{_RETURN}(?: \w+){{0,3}} {_BODIES}\b",
        rf"\b{_BODIES}(?: \w+){{0,3}} (?:валя\w*|гни\w*|сгни\w*|разлага\w*)\b",
        rf"\b(?:валя\w*|гни\w*|разлага\w*)(?: \w+){{0,3}} {_BODIES}\b")),
    Phenomenon("bodies_dumped", _rx(r"\b(?:скидыва\w*|скинул\w*|сбрасыва\w*|сбросил\w*|свалива\w*|закапыва\w*"
                                    r"|закопал\w*|зарыва\w*|зарыл\w*)\b"),
               context=re.compile(rf"\b{_BODIES}\b")),
    # convicts brought in to fight
    Phenomenon("convicts_brought_in", _rx(rf"\b{_CONVICTS}(?: \w+){{0,4}} {_BROUGHT}\b",
                                          rf"\b{_BROUGHT}(?: \w+){{0,4}} {_CONVICTS}\b")),
    # officials deny the unit is at war / in Ukraine, or lie to the families
    Phenomenon("official_denial", _rx(
        rf"(?<!\bу )\b{_US} (?:\w+ ){{0,2}}(?:здесь|тут|там|официально|(?:в|на) украин\w*) (?:официально |вообще )?"
        r"(?:нет|нету)(?= ,|$)",
        r"(?:^|, )(?:\w+ )?(?:в|на) украин\w* (?:нет|нету)(?= ,|$)",
        rf"\b{_WE} (?:\w+ ){{0,2}}не (?:в|на) (?:украин\w*|войн\w*)\b",
        rf"\b{_WE} (?:\w+ ){{0,2}}на (?:учениях|обучении|сборах|полигоне)(?= ,|$)"), cue=_OFFICIAL_CUE),
    Phenomenon("lying_to_families", _rx(rf"\b{_LIE} (?:\w+ ){{0,2}}{_FAMILY}\b", rf"\b{_FAMILY} (?:\w+ ){{0,2}}{_LIE}\b")),
]


def _phenomena(words: list[_Word], near: list[str], turn_text: list[str]) -> list[tuple[str, list[int]]]:
    """(rule name, word indexes) of the recurring phenomena stated in one sentence."""
    texts = _joined(words)
    out = []
    for rule in PHENOMENA:
        for text in texts:
            m = next((m for rx in rule.patterns for m in [rx.search(text)] if m), None)
            if m:
                break
        else:
            continue
        if rule.context is not None and not any(rule.context.search(t) for t in list(texts) + near):
            continue
        if rule.cue is not None and not any(rule.cue.match(w) for w in turn_text):
            continue
        before = text[:m.start()].split()
        pos = len([t for t in before if t != ","])
        out.append((rule.name, [min(pos, len(words) - 1)]))
    return out
