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
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from listeningpost.analyze.document import AnalysisDoc, DocTurn, Sentence, Token
from listeningpost.analyze import structure
from listeningpost.analyze.numbers import CODE_MEANING, NumberSpan, find_numbers
from listeningpost.text.morph import lemma
from listeningpost.text.normalise import fold

CLAIM_TYPES = ("killed", "wounded", "missing", "captured", "refused_or_deserted", "equipment_lost", "shortage",
               "civilian_harm", "other")


def _stems(*words: str) -> re.Pattern:
    return re.compile(r"^(?:" + "|".join(words) + r")", re.IGNORECASE)


# --- context word classes (folded surface stems: lower case, ё -> е) -------------------------------
PEOPLE = _stems(r"пацан", r"наших$", r"наши$", r"ребят", r"ребзя", r"человек", r"людей", r"люди$", r"солдат",
                r"бойц", r"боец", r"командир", r"комбриг", r"комбат", r"ротн", r"взводн", r"полковник",
                r"подполковник", r"майор", r"капитан", r"лейтенант", r"сержант", r"прапор", r"рядов", r"мужик",
                r"брат", r"друг", r"его$", r"ее$", r"их$", r"всех$", r"батальон", r"рот[ауы]$", r"взвод",
                r"полк", r"бригад", r"хлопц", r"побратим", r"укр", r"хохл", r"вагнер", r"зек", r"мобик",
                r"контрактник", r"двухсот", r"трехсот")
SINGULAR_PERSON = _stems(r"командир[ау]?$", r"комбриг", r"комбат", r"ротн(ый|ого|ому)$", r"взводн(ый|ого)$",
                         r"полковник[ау]?$", r"подполковник[ау]?$", r"майор[ау]?$", r"капитан[ау]?$",
                         r"лейтенант[ау]?$", r"сержант[ау]?$", r"генерал[ау]?$", r"его$", r"он$", r"ее$",
                         r"она$", r"брат[ау]?$", r"друг[ау]?$", r"начальник[ау]?$", r"зам$")
PLURAL_PEOPLE = _stems(r"пацан", r"наших$", r"наши$", r"ребят", r"людей", r"люди$", r"солдат", r"бойц", r"всех$",
                       r"их$", r"трупов", r"хлопц", r"мужиков", r"двухсот", r"трехсот", r"пятисот")
#: formations: plural victims unless a single commander of one is named ("командира батальона")
UNITS = _stems(r"батальон", r"рот[ауы]$", r"взвод", r"полк", r"бригад", r"дивизи", r"подразделени")
CIVIL = _stems(r"гражданск", r"мирн", r"женщин", r"баб$", r"баб[аыу]?$", r"бабк", r"бабул", r"дет(и|ей|ям)$",
               r"ребен", r"ребятишек", r"старик", r"старух", r"жител", r"населени", r"девк", r"девок", r"девуш",
               r"цивильн", r"цивіл", r"жінок", r"жінк", r"діт")
EQUIP = _stems(r"танк", r"бмп", r"бмд", r"бтр", r"мтлб", r"техник", r"машин", r"миномет", r"самолет", r"вертол",
               r"вертушк", r"коробочк", r"гаубиц", r"арт[аыу]?$", r"артиллери", r"орудие", r"орудия", r"самоходк",
               r"сау$", r"град", r"ураган", r"смерч", r"камаз", r"урал", r"бронетехник", r"бпла", r"дрон",
               r"беспилотник", r"сушк", r"су-\d", r"ка-\d", r"ми-\d", r"пулемет", r"зенитк", r"рлс", r"буксир",
               r"грузовик", r"тягач", r"летак", r"літак", r"техніка", r"танк")
FIRE = _stems(r"миномет", r"арт[аыу]?$", r"артиллери", r"артилер", r"град", r"снаряд", r"ракет", r"орудий",
              r"орудия", r"самоходк", r"танк", r"байрактар", r"дрон", r"птичк", r"хаймарс", r"мин[аыу]$",
              r"кассет", r"авиаци", r"бомб", r"пулемет", r"огн[еёю]", r"огонь", r"152", r"122", r"155",
              r"обстрел", r"укр", r"хохл", r"противник")
