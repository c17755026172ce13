"""Fact check of a machine translation: what the source turn states must be in the English.

A *fact* is a number, a named entity, a casualty code or a claim trigger found in the ru/uk source.
Each carries the English that would show it (digits or number words, transliterations or glossary
renderings, casualty class words, claim class words). A line whose English lacks one is unfaithful.
Lexicons are lemma classes (English word stems, matched as word prefixes), never sentences.
"""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field

from rapidfuzz import fuzz

from listeningpost.analyze.claims import PHRASES, TRIGGERS
from listeningpost.analyze.numbers import CODE_MEANING, NumberSpan, find_numbers
from listeningpost.text.morph import morph
from listeningpost.text.normalise import fold, normalise
from listeningpost.text.tokens import split_sentences
from listeningpost.translate.glossary import default_glossary

KINDS = ("number", "entity", "casualty_code", "claim_trigger")

# --- English class words (stems, matched as prefixes of English tokens) --------------------------
CLASS_WORDS: dict[str, tuple[str, ...]] = {
    "killed": ("kill", "dead", "die", "dying", "death", "corpse", "bod", "fallen", "perish", "slain", "murder",
               "kia", "200", "cargo", "shot", "shoot", "execut", "los", "wiped", "mowed", "laid", "coffin",
               "funeral", "buried", "grave", "lifeless"),
    "wounded": ("wound", "injur", "wia", "300", "hurt", "concuss", "shell-shock", "shellshock", "hit", "casualt",
                "bleed", "blood"),
    "missing": ("missing", "disappear", "vanish", "lost", "mia", "gone", "unaccounted"),
    "captured": ("captur", "prison", "captiv", "pow", "taken", "caught", "seiz", "surrender"),
    "refused_or_deserted": ("refus", "desert", "fled", "flee", "ran away", "run away", "running away", "ran off",
                            "run off", "escap", "awol", "quit", "declin", "reject", "500", "left", "leav", "bail",
                            "split", "took off", "get away", "got away", "bolt", "abandon", "won't", "will not",
                            "deny", "denied"),
    "equipment_lost": ("destroy", "down", "knock", "burn", "burnt", "sank", "sunk", "sink", "blow", "blew",
                       "hit", "lost", "los", "wreck", "smash", "explod", "drown", "demolish", "blast", "broke",
                       "shot", "crash", "torch", "tore", "ripped", "fucked", "screwed", "trash"),
    # the triggers are rape and looting (claims.TRIGGERS): "killing" for "насилуют" is a wrong fact
    "civilian_harm": ("rape", "raping", "loot", "rob", "maraud", "pillag", "violen", "violat", "sexual", "assault",
                      "abus", "steal", "stole", "plunder", "molest"),
    "shortage": ("no", "not", "lack", "short", "out", "without", "enough", "hungry", "hunger", "starv",
                 "nothing", "none", "less", "fewer", "pay", "paid", "give", "gave", "given", "bring", "brought",
                 "deliver", "suppl", "feed", "fed", "ran", "run", "don't", "doesn't", "didn't", "haven't", "aren't",
                 "isn't", "weren't", "wasn't"),
}
#: claims.PHRASES whose English is not their class's words ("his heart gave out"; "в расход" = shot)
PHRASE_WORDS: dict[str, tuple[str, ...]] = {
    "сердце": ("heart",),
    "в расход": ("kill", "shot", "shoot", "execut", "liquidat", "wast", "finish", "eliminat", "dispos"),
}
#: casualty code -> claim class of its English words
CODE_CLASS = dict(CODE_MEANING)
#: glossary categories whose terms are named things the English must keep
ENTITY_CATS = {"place", "org", "abbr"}
#: natasha NER as a second source of names (see _ner_names)
USE_NER = True

