"""Redaction of bystanders' personal data in exports.

What is removed: phone numbers (written in Russian/Ukrainian/international formats, or dictated as
number words), personal names that are not on the reviewed allow-list of public figures
(``public_figures.yaml``), street addresses, and whatever the analyst marked (``redaction_marks``).
Each is replaced by a typed placeholder, the same one everywhere in one export: ``[PHONE]``,
``[ADDRESS]``, ``[PERSON 1]``, ``[PERSON 2]`` ...

A :class:`Redactor` first *learns* the people of the calls being exported (natasha NER over the
turns, PERSON entities, analyst speaker names, marks) and then redacts every string of the call
documents, so a name found in a turn is also removed from titles, quotes, entity rows, notes and
file names. Words with timestamps are redacted as one text so a number dictated across several
words disappears whole, and their times become the audio spans to bleep.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from typing import Any, Iterable

import yaml
from sqlalchemy import insert, or_, select

from listeningpost.analyze.entities import natasha_spans, translit
from listeningpost.analyze.numbers import find_numbers
from listeningpost.text.morph import morph
from listeningpost.text.normalise import fold
from listeningpost.intervals import union
from listeningpost.store import tables
from listeningpost.store.case import Case, now
from listeningpost.translate.facts import check, en_words

#: setting that makes `lpost export` redact unless --no-redact is given
DEFAULT_SETTING = "export.redact"
#: case-level additions to the packaged public-figure allow-list (a list of names; admin settings page)
PUBLIC_FIGURES_SETTING = "export.public_figures"

# Phones: digit groups joined by single separators, optional +, 7-15 digits in all (letters may touch
# them: "call_79161234567.mp3").
_PHONE = re.compile(r"(?<![\d+])\+?\(?\d+\)?(?:[ \-.\u00a0]?\(?\d+\)?){1,7}(?!\d)")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}[./]\d{1,2}[./]\d{2,4}$")
_URL = re.compile(r"https?://\S+|www\.\S+", re.I)
_GAP = re.compile(r"^[\s,.\-–—]*$")
#: English number word -> digits it stands for when dictated ("oh" = 0, "twenty" = 2 digits)
_EN_DIGITS = {"oh": 1, **{en_words(n): len(str(n)) for n in (*range(20), *range(20, 100, 10))}}
_EN_NUMBER_RUN = re.compile(r"\b(?:(?:%s)\b[\s,\-]*){3,}" % "|".join(_EN_DIGITS), re.I)

# Addresses: a street word with a name and/or house number ("ул. Ленина, д. 5, кв. 12",
# "вулиця Шевченка 10", "12 Lenin Street", "Lenin Street 5, apartment 3"); "на улице" alone is not one.
_CAP = r"[A-ZА-ЯЁІЇЄҐ][\w’'\-]*"
_HOUSE = r"(?:[,\s]+(?i:д(?:ом)?\.?|буд(?:инок)?\.?|house|building|No\.?)?\s*\d+[а-яa-z]?(?:/\d+)?)"
_FLAT = r"(?:[,\s]+(?i:кв(?:артира|артиру|\.)?|apartment|apt\.?|flat)\s*\d+)"
_STREET_RU = r"(?i:ул(?:иц[аеуы]|\.)|пр(?:оспект[а-я]*|-т|осп\.)|переул(?:ок|ке|ка)|пер\.|бульвар[а-я]*|б-р|шоссе|проезд[а-я]*|вул(?:иц[яіюе]|\.)|провул(?:ок|ку)|площ(?:адь|і|а))"
_STREET_EN = r"(?:Street|St\.|Avenue|Ave\.|Lane|Road|Rd\.|Boulevard|Blvd\.?|Prospekt|Avenue|Square|Alley)"
_ADDRESS = re.compile(
    rf"\b{_STREET_RU}\s+(?:{_CAP}(?:\s+{_CAP})?{_HOUSE}?{_FLAT}?|[\w’'\-]+{_HOUSE}{_FLAT}?)"
    rf"|(?<!\w)(?:\d+[A-Za-z]?\s+)?{_CAP}(?:\s+{_CAP})?\s+{_STREET_EN}{_HOUSE}?{_FLAT}?"
    rf"|\b(?i:дом|будинок)\s+\d+\w?{_FLAT}"
)
_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")

#: document keys whose values are codes, hashes or times (never personal data)
_SKIP_KEYS = frozenset({
    "schema", "sha256", "format", "kind", "type", "status", "engine", "model", "lang", "language", "origin",
    "stage", "category", "added_at", "created_at", "updated_at", "started_at", "finished_at", "speaker",
    "published_date", "obtained_date", "theme",
})


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    key: str = ""


@dataclass
class Mark:
    text: str
    kind: str = "REDACTED"


@lru_cache(maxsize=8)
def public_figures(extra: tuple[str, ...] = ()) -> frozenset[str]:
    """Folded forms, lemma keys ("евгений викторович") and transliterations of the allow-list names:
    the packaged list plus ``extra`` names (a case's own additions)."""
    data = yaml.safe_load((resources.files("listeningpost.export") / "public_figures.yaml").read_text("utf-8"))
    out = set()
    for name in [n for entry in data for n in entry["names"]] + [e for e in extra if e.strip()]:
        key = _lemma_key(_TOKEN.findall(name))
        # the analyzer's own transliteration too ("Гитлер" -> "gitler", not "hitler")
        out.update({fold(name), key, fold(translit(name)), fold(translit(key))})
    return frozenset(out)


def _lemma_key(tokens: list[str]) -> str:
    return " ".join(morph(t).lemma for t in tokens)


def _is_public(token: str, allow: frozenset[str]) -> bool:
    return fold(token) in allow or morph(token).lemma in allow


@lru_cache(maxsize=100_000)
def _name_tagged(token: str) -> bool:
    """pymorphy3 reads the token as a first name, surname or patronymic."""
    m = morph(token)
    return m.known and m.score >= 0.3 and bool(m.tags & {"Name", "Surn", "Patr"})


@lru_cache(maxsize=100_000)
def _person_like(token: str) -> bool:
    """Whether a token NER called a person can be one: news NER misfires on profanity, plurals,
    interjections and town names ("Бахмут" even parses as a first name)."""
    m = morph(token)
    if len(set(fold(token)) - {"-", "'", "’"}) < 3 or m.tags & {"plur", "Slng", "Geox"} or _is_place(token):
        return False
    return _name_tagged(token) or (not m.known and m.pos in ("NOUN", None))


@lru_cache(maxsize=100_000)
def _is_place(token: str) -> bool:
    """A town or district of the gazetteer (villages of the full codifier are too many: "Саша" is one)."""
    from listeningpost.analyze.geocode import gazetteer

    return any(p.source != "katotth" or p.kind == "M" for p in gazetteer().lookup([token]))


_CASE_ENDINGS = ("ами", "ому", "ыми", "ого", "ой", "ом", "ым", "ем", "ей", "ую", "а", "у", "е", "ы", "и", "ю", "я")


def _stems(token: str) -> set[str]:
    """Likely base forms of an inflected name pymorphy does not know ("Пупкина" -> "пупкин"), so the
    nominative and its transliteration ("Pupkin") are found too."""
    word = fold(token)
    return {word[: -len(e)] for e in _CASE_ENDINGS if word.endswith(e) and len(word) - len(e) >= 4}


def _digit_count(value: float | int | None) -> int:
    return len(str(int(value))) if value is not None and float(value).is_integer() else 0


@dataclass
class Redactor:
    marks: list[Mark] = field(default_factory=list)
    #: person key -> number (order of first appearance)
    people: dict[str, int] = field(default_factory=dict)
    #: exact surfaces and folded forms/lemmas -> person key
    exact: dict[str, str] = field(default_factory=dict)
    folded: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    #: public-figure allow-list (see :func:`public_figures`)
    allow: frozenset[str] = field(default_factory=public_figures)

    # -- learning ------------------------------------------------------------------------------
    def learn_texts(self, texts: list[str]) -> None:
        """Register the PER spans natasha finds in ``texts`` (original-language turn texts)."""
        for text, spans in zip(texts, natasha_spans(texts)):
            for label, a, b in spans:
                if label == "PER":
                    self.learn_name(text[a:b])

    def learn_name(self, name: str, force: bool = False) -> None:
        """Register a person's name (its name-like tokens) unless it names a public figure.
        ``force``: the analyst said it is a person; register every token as given."""
        tokens = _TOKEN.findall(name or "")
        if not force:
            if any(_is_public(t, self.allow) for t in tokens) or _lemma_key(tokens) in self.allow:
                return
            tokens = [t for t in tokens if _person_like(t)]
        if not tokens:
            return
        # a name sharing a token with a known one ("Иванов" after "Саша Иванов") is that person
        known = [self.exact.get(t) or self.folded.get(fold(t)) or self.folded.get(morph(t).lemma) for t in tokens]
        key = next((k for k in known if k), None) or _lemma_key(tokens)
        self.people.setdefault(key, len(self.people) + 1)
        for t in tokens:
            self.exact.setdefault(t, key)
            for form in {fold(t), morph(t).lemma, *_stems(t)}:
                self.folded.setdefault(form, key)
                self.folded.setdefault(fold(translit(form)), key)

    def learn_marks(self, marks: Iterable[Mark]) -> None:
        for m in marks:
            if m.text and m.text.strip():
                self.marks.append(m)
                if m.kind == "PERSON":
                    self.learn_name(m.text, force=True)
        self.marks.sort(key=lambda m: -len(m.text))

    # -- finding -------------------------------------------------------------------------------
    def spans(self, text: str) -> list[Span]:
        if not text:
            return []
        found: list[Span] = []
        for m in self.marks:
            for hit in re.finditer(re.escape(m.text), text, re.I):
                key = _lemma_key(_TOKEN.findall(m.text)) if m.kind == "PERSON" else ""
                found.append(Span(hit.start(), hit.end(), m.kind, key))
        found += self._phones(text) + [Span(m.start(), m.end(), "ADDRESS") for m in _ADDRESS.finditer(text)]
        found += self._persons(text)
        return _resolve(found)

    def _phones(self, text: str) -> list[Span]:
        urls = [(m.start(), m.end()) for m in _URL.finditer(text)]
        out = []
        for m in _PHONE.finditer(text):
            digits = sum(ch.isdigit() for ch in m.group())
            if 7 <= digits <= 15 and not _DATE.match(m.group()) and not any(a <= m.start() < b for a, b in urls):
                out.append(Span(m.start(), m.end(), "PHONE"))
        out += self._spoken_phones(text)
        for m in _EN_NUMBER_RUN.finditer(text):
            if sum(_EN_DIGITS[w.lower()] for w in re.findall(r"[A-Za-z]+", m.group())) >= 7:
                out.append(Span(m.start(), m.start() + len(m.group().rstrip(" ,-")), "PHONE"))
        return out

    def _spoken_phones(self, text: str) -> list[Span]:
        """Runs of >= 3 adjacent spoken numbers with >= 7 digits in all ("восемь девятьсот шестнадцать ...")."""
        nums = [n for n in find_numbers(text) if n.kind == "count"]
        # a run ends where the text between two numbers is more than spaces and separators
        cuts = [i for i in range(1, len(nums)) if not _GAP.match(text[nums[i - 1].end:nums[i].start])]
        runs = (nums[a:b] for a, b in zip([0, *cuts], [*cuts, len(nums)]))
        return [Span(run[0].start, run[-1].end, "PHONE") for run in runs
                if len(run) >= 3 and sum(_digit_count(n.value) for n in run) >= 7]

    def _persons(self, text: str) -> list[Span]:
        """Runs of adjacent name tokens ("Саша Иванов") are one person; a run that holds a public
        figure's name ("Владимиру Александровичу Зеленскому") is left alone."""
        out: list[Span] = []
        run: list[re.Match] = []
        for m in list(_TOKEN.finditer(text)) + [None]:
            if m is not None and self._name_token(m.group()) and (not run or not text[run[-1].end():m.start()].strip()):
                run.append(m)
                continue
            if run:
                out += self._person_run(run)
            run = [m] if m is not None and self._name_token(m.group()) else []
        return out

    def _name_token(self, token: str) -> bool:
        if token in self.exact:
            return True
        return token[:1].isupper() and (
            fold(token) in self.folded or morph(token).lemma in self.folded or _is_public(token, self.allow)
            or (_name_tagged(token) and _person_like(token)))

    def _person_run(self, run: list[re.Match]) -> list[Span]:
        tokens = [m.group() for m in run]
        if any(_is_public(t, self.allow) for t in tokens) or _lemma_key(tokens) in self.allow:
            return []
        keys = [self.exact.get(t) or self.folded.get(fold(t)) or self.folded.get(morph(t).lemma) for t in tokens]
        key = next((k for k in keys if k), None)
        if key is None:
            self.learn_name(" ".join(tokens))
            key = _lemma_key([t for t in tokens if _person_like(t)]) or _lemma_key(tokens)
        return [Span(run[0].start(), run[-1].end(), "PERSON", key)]

    # -- replacing -----------------------------------------------------------------------------
    def placeholder(self, span: Span) -> str:
        if span.kind == "PERSON" and span.key:
            self.people.setdefault(span.key, len(self.people) + 1)
            return f"[PERSON {self.people[span.key]}]"
        return f"[{span.kind}]"

    def redact(self, text: str) -> str:
        if not isinstance(text, str) or not text:
            return text
        out, pos = [], 0
        for s in self.spans(text):
            out += [text[pos:s.start], self.placeholder(s)]
            self.counts[s.kind] = self.counts.get(s.kind, 0) + 1
            pos = s.end
        return "".join(out + [text[pos:]])

    def redact_words(self, words: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[tuple[float, float]]]:
        """Redact timestamped words as one text; a placeholder word takes the times of what it hides.
        Returns the new words and the (start, end) spans to bleep."""
        text, offsets = _join_words(words)
        spans = self.spans(text)
        if not spans:
            return words, []
        out, bleeps, i = [], [], 0
        for s in spans:
            hit = [k for k, (a, b) in enumerate(offsets) if a < s.end and s.start < b]
            if not hit:
                continue
            out += [dict(w) for w in words[i:hit[0]]]
            first, last = words[hit[0]], words[hit[-1]]
            out.append({**first, "text": (" " if first["text"].startswith(" ") else "") + self.placeholder(s),
                        "end": last["end"], "probability": None})
            if first.get("start") is not None and last.get("end") is not None:
                bleeps.append((first["start"], last["end"]))
            i = hit[-1] + 1
        return out + [dict(w) for w in words[i:]], bleeps

    # -- documents -----------------------------------------------------------------------------
    def learn_documents(self, docs: list[dict[str, Any]]) -> None:
        texts = [t["text"] for d in docs for t in d["turns"] if t["text"]]
        self.learn_texts(texts)
        for d in docs:
            for e in d["entities"]:
                if e["type"] in ("PERSON", "PER") and e["status"] != "rejected":
                    self.learn_name(e["text"])
                    self.learn_name(e.get("norm") or "")
            for name in d["speakers"].values():
                if name:
                    self.learn_name(name)

    def redact_document(self, doc: dict[str, Any]) -> dict[str, Any]:
        """A redacted deep copy of a call document, with ``redaction`` describing what was done."""
        original = {t["id"]: t["text"] for t in doc["turns"]}
        doc = _walk(copy.deepcopy(doc), self.redact, skip=("words", "gloss"))
        bleeps: list[tuple[float, float]] = []
        for turn in doc["turns"]:
            for tr in turn.get("translations", ()):
                if "gloss" in tr:  # re-glossed from the redacted text: a transliterated name never survives
                    from listeningpost.translate.gloss import gloss_line

                    tr["gloss"] = gloss_line(turn["text"] or "", turn.get("language") or "ru")
                if tr.get("facts"):  # re-checked on the redacted texts: "missing" lists source words (names, phones)
                    tr["facts"] = check(turn["text"] or "", tr["text"] or "", turn.get("language") or "ru").summary()
            if turn["words"]:
                turn["words"], spans = self.redact_words(turn["words"])
                bleeps += spans
            elif turn["text"] != original[turn["id"]] and turn["start"] is not None and turn["end"] is not None:
                bleeps.append((turn["start"], turn["end"]))  # no word times: bleep the whole turn
        doc["redaction"] = {"applied": True, "audio_spans": [list(b) for b in union(bleeps)]}
        return doc

    def summary(self) -> dict[str, Any]:
        return {"applied": True, "placeholders": dict(sorted(self.counts.items())), "people": len(self.people),
                "rules": ["phone numbers (written and spoken)", "personal names not on the public-figure allow-list",
                          "street addresses", "analyst marks"]}


def _resolve(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans, longest first (marks win ties: they come first)."""
    kept: list[Span] = []
    for s in sorted(spans, key=lambda s: -(s.end - s.start)):
        if all(s.end <= k.start or k.end <= s.start for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: s.start)


def _join_words(words: list[dict[str, Any]]) -> tuple[str, list[tuple[int, int]]]:
    """Whisper words carry their leading space; others are joined with one. Each word's span
    leaves out its leading space."""
    texts = [t if not i or t.startswith(" ") else " " + t for i, t in enumerate(w["text"] for w in words)]
    ends = accumulate(map(len, texts))
    return "".join(texts), [(end - len(t.lstrip()), end) for t, end in zip(texts, ends)]


def _walk(value: Any, fn, skip: tuple[str, ...] = ()) -> Any:
    """Apply ``fn`` to every string of a JSON-like value, except under the keys skipped."""
    if isinstance(value, dict):
        return {k: (v if k in skip or k in _SKIP_KEYS else _walk(v, fn, skip)) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, fn, skip) for v in value]
    if isinstance(value, str):
        return fn(value)
    return value


# -- marks stored in the case -----------------------------------------------------------------------

def case_marks(case: Case, call_ids: list[int]) -> list[Mark]:
    """Analyst marks for these calls (and case-wide ones); field marks become their field's value."""
    t = tables.redaction_marks
    rows = case.query(select(t).where(or_(t.c.call_id.is_(None), t.c.call_id.in_(call_ids))).order_by(t.c.id))
    texts = ((r["text"] or field_value(case, r["target_table"], r["target_id"], r["field"]), r["kind"])
             for r in rows)
    return [Mark(str(text), kind) for text, kind in texts if text]


def field_value(case: Case, table: str, row_id: int, column: str) -> Any:
    """Current value of one field; table and column are looked up in the schema (no injection)."""
    declared = tables.metadata.tables.get(table)
    if declared is None or column not in declared.c or "id" not in declared.c:
        raise ValueError(f"no field {table}.{column}")
    row = case.one(select(declared.c[column]).where(declared.c.id == row_id))
    return row[0] if row else None


def add_mark(case: Case, *, author: str, kind: str = "REDACTED", text: str | None = None, call_id: int | None = None,
             target: tuple[str, int, str] | None = None) -> int:
    table, row_id, column = target or (None, None, None)
    if target is not None:
        field_value(case, table, row_id, column)  # validates
    with case.transaction():
        cur = case.db.execute(insert(tables.redaction_marks).values(
            call_id=call_id, kind=kind.upper(), text=text, target_table=table, target_id=row_id, field=column,
            author=author, at=now()))
    return cur.lastrowid


def case_public_figures(case: Case) -> list[str]:
    """The case's own allow-list additions (setting ``export.public_figures``)."""
    value = case.setting(PUBLIC_FIGURES_SETTING, []) or []
    return [str(v) for v in value] if isinstance(value, list) else []


def make_redactor(case: Case, docs: list[dict[str, Any]]) -> Redactor:
    red = Redactor(allow=public_figures(tuple(case_public_figures(case))))
    red.learn_marks(case_marks(case, [d["id"] for d in docs]))
    red.learn_documents(docs)
    return red


def redact_documents(case: Case, docs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Redactor]:
    red = make_redactor(case, docs)
    return [red.redact_document(d) for d in docs], red