SUPPLY = _stems(r"ед[аыу]$", r"еды$", r"жрат", r"жрачк", r"продукт", r"хлеб", r"вод[аыу]$", r"питьев", r"топлив",
                r"бензин", r"солярк", r"соляр", r"горюч", r"патрон", r"боеприпас", r"бк$", r"снаряд", r"оружи",
                r"деньг", r"денег", r"зарплат", r"зп$", r"выплат", r"получк", r"лекарств", r"медикамент",
                r"аптечк", r"бронежилет", r"броник", r"каск", r"жратв", r"їж", r"вод[аиу]$", r"набо[ії]",
                r"пального", r"грош", r"техник", r"бронетехник", r"артиллери", r"бтр", r"бмп", r"танк",
                r"связ[ьи]$", r"рация", r"раци[ий]")
SUPPLY_LACK = _stems(r"нет$", r"нету$", r"не$", r"закончил", r"кончил", r"кончают", r"голод", r"нечего$",
                     r"без$", r"немає", r"нема$", r"бракує", r"закінчил")
TIME_UNIT = _stems(r"минут", r"секунд", r"час", r"дн", r"день", r"дня", r"сут", r"недел", r"месяц", r"год",
                   r"лет$", r"ноч", r"хвилин", r"годин", r"тижн", r"місяц", r"рок", r"раз", r"балл", r"процент")
CALIBRES = {60, 82, 100, 107, 120, 122, 125, 152, 155, 203, 220, 240}
HEDGES = _stems(r"говорят$", r"говорил$", r"говорит$", r"говорили$", r"якобы$", r"официально$", r"вроде$", r"мол$", r"будто$", r"кажется$", r"кажись$",
                r"слышал", r"по слухам", r"кажуть$", r"нібито$", r"офіційно$", r"типа$", r"наверное$", r"наверно$",
                r"пишут$", r"писали$", r"передали$", r"рассказыва", r"рассказал", r"болтают$", r"слух", r"вроде$",
                r"походу$", r"небось$", r"якобы$")
WISH = _stems(r"бы$", r"б$", r"чтобы$", r"чтоб$", r"хочу$", r"хотим$", r"хотел", r"пусть$", r"если$", r"хай$",
              r"якби$", r"щоб$")
#: wish verbs: they make their own clause no fact, not the whole sentence (a condition does)
WANT = _stems(r"хочу$", r"хотим$", r"хотел")
NEGATION = {"не", "ни", "нет", "ні"}
FUNCTION = {"PREP", "CONJ", "PRCL", "NPRO", "INTJ", None}


@dataclass(frozen=True)
class Trigger:
    type: str
    stems: re.Pattern
    needs: tuple[re.Pattern, ...] = ()  # one word of each class must be in the sentence
    strength: float = 0.8


TRIGGERS = [
    Trigger("killed", _stems(r"убит", r"убил", r"убива", r"убьют", r"погиб", r"гибел", r"скончал", r"умер",
                             r"помер", r"труп", r"загин", r"загибл", r"вбит", r"вбил", r"вбив", r"мертв", r"мёртв",
                             r"убиты")),
    Trigger("killed", _stems(r"положил", r"поебашил", r"перебил", r"уничтож", r"расстрел", r"завалил", r"покосил",
                             r"выкосил", r"положено", r"полегл", r"положили"), (PEOPLE,), 0.6),
    Trigger("wounded", _stems(r"ранен", r"ранил", r"ранят", r"ранени", r"контуж", r"контузи", r"поранен",
                              r"поранил", r"поранило", r"поранені", r"травмир")),
    Trigger("missing", _stems(r"безвест", r"безвіст", r"пропал", r"пропавш", r"зник")),
    Trigger("captured", _stems(r"плен", r"полон")),
    Trigger("refused_or_deserted", _stems(r"отказ", r"дезерт", r"сбежал", r"сбежа", r"самовол", r"соч$",
                                          r"відмов", r"дезерт", r"утек", r"свалил")),
    Trigger("equipment_lost", _stems(r"подбит", r"подбил", r"сбит", r"сбил", r"сбива", r"сгорел", r"сожгл",
                                     r"сожж", r"затонул", r"утонул", r"подорвал", r"підбит", r"збит", r"згорі")),
    Trigger("equipment_lost", _stems(r"уничтож", r"взорва", r"разъеб", r"разьеб", r"разбит", r"разбил", r"потерял",
                                     r"разнесл", r"раздолба", r"расхуяр", r"знищ", r"вибухнул"),
            (EQUIP,), 0.6),
    Trigger("other", _stems(r"разъеб", r"разьеб", r"взорва", r"разнесл", r"раздолба", r"разбомб"), (), 0.4),
    Trigger("shortage", _stems(r"голода", r"голодн", r"не платят", r"не кормят")),
    Trigger("shortage", _stems(r"нет$", r"нету$", r"хватает", r"хватит", r"закончил", r"кончил", r"кончают",
                               r"немає", r"нема$", r"бракує", r"поставля", r"подвоз", r"довоз", r"доезжа",
                               r"привоз", r"выдают", r"платят", r"дают", r"меньше"), (SUPPLY,), 0.6),
    Trigger("civilian_harm", _stems(r"насил", r"изнасил", r"мародер", r"мародёр", r"грабил", r"грабят",
                                    r"ґвалт", r"зґвалт")),
    Trigger("other", _stems(r"бомбят", r"бомбил", r"бомбит", r"обстрел", r"накры", r"разрыв", r"работал",
                            r"выпустил", r"лупил", r"лупят", r"долбят", r"долбил", r"петушил", r"петушит",
                            r"накладыва", r"начали", r"начал$", r"сопровождали", r"ебашат", r"хуярят",
                            r"обстріл", r"накрил", r"прилета"), (FIRE,), 0.5),
]
#: what a harm verb means when the turn talks about civilians
CIVIL_HARM = _stems(r"убит", r"убил", r"убива", r"расстрел", r"резал", r"вырезал", r"повырезал", r"режут",
                    r"ебли", r"выебли", r"забирал", r"угоня", r"в расход")