_EN_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_EN_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_EN_MULT = {"hundred": 100, "thousand": 1000, "grand": 1000, "million": 10**6, "billion": 10**9}
_EN_COUNTS = {"dozen": 12, "couple": 2, "pair": 2, "both": 2, "once": 1, "twice": 2, "thrice": 3, "half": 0.5,
              "single": 1, "alone": 1, "oh": 0, "nil": 0, "none": 0, "no": 0, "nobody": 0, "hundreds": 100,
              "thousands": 1000, "dozens": 12, "tens": 10, "twos": 2, "threes": 3, "fours": 4, "fives": 5}
_EN_ORD = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split())}
_EN_ORD.update({"thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70,
                "eightieth": 80, "ninetieth": 90, "hundredth": 100, "thousandth": 1000})
#: every number word's value, the first table above that has it winning; "secondly" is an ordinal + "ly"
_EN_WORDS = {**{w + "ly": v for w, v in _EN_ORD.items()}, **_EN_ORD, **_EN_COUNTS, **_EN_MULT, **_EN_TENS,
             **_EN_UNITS}
_EN_TOKEN = re.compile(r"\d+(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?|[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_RU_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_DIGITS = re.compile(r"\d+")
_DECIMAL = re.compile(r"(?<![\d,.])\d+[,.]\d+(?![\d,.])")
_QUOTES = set("\"'«»„“”")
_READING = re.compile(r"\[=?[^\]]*\]|\(=[^)]*\)")
_LATIN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_NAME_TAGS = {"Name", "Surn", "Patr", "Geox", "Orgn"}


@dataclass
class Fact:
    """One checkable item of the source (shared between calls through a cache: do not modify)."""

    kind: str  # number | entity | casualty_code | claim_trigger
    source: str  # the source words as read (editorial notes applied: "тыщ [=тысяч]" -> "тысяч")
    expected: list[str]  # English that shows the fact (any one is enough)
    value: float | None = None  # the number, for kind == number (matched by value, not by spelling)


@dataclass
class FactCheck:
    facts: list[Fact] = field(default_factory=list)
    missing: list[Fact] = field(default_factory=list)

    @property
    def faithful(self) -> bool:
        return not self.missing

    def summary(self) -> dict:
        """What `lpost show --json` and the call page carry: faithful, and the missing source words."""
        return {"faithful": self.faithful, "missing": [f.source for f in self.missing]}

    def to_dict(self) -> dict:
        return {**self.summary(), "facts": [asdict(f) for f in self.facts]}


# --- English side ---------------------------------------------------------------------------------

def en_tokens(english: str) -> list[str]:
    return [t.lower().replace("’", "'") for t in _EN_TOKEN.findall(english.replace("-", " "))]


def en_numbers(english: str) -> set[float]:
    """Every value the English states: digits, number words, compounds ("two hundred and fifty")."""
    values = {float(d) for d in _DIGITS.findall(english)}  # "23.00" also states 23 and 0
    for chunk in re.split(r"[^\w\s'’.,-]|[.,](?!\d)", english):  # a compound never crosses punctuation
        values |= _chunk_numbers(en_tokens(chunk))
    return values


def _chunk_numbers(toks: list[str]) -> set[float]:
    values: set[float] = set()
    total = current = 0.0
    open_ = False  # a compound is being read
    for i, tok in enumerate(toks):
        v = _en_value(tok)
        if tok in ("a", "an") and i + 1 < len(toks) and toks[i + 1] in (*_EN_MULT, "dozen", "couple", "pair"):
            v = 1.0
        if tok in _EN_MULT and open_:
            total, current = total + (current or 1) * _EN_MULT[tok], 0.0
        elif tok == "half" and open_ and i and toks[i - 1] in ("a", "and"):
            current += 0.5
        elif v is not None and open_ and (current % 100 == 0 and v < 100 or current % 10 == 0 and 0 < v < 10
                                           and current >= 20):
            current += v
        elif tok == "and" and open_ or tok in ("a", "an") and open_:
            pass
        elif v is not None:
            total, current, open_ = 0.0, float(v), True
        else:
            total = current = 0.0
            open_ = False
        if v is not None:
            values.add(float(v))
        if open_:
            values.add(total + current)
    return values


def _en_value(tok: str) -> float | None:
    if tok[:1].isdigit():  # "1,000", "23.00", "3rd" (the suffix ignored)
        try:
            return float(re.match(r"[\d,.]+", tok).group(0).replace(",", ""))
        except ValueError:
            return None
    return float(_EN_WORDS[tok]) if tok in _EN_WORDS else None


def en_words(n: float) -> str:
    """English words for a number, to show what was expected ("two hundred", "twelve")."""
    if not float(n).is_integer():
        return "one and a half" if n == 1.5 else str(n)
    n = int(n)
    if n < 20:
        return list(_EN_UNITS)[n]
    if n < 100:
        tens = list(_EN_TENS)[n // 10 - 2]
        return tens if n % 10 == 0 else f"{tens}-{list(_EN_UNITS)[n % 10]}"
    for size, word in ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            head, rest = divmod(n, size)
            return f"{en_words(head)} {word}" + (f" {en_words(rest)}" if rest else "")
    return str(n)


def _has_stem(tokens: list[str], text: str, stems: tuple[str, ...]) -> bool:
    return any(re.search(r"(?<!\w)" + re.escape(stem), text) if " " in stem or "'" in stem
               else any(t.startswith(stem) for t in tokens) for stem in stems)


def _fuzzy_in(tokens: list[str], wanted: str) -> bool:
    """A transliterated name is present if some English token (or run of tokens) is close to it."""
    wanted = wanted.lower()
    n = max(1, len(wanted.split()))
    grams = [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    cut = 70 if len(wanted) >= 6 else 80  # short names: one letter off is already a lot
    return any(g[:1] == wanted[:1] and fuzz.ratio(g, wanted) >= cut or g == wanted for g in grams)


# --- source side ----------------------------------------------------------------------------------

def source_facts(text: str, lang: str = "ru") -> list[Fact]:
    """The facts of one ru/uk turn, in kind order, each once."""
    return list(_source_facts(text, lang))


@functools.lru_cache(maxsize=4096)
def _source_facts(text: str, lang: str) -> tuple[Fact, ...]:
    # cached: a turn is checked against every engine's English (and the bench checks all of them)
    norm = normalise(text).text
    codes, code_spans = _codes(norm, find_numbers(norm))
    numtext = normalise(_READING.sub(lambda m: _drop_reading(text, m), text)).text
    num_spans = find_numbers(numtext)
    facts = _numbers(numtext, num_spans, _codes(numtext, num_spans)[1]) + _entities(norm, lang) + codes \
        + _triggers(norm, lang, code_spans)
    unique: dict[tuple, Fact] = {}
    for f in facts:
        unique.setdefault((f.kind, f.value if f.kind == "number" else tuple(f.expected)), f)
    return tuple(unique.values())


def _drop_reading(text: str, m: re.Match) -> str:
    """A note that spells out the digits just before it ("31 [тридцать первого]", "40! (=Сорок!)") is
    not a second number: the English gives the digits once."""
    before, note = text[max(0, m.start() - 40):m.start()], m.group()
    spelled = not re.search(r"\d", note) and any(s.kind in ("count", "ordinal") for s in find_numbers(note))
    return " " if spelled and re.search(r"\d", before) else note


def _numbers(norm: str, spans: list[NumberSpan], taken: list[tuple[int, int]]) -> list[Fact]:
    out, covered = [], list(taken)
    for m in _DECIMAL.finditer(norm):  # "4,5%": one number, not 4 and 5
        covered.append(m.span())
        out.append(_number_fact(m.group(), float(m.group().replace(",", "."))))
    for span in spans:
        if any(a <= span.start < b for a, b in covered):
            continue
        covered.append((span.start, span.end))
        # "один"/"одна" is as often "alone", "the same" or an article as a count: not a checkable fact
        if span.value is not None and (span.kind == "ordinal" or span.kind == "count" and span.value != 1):
            out.append(_number_fact(span.text, span.value))
    # digits glued to a word ("12-летнюю", "Рама-69", "11-34") are read by nobody above
    for m in _DIGITS.finditer(norm):
        if not any(a <= m.start() < b for a, b in covered):
            out.append(_number_fact(m.group(), int(m.group())))
    return out


def _number_fact(source: str, value: float) -> Fact:
    v = float(value)
    digits = str(int(v)) if v.is_integer() else str(v)
    return Fact("number", source, [digits, en_words(v)], v)


def _codes(norm: str, spans: list[NumberSpan]) -> tuple[list[Fact], list[tuple[int, int]]]:
    """Casualty codes: numbers.py's slang reading plus the glossary's casualty_code terms."""
    found = [(s.start, s.end, s.text, s.code) for s in spans if s.kind == "code" and s.code]
    for m in default_glossary().find(norm):
        if m.term.cat == "casualty_code" and not any(a < m.end and m.start < b for a, b, _, _ in found):
            code = int(re.sub(r"\D", "", m.term.id) or 0)
            found.append((m.start, m.end, m.text, code))
    facts = [Fact("casualty_code", text, _code_expected(code)) for _, _, text, code in sorted(found)]
    return facts, [(a, b) for a, b, _, _ in found]


def _code_expected(code: int) -> list[str]:
    term = next((t for t in default_glossary().terms if t.id == f"code{code}"), None)
    renderings = list(term.renderings) if term else [str(code)]
    return list(dict.fromkeys(renderings + list(CLASS_WORDS.get(CODE_CLASS.get(code, ""), ()))))


def _entities(norm: str, lang: str) -> list[Fact]:
    matches = default_glossary().find(norm)
    out = [Fact("entity", m.text, list(m.term.renderings)) for m in matches if m.term.cat in ENTITY_CATS]
    glossed = [(m.start, m.end) for m in matches]
    ner = _ner_names(norm, lang) if USE_NER else set()
    for m in _RU_WORD.finditer(norm):
        word = m.group()
        if any(a <= m.start() < b for a, b in glossed):
            continue
        if _LATIN.fullmatch(word) and word[:1].isupper():  # "Daily Storm": Latin script is copied as it is
            out.append(Fact("entity", word, [word]))
        elif _is_name(word, lang) or (m.start(), m.end()) in ner or _is_place(norm, m):
            out.append(Fact("entity", word, _name_renderings(word, lang)))
    return out


def _ner_names(norm: str, lang: str) -> set[tuple[int, int]]:
    """Words natasha tags PER/LOC that some dictionary parse also reads as a name or place: natasha
    alone tags sentence-initial swearing as persons, the dictionary alone misses rare surnames."""
    from listeningpost.analyze.entities import natasha_spans
    from listeningpost.text.morph import all_parses

    if not any(m.group()[:1].isupper() and not _sentence_initial(norm, m.start()) and not _is_name(m.group(), lang)
               for m in _RU_WORD.finditer(norm)):
        return set()  # nothing natasha could add: skip the NER
    out = set()
    for kind, a, b in natasha_spans([norm])[0]:
        for m in _RU_WORD.finditer(norm, a, b):
            if kind in ("PER", "LOC") and not _sentence_initial(norm, m.start()) and any(
                    _NAME_TAGS & set(str(p.tag).replace(" ", ",").split(","))
                    for p in all_parses(m.group(), lang) if type(p.methods_stack[0][0]).__name__ == "DictionaryAnalyzer"):
                out.add((m.start(), m.end()))
    return out


def _is_place(norm: str, m: re.Match) -> bool:
    """A capitalised word inside a sentence that the gazetteer knows (the uk dictionary has no Geox tag)."""
    from listeningpost.analyze.geocode import gazetteer

    word, quoted = m.group(), norm[m.start() - 1:m.start()] in _QUOTES or norm[m.end():m.end() + 1] in _QUOTES
    if not word[:1].isupper() or word.isupper() or len(word) < 3 or quoted or _sentence_initial(norm, m.start()):
        return False  # quoted: a call sign or a nickname ("Поток"), which the English translates
    return any(p.en for p in gazetteer().lookup([word]))


def _sentence_initial(text: str, pos: int) -> bool:
    """First word of its sentence ("Охуеть!", "Нифига!" are what natasha mistakes for persons there)."""
    return not re.search(r"[^\W\d_]", re.split(r"[.!?…]", text[:pos])[-1])


def _is_name(word: str, lang: str) -> bool:
    """A capitalised word the dictionary reads as a first name, surname, patronymic, place or org."""
    if not word[:1].isupper() or len(word) < 3 or (word.isupper() and len(word) > 1):
        return False
    return bool(_NAME_TAGS & morph(word, lang).tags)


@functools.lru_cache(maxsize=20_000)
def _name_renderings(word: str, lang: str) -> list[str]:
    from listeningpost.analyze.entities import translit
    from listeningpost.analyze.geocode import gazetteer

    import cyrtranslit

    lem = morph(word, lang).lemma
    out = [p.en for p in gazetteer().lookup([word]) if p.en]
    full = (lem, *DIMINUTIVES.get(lem, ()))
    out += [en for name in full for en in EN_NAMES.get(fold(name), ())]
    for w in (fold(word), *full):
        out += [translit(w), cyrtranslit.to_latin(w, "ua" if lang == "uk" else "ru")]
        if w[:1] == "е":  # initial е is "ye" in English spellings (Yevgeny)
            out.append("ye" + translit(w[1:]))
        if "г" in w:  # Russian г stands for a foreign h (Гитлер = Hitler) and is h in Ukrainian
            out.append(translit(w).replace("g", "h"))
    return list(dict.fromkeys(x.lower() for x in out if x))


#: first-name diminutives (lemma) -> full names: English often gives the full name ("Женя" -> Yevgeny)
DIMINUTIVES: dict[str, tuple[str, ...]] = {
    "женя": ("евгений", "евгения"), "саша": ("александр", "александра"), "лёха": ("алексей",),
    "леха": ("алексей",), "лёша": ("алексей",), "леша": ("алексей",), "алёша": ("алексей",), "дима": ("дмитрий",),
    "боря": ("борис",), "вова": ("владимир",), "володя": ("владимир",), "коля": ("николай",),
    "серёжа": ("сергей",), "сережа": ("сергей",), "серёга": ("сергей",), "серега": ("сергей",), "миша": ("михаил",),
    "паша": ("павел",), "петя": ("пётр", "петр"), "ваня": ("иван",), "витя": ("виктор",), "толя": ("анатолий",),
    "юра": ("юрий",), "костя": ("константин",), "слава": ("вячеслав", "станислав"), "андрюха": ("андрей",),
    "андрюша": ("андрей",), "гоша": ("георгий",), "жора": ("георгий",), "лёня": ("леонид",), "леня": ("леонид",),
    "макс": ("максим",), "таня": ("татьяна",), "наташа": ("наталья",), "маша": ("мария",), "оля": ("ольга",),
    "лена": ("елена",), "света": ("светлана",), "катя": ("екатерина",), "настя": ("анастасия",), "галя": ("галина",),
    "люба": ("любовь",), "надя": ("надежда",), "вера": (), "ира": ("ирина",), "аня": ("анна",), "юля": ("юлия",),
}


#: full first names (folded lemma) -> their English equivalents, which translations use ("Eugene")
EN_NAMES: dict[str, tuple[str, ...]] = {
    "евгений": ("eugene",), "александр": ("alexander", "alex"), "алексей": ("alex", "alexis"),
    "михаил": ("michael",), "петр": ("peter",), "павел": ("paul",), "николай": ("nicholas",),
    "георгий": ("george",), "мария": ("mary", "maria"), "екатерина": ("catherine", "katherine"),
    "елена": ("helen", "elena"), "анна": ("anna", "ann"), "юлия": ("julia",), "наталья": ("natalia", "natalie"),
    "татьяна": ("tatiana",), "иосиф": ("joseph",), "федор": ("theodore",), "андрей": ("andrew",),
    "григорий": ("gregory",), "константин": ("constantine",),
}


def _triggers(norm: str, lang: str, taken: list[tuple[int, int]]) -> list[Fact]:
    """Claim triggers (claims.TRIGGERS), one fact per claim class, context rules applied per sentence."""
    out, seen = [], set()
    for sent in split_sentences(norm):
        words = [(sent.start + m.start(), m.group()) for m in _RU_WORD.finditer(sent.text)]
        keys = [(fold(w), morph(w, lang).lemma) for _, w in words]
        for trig in TRIGGERS:
            if trig.type not in CLASS_WORDS or trig.type in seen:
                continue
            hits = [w for (pos, w), (key, _) in zip(words, keys)
                    if trig.stems.match(key) and not any(a <= pos < b for a, b in taken)]
            if hits and all(any(need.match(k) or need.match(l) for k, l in keys) for need in trig.needs):
                seen.add(trig.type)
                out.append(Fact("claim_trigger", hits[0], list(CLASS_WORDS[trig.type])))
        _vital_death(words, keys, seen, out)
        joined = " ".join(k for k, _ in keys)
        for kind, pattern in PHRASES:  # phrases with no trigger word ("в расход")
            if (m := pattern.search(joined)) and kind in CLASS_WORDS and kind not in seen:
                seen.add(kind)
                extra = next((w for head, w in PHRASE_WORDS.items() if m.group().startswith(head)), ())
                out.append(Fact("claim_trigger", m.group(), list(CLASS_WORDS[kind] + extra)))
    return out


def _vital_death(words: list[tuple[int, str]], keys: list[tuple[str, str]], seen: set[str], out: list[Fact]) -> None:
    """"Сердце (уже) не выдержало / остановилось": a death with no death word, from the analysis's
    predicate classes that need a vital organ (negated ones only with a "не" just before)."""
    from listeningpost.analyze.structure import arg_class, predicates_of

    vital = [i for i, (_, lemma) in enumerate(keys) if lemma in arg_class("vital")]
    if not vital or "killed" in seen or "killed" not in CLASS_WORDS:
        return
    for i, (_, lemma) in enumerate(keys):
        for cls in predicates_of(lemma):
            negation_ok = not cls.negated or any(k == "не" for k, _ in keys[max(0, i - 2):i])
            if cls.needs == "vital" and cls.type == "killed" and negation_ok:
                start = min(vital[0], i)
                seen.add("killed")
                out.append(Fact("claim_trigger", " ".join(w for _, w in words[start:i + 1]),
                                list(CLASS_WORDS["killed"]) + ["heart"]))
                return


# --- the check ------------------------------------------------------------------------------------

def present(fact: Fact, english: str, tokens: list[str] | None = None, numbers: set[float] | None = None) -> bool:
    """Whether ``english`` shows ``fact`` (``tokens``/``numbers``: en_tokens/en_numbers of it, if at hand)."""
    tokens = en_tokens(english) if tokens is None else tokens
    if fact.kind == "number":
        return fact.value in (en_numbers(english) if numbers is None else numbers)
    low = english.lower()
    if fact.kind == "entity":
        return any(_fuzzy_in(tokens, e) or re.search(r"(?<!\w)" + re.escape(e.lower()), low)
                   for e in fact.expected)
    return _has_stem(tokens, low, tuple(e.lower() for e in fact.expected))


def check(source_text: str, english: str, lang: str = "ru") -> FactCheck:
    """Facts of ``source_text`` and those ``english`` does not show; faithful when none is missing."""
    facts = source_facts(source_text, lang or "ru")
    tokens, numbers = en_tokens(english or ""), en_numbers(english or "")
    missing = [f for f in facts if not present(f, english or "", tokens, numbers)]
    return FactCheck(facts, missing)


__all__ = ["CLASS_WORDS", "Fact", "FactCheck", "KINDS", "check", "en_numbers", "en_words", "present", "source_facts"]