#: fixed phrases (folded, space-joined lemmas of the sentence) that are triggers by themselves
PHRASES = [("civilian_harm", re.compile(r"в расход")),
           ("missing", re.compile(r"без вести")),
           ("shortage", re.compile(r"(?:кушать|жрать|есть|пожрать|поесть|жрачки|еды) нечего|нечего (?:кушать|жрать|есть|пожрать|поесть)")), ("killed", re.compile(r"груз (?:200|двести)"))]
#: fire at us without a weapon word: "свои по нашим въебали", "лупят по нам"
FIRE_AT_US = re.compile(r"(?:\bпо (?:нам|нас|нашим|наших|нашей|нашу)(?: \w+){0,2} "
                        r"(?:въеба|уеба|ебаш|хуяр|лупи|лупя|долб|накры|стреля|шмаля|насыпа)"
                        r"|(?:въеба|уеба|ебаш|хуяр|лупи|лупя|долб|накры|стреля|шмаля|насыпа)\w* по (?:нам|нас|нашим|наших|нашей|нашу)\b)")
#: own troops threatened with being shot if they retreat or refuse ("назад побежит - замочим",
#: "либо расстрел, либо воюй", "сзади наши будут стрелять по ним, если не пойдут"): a fact about
#: how the unit is run even when phrased as a condition
SHOOT = _stems(r"расстрел", r"пристрел", r"застрел", r"замоч", r"шлепн", r"стрелять$", r"валить$", r"завал")
RETREAT = _stems(r"назад$", r"отступ", r"побеж", r"убеж", r"отход", r"либо$", r"воюй", r"пойдут$", r"пойдет$",
                 r"сзади$")
CLAUSE_BREAK = {",", ";", ":", "—", "–", "-", ".", "!", "?", "…", "(", ")", "\""}


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


@dataclass
class Claim:
    type: str
    count: int | None
    quote: str  # verbatim from the original turn text
    turn_index: int
    start_char: int  # offsets of the quote in the original turn text
    end_char: int
    speaker: str | None = None
    start_s: float | None = None
    end_s: float | None = None
    subject: str | None = None
    place: str | None = None
    period: str | None = None
    equipment: str | None = None
    hedged: bool = False
    negated: bool = False
    confidence: float = 0.5
    data: dict[str, Any] = field(default_factory=dict)  # trigger words, sentence index, merged quotes

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Word:
    tok: Token
    key: str  # folded surface
    aside: bool  # inside parentheses: a repeat or a reading, not new speech
    clause: int


def _words(sent: Sentence) -> list[_Word]:
    out, depth, clause = [], 0, 0
    for tok in sent.tokens:
        if tok.text in CLAUSE_BREAK:
            clause += 1
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth = max(0, depth - 1)
        if tok.is_word:
            out.append(_Word(tok, fold(tok.text), depth > 0, clause))
    return out


def _has(words: list[_Word], pattern: re.Pattern) -> list[_Word]:
    return [w for w in words if pattern.match(w.key) or pattern.match(w.tok.lemma)]


def _joined(words: list[_Word]) -> tuple[str, str]:
    """The words of a sentence space-joined, " ," at clause breaks: folded surface forms, and lemmas."""
    keys, lems, clause = [], [], None
    for w in words:
        if clause is not None and w.clause != clause:
            keys.append(",")
            lems.append(",")
        clause = w.clause
        keys.append(w.key)
        lems.append(w.tok.lemma)
    return " ".join(keys), " ".join(lems)


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


#: what follows a condition/wish word in a parenthetical, not a condition: "если честно", "хочу сказать",
#: "чтоб ты знал" (lemmas)
PARENTHETICAL = {"честно", "серьезно", "откровенно", "коротко", "короче", "честный", "сказать", "знать",
                 "понимать", "понять", "спросить", "рассказать", "ты", "вы", "не"}


def _is_question_or_wish(sent: Sentence, words: list[_Word]) -> bool:
    if sent.text.rstrip(" \"'»)*.…").endswith("?"):
        return True
    return any(WISH.match(w.key) and not WANT.match(w.key) and not _parenthetical(words, i)
               for i, w in enumerate(words))


def _wish_clauses(words: list[_Word]) -> set[int]:
    """Clauses of a wish verb ("хотел позвонить"): only their own words are no fact."""
    return {w.clause for i, w in enumerate(words) if WANT.match(w.key) and not _parenthetical(words, i)}


def _parenthetical(words: list[_Word], i: int) -> bool:
    """"если честно", "хочу сказать", "чтоб ты знал": a wish word opening an aside, not a condition."""
    nxt = [w.tok.lemma for w in words[i + 1:i + 3] if w.clause == words[i].clause]
    if not nxt or nxt[0] not in PARENTHETICAL:
        return False
    if nxt[0] in ("ты", "вы", "не"):  # "чтоб ты знал", "если не секрет"
        return len(nxt) > 1 and nxt[1] in PARENTHETICAL | {"секрет"}
    return True


def _numbers(turn: DocTurn, sent: Sentence) -> list[NumberSpan]:
    """Numbers and codes of one sentence, offsets mapped to the ORIGINAL turn text."""
    out = []
    nstart = sent.tokens[0].nstart if sent.tokens else 0
    nend = sent.tokens[-1].nend if sent.tokens else 0
    for span in find_numbers(turn.norm.text[nstart:nend]):
        s, e = turn.norm.to_original(span.start + nstart, span.end + nstart)
        out.append(NumberSpan(s, e, turn.text[s:e], span.kind, span.value, span.code))
    return out


def _word_at(words: list[_Word], pos: int) -> int | None:
    for i, w in enumerate(words):
        if w.tok.start <= pos < w.tok.end:
            return i
    return None


def _usable_count(words: list[_Word], num: NumberSpan, fire: bool) -> bool:
    """A number that counts things: not a duration, a calibre, a comparison or an aside."""
    i = _word_at(words, num.start)
    j = _word_at(words, max(num.start, num.end - 1))
    if i is None or j is None or words[i].aside:
        return False
    nxt = words[j + 1].key if j + 1 < len(words) else ""
    prev = words[i - 1].key if i > 0 else ""
    if TIME_UNIT.match(nxt) or TIME_UNIT.match(prev) and prev not in ("раз",):
        return False
    if prev in ("на", "в") and any(w.key in ("больше", "меньше", "раза", "раз") for w in words):
        return False
    if fire and num.value in CALIBRES:
        return False
    return num.kind == "count" and num.count is not None


def _clause_span(words: list[_Word], idx: list[int]) -> tuple[int, int]:
    clauses = {words[i].clause for i in idx}
    lo, hi = min(clauses), max(clauses)
    inside = [w for w in words if lo <= w.clause <= hi]
    return inside[0].tok.start, inside[-1].tok.end


def _details(doc: AnalysisDoc, turn: DocTurn, sent: Sentence, words: list[_Word]) -> dict[str, str | None]:
    ents = [e for e in doc.entities if e.turn_index == turn.index and sent.start <= e.start_char < sent.end]

    def names(kind: str) -> str | None:
        got = list(dict.fromkeys(e.norm or e.text for e in ents if e.type == kind))
        return ", ".join(got) or None

    period = names("DATE")
    equipment = names("EQUIPMENT") or (", ".join(dict.fromkeys(w.tok.orig for w in _has(words, EQUIP))) or None)
    people = [w.tok.orig for w in _has(words, PEOPLE) if w.key not in ("его", "ее", "их", "всех")]
    roles = names("PERSON_ROLE") or names("UNIT")
    subject = roles or (", ".join(dict.fromkeys(people)) or None)
    return {"subject": subject, "place": names("PLACE"), "period": period, "equipment": equipment}


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
    numbers = _numbers(turn, sent)
    lemmas = " ".join(w.key for w in words)
    found: list[tuple[str, list[int], float, bool]] = []  # type, word indexes, confidence, has_code
    if threat:
        found.append(("other", threat, 0.5, False))
    if conditional:  # only the threat itself is a claim in "если кто назад побежит, замочим"
        numbers = []
    for num in (numbers if not conditional else []):  # casualty codes first: the slang reading wins
        if num.kind == "code" and not (words and (_word_at(words, num.start) is None or
                                                  words[_word_at(words, num.start)].aside)):
            found.append((CODE_MEANING[num.code], [_word_at(words, num.start)], 0.9, True))
    frame_hits, vetoed = _frame_hits(sent, words, numbers) if not conditional else ([], set())
    wished = _wish_clauses(words)
    frame_hits = [f for f in frame_hits if words[f[1][0]].clause not in wished]
    typed: dict[int, set[str]] = {}
    for kind, hits, _, _ in frame_hits:
        typed.setdefault(hits[0], set()).add(kind)
    for trig in (TRIGGERS if not conditional else []):
        hits = [i for i, w in enumerate(words) if not w.aside and (trig.stems.match(w.key)) and i not in vetoed
                and trig.type in typed.get(i, (trig.type,))  # a predicate the parse read has the parse's type
                and w.clause not in wished]
        if not hits:
            continue
        context = words + (prev_question if trig.type == "shortage" else [])
        if trig.type == "shortage" and trig.needs:
            hits = [i for i in hits if _lack_of_supply(words, i, context)]
        elif any(not _has(context, need) for need in trig.needs):
            continue
        if hits:
            found.append((trig.type, hits, trig.strength, False))
    m = FIRE_AT_US.search(lemmas) if not conditional else None
    if m:
        found.append(("other", [min(len(lemmas[:m.start()].split()), len(words) - 1)], 0.5, False))
    for kind, pattern in (PHRASES if not conditional else []):
        m = pattern.search(lemmas)
        if m:
            pos = len(lemmas[:m.start()].split())
            found.append((kind, [min(pos, len(words) - 1)], 0.8, False))
    frame_counts, frame_data = {}, {}
    for kind, hits, count, data in frame_hits:
        found.append((kind, hits, 0.7, False))
        info = frame_data.setdefault(kind, {"frames": []})
        info["frames"].append(data.pop("frame"))
        if data.pop("negative_class", False):
            info["negative_class"] = True  # "не вернулись": the "не" is the claim, not its negation
        if count is not None and kind not in frame_counts:
            frame_counts[kind] = (count, data.pop("count_word", None))
            info.update(data)  # rate / per / total / left of the counted frame
    found = _resolve(found, words, civil_turn)
    rules: list[str | None] = [None] * len(found)
    for name, hits in (_phenomena(words, list(near), list(turn_words)) if not conditional else []):
        found.append(("other", hits, 0.6, False))
        rules.append(name)
    claims = []
    fire = bool(_has(words, FIRE))
    hedged = bool(_has(words, HEDGES))
    for (kind, hits, confidence, has_code), rule in zip(found, rules):
        count, count_idx = _count_for(words, numbers, hits, kind, has_code, fire)
        if kind in frame_counts and (not has_code or count is None):  # the parse's number wins
            count, count_idx = frame_counts[kind][:2]
        if kind == "shortage":  # "один танк стоит" is what is left, not how much is lacking
            count, count_idx = None, None
        if count_idx is not None and "rate" not in frame_data.get(kind, {}):
            rate = structure.rate_at(sent, sent.tokens.index(words[count_idx].tok))
            frame_data.setdefault(kind, {}).update(rate)
        span_idx = hits + ([count_idx] if count_idx is not None else [])
        start, end = _clause_span(words, span_idx)
        quote = turn.text[start:end]
        negated = any(_negated_at(words, i) for i in hits) and kind not in ("shortage",) \
            and not frame_data.get(kind, {}).get("negative_class") \
            and rule is None  # a rule's "не" is its content
        claims.append(Claim(
            kind, count, quote, turn.index, start, end, turn.speaker, turn.start_s, turn.end_s,
            hedged=hedged, negated=negated, confidence=round(confidence - 0.1 * hedged, 2),
            data={"trigger": [words[i].tok.orig for i in hits], "sentence": si, "fire": fire and rule is None,
                  **({"rule": rule} if rule else {}),
                  "us": any(w.key in ("нас", "нам", "мне", "меня", "наш", "наши", "нашим", "нашу") for w in words),
                  "lemmas": [w.tok.lemma for w in words if start <= w.tok.start < end and w.tok.pos not in FUNCTION],
                  **frame_data.get(kind, {})},
            **_with_rate(_details(doc, turn, sent, words), frame_data.get(kind, {})),
        ))
    return claims


#: units a rate is counted per ("по пять человек в день")
PER_UNIT = {"день": "day", "сутки": "day", "ночь": "night", "неделя": "week", "месяц": "month", "час": "hour",
            "раз": "time", "штурм": "assault", "выход": "sortie", "заход": "sortie"}


def _with_rate(details: dict[str, str | None], frame: dict) -> dict[str, str | None]:
    """The frame's arguments fill what the sentence's entities leave open (who, what equipment); a
    rate's unit is the claim's period when the sentence names no date: "per day"."""
    details["subject"] = details.get("subject") if details.get("subject") and not frame.get("who") \
        else frame.get("who") or details.get("subject")
    details["equipment"] = details.get("equipment") or frame.get("what")
    if frame.get("rate") and not details.get("period"):
        details["period"] = f"per {PER_UNIT.get(frame.get('per'), frame.get('per') or 'occasion')}"
    return details


def _negated_at(words: list[_Word], i: int) -> bool:
    """"не" right before the word in its clause ("не погиб"), or an existential "нет" right after it
    ("двухсотых нет"); a "нет" that ends the clause before ("Двухсотых нет, трёхсотых двое") is not it."""
    before = i > 0 and words[i - 1].key in NEGATION and words[i - 1].clause == words[i].clause
    after = i + 1 < len(words) and words[i + 1].key in ("нет", "нету") and words[i + 1].clause == words[i].clause
    return before or after


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
        data = dict(f.data, frame=f.cls.name, **({"negative_class": True} if f.cls.negated else {}))
        if f.count_at is not None:
            data["count_word"] = index.get(id(sent.tokens[f.count_at]))
        out.append((f.type, [pred], f.count, data))
    return out, vetoed - framed


def _execution_threat(words: list[_Word]) -> list[int]:
    """Word indexes of a shoot-your-own threat: a shooting word and a retreat/refusal cue in one sentence."""
    shoot = [i for i, w in enumerate(words) if not w.aside and SHOOT.match(w.key)]
    if shoot and any(RETREAT.match(w.key) for w in words):
        return shoot
    return []


def _lack_of_supply(words: list[_Word], i: int, context: list[_Word]) -> bool:
    """A supply word and a lack: "нет еды", "патроны кончились", "оружие не поставляют"."""
    key = words[i].key
    if i == 0 and key in ("нет", "ні") and len(words) > 1 and words[1].clause != words[0].clause:
        return False  # "Нет, вон один танк стоит": the answer "no", not a lack
    negated = i > 0 and words[i - 1].key in ("не", "ни", "нє")
    if key.startswith(("нет", "нету", "немає", "нема", "закончил", "кончил", "кончают", "бракує")):
        return bool(_has(words, SUPPLY))
    if key.startswith("меньше"):
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
        if kind in by_type:
            old = by_type[kind]
            by_type[kind] = (kind, sorted(set(old[1] + hits)), max(old[2], conf), old[3] or code)
        else:
            by_type[kind] = (kind, hits, conf, code)
    if civil_here and "civilian_harm" not in by_type and not own_side:
        harm = [i for i, w in enumerate(words) if CIVIL_HARM.match(w.key)]
        if harm:
            by_type["civilian_harm"] = ("civilian_harm", harm, 0.6, False)
    if len(by_type) > 1:
        by_type.pop("other", None)
    if "equipment_lost" in by_type and "killed" in by_type and not by_type["killed"][3]:
        # "технику разъебали" also matches people-less killing verbs: equipment wins
        if not _has(words, PEOPLE):
            by_type.pop("killed")
    return list(by_type.values())


def _count_for(words: list[_Word], numbers: list[NumberSpan], hits: list[int], kind: str, has_code: bool,
               fire: bool) -> tuple[int | None, int | None]:
    """The count of a claim and the word index it sits at."""
    anchor = min(hits)
    if has_code:  # "6 трёхсотых", "Вчера 4 300": the count right before the code
        for k, num in enumerate(numbers):
            if num.kind == "code" and _word_at(words, num.start) in hits:
                prev = numbers[k - 1] if k else None
                if prev and prev.kind == "count" and _word_at(words, prev.start) is not None \
                        and anchor - _word_at(words, max(prev.start, prev.end - 1)) <= 2:
                    return prev.count, _word_at(words, prev.start)
        return None, None
    best, best_dist = None, 99
    for num in numbers:
        if not _usable_count(words, num, fire):
            continue
        i = _word_at(words, num.start)
        same_clause = words[i].clause == words[anchor].clause
        dist = min(abs(i - h) for h in hits)
        if (same_clause or dist <= 2) and dist < best_dist and dist <= 6:
            best, best_dist = num, dist
    if best is not None:
        return best.count, _word_at(words, best.start)
    if kind in ("killed", "wounded", "captured", "missing"):
        singular = _has(words, SINGULAR_PERSON)
        if singular and not _has(words, PLURAL_PEOPLE):
            return 1, None
    if kind == "other" and fire:  # "выпустили четвёртую ракету": the fourth shot means four
        for num in numbers:
            i = _word_at(words, num.start)
            if num.kind == "ordinal" and i is not None and i + 1 < len(words) and FIRE.match(words[i + 1].key):
                return int(num.value), i
    return None, None


def _merge(claims: list[Claim], window: int = 2) -> list[Claim]:
    """Fold repeats: same type and count in the same turn within ``window`` sentences, or the same
    words again later in the call (a radio read-back)."""
    out: list[Claim] = []
    for c in claims:
        dup = None
        for o in out:
            if (o.type, o.count, o.data.get("rule"), o.negated) != (c.type, c.count, c.data.get("rule"), c.negated):
                continue  # different phenomena are different claims even without a count; "not" is not "yes"
            near = o.turn_index == c.turn_index and abs(o.data["sentence"] - c.data["sentence"]) <= window \
                and (c.count is not None or _same_event(o, c))  # uncounted: different predicates, different events
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
    def keys(c: Claim) -> set[str]:
        return {lemma(w) for w in c.data.get("trigger", [])} | set(c.data.get("frames", []))

    return bool(keys(a) & keys(b)) or not a.data.get("trigger") or not b.data.get("trigger") \
        or _overlap(a.data["lemmas"], b.data["lemmas"]) >= 0.5


def _overlap(a: list[str], b: list[str]) -> float:
    """Overlap coefficient of content lemmas: a read-back repeats most words of the shorter one."""
    sa, sb = set(a), set(b)
    return len(sa & sb) / min(len(sa), len(sb)) if sa and sb else 0.0


#: claim types a bare number can answer ("Сколько погибло?" - "Двенадцать.")
COUNTED = ("killed", "wounded", "missing", "captured", "refused_or_deserted", "equipment_lost")


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
        civil_turn = any(CIVIL.match(fold(t.text)) for t in turn.tokens if t.is_word)
        joined = [_joined(_words(sent)) for sent in turn.sentences]
        turn_words = [fold(t.text) for t in turn.tokens if t.is_word]
        for si, sent in enumerate(turn.sentences):
            near = prev_turn + [t for pair in joined[max(0, si - 2):si] for t in pair]
            found = _sentence_claims(doc, turn, si, sent, civil_turn, prev_question, near, turn_words)
            if si == 0 and asked is not None and all(c.count is None for c in found):
                answer = _answer_claims(turn, sent, asked)  # "Сколько погибло?" - "Человек тридцать."
                found = answer + [c for c in found if c.type not in {a.type for a in answer}]
            claims.extend(found)
        prev_turn = [t for pair in joined[-2:] for t in pair]
        last = turn.sentences[-1] if turn.sentences else None
        is_question = bool(last) and last.text.rstrip(" \"'»)*.…").endswith("?")
        prev_question = _words(last) if is_question else []
        asked = last if is_question else None
    claims = _merge(claims)
    doc.claims = claims
    return claims


__all__ = ["CLAIM_TYPES", "Claim", "extract_claims"]
