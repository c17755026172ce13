"""Military glossary: find terms in ru/uk text, protect them through an engine, check the output.

Terms live in ``glossary.yaml`` (reviewed, with sources). Word forms are matched on pymorphy3
lemmas (Russian and Ukrainian analysers both, since intercepts mix the two), abbreviations on the
case-sensitive surface with an optional Cyrillic suffix (БТРа, ВСУшники), and numeric codes by regex.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable

import yaml

TOKEN_RE = re.compile(r"\w+(?:[-/'ʼ’]\w+)*")
PLACEHOLDER = "ZXQ{}"
PLACEHOLDER_RE = re.compile(r"ZXQ\s?(\d+)", re.IGNORECASE)


def _norm(word: str) -> str:
    return word.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")


@functools.lru_cache(maxsize=200_000)
def lemma_keys(word: str) -> frozenset[str]:
    """The word itself plus every normal form the ru and uk analysers give it (ё folded)."""
    from listeningpost.text.morph import analyzer  # pymorphy3 loads when a glossary is first matched

    keys = {_norm(word)}
    if re.search(r"[а-яёіїєґ]", word, re.IGNORECASE):
        for lang in ("ru", "uk"):
            keys.update(_norm(p.normal_form) for p in analyzer(lang).parse(word))
    return frozenset(keys)


@dataclass(frozen=True)
class Term:
    id: str
    cat: str
    en: str
    accept: tuple[str, ...]
    src: str
    note: str = ""
    ru: tuple[str, ...] = ()
    uk: tuple[str, ...] = ()
    abbr: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()
    case_sensitive: bool = False

    @property
    def forms(self) -> tuple[str, ...]:
        return self.ru + self.uk

    @property
    def renderings(self) -> tuple[str, ...]:
        return (self.en, *self.accept)

    def rendered_in(self, output: str) -> bool:
        """Whether any accepted rendering occurs in ``output`` (word-prefix, case-insensitive)."""
        return any(_render_re(r).search(output) for r in self.renderings)


@functools.lru_cache(maxsize=4096)
def _render_re(rendering: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(str(rendering)), re.IGNORECASE)


@dataclass(frozen=True)
class Match:
    term: Term
    start: int
    end: int
    text: str


@dataclass
class Glossary:
    terms: list[Term]
    _index: dict[str, list[tuple[tuple[frozenset[str], ...], Term]]] = field(default_factory=dict, repr=False)
    _surface: list[tuple[re.Pattern, Term]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        for term in self.terms:
            for form in term.forms:
                if not (keys := tuple(lemma_keys(tok) for tok in TOKEN_RE.findall(form))):
                    continue
                for first in keys[0]:
                    self._index.setdefault(first, []).append((keys, term))
            for abbr in term.abbr:
                pattern = r"(?<!\w)" + re.escape(abbr) + r"(?:[а-яёіїєґ]{1,6})?(?!\w)"
                self._surface.append((re.compile(pattern), term))
            for rx in term.regex:
                self._surface.append((re.compile(rx), term))

    @functools.cached_property
    def version(self) -> str:
        """Content hash, part of the translation cache key (a glossary change re-translates)."""
        blob = repr([(t.id, t.en, t.forms, t.accept, t.abbr, t.regex, t.case_sensitive) for t in self.terms])
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def find(self, text: str) -> list[Match]:
        """Non-overlapping term occurrences, longest first, in text order."""
        candidates: list[Match] = []
        tokens = list(TOKEN_RE.finditer(text))
        token_keys = [lemma_keys(m.group(0)) for m in tokens]
        for i, keys in enumerate(token_keys):
            seen: set[tuple[int, str]] = set()
            for key in keys:
                for form_keys, term in self._index.get(key, ()):
                    n = len(form_keys)
                    if (n, term.id) in seen or i + n > len(tokens):
                        continue
                    if all(form_keys[j] & token_keys[i + j] for j in range(n)):
                        if term.case_sensitive and not tokens[i].group(0)[:1].isupper():
                            continue
                        seen.add((n, term.id))
                        start, end = tokens[i].start(), tokens[i + n - 1].end()
                        candidates.append(Match(term, start, end, text[start:end]))
        candidates += [Match(term, m.start(), m.end(), m.group(0))
                       for pattern, term in self._surface for m in pattern.finditer(text)]
        candidates.sort(key=lambda m: (m.start, -(m.end - m.start)))
        chosen: list[Match] = []
        for m in candidates:
            if not chosen or m.start >= chosen[-1].end:
                chosen.append(m)
        return chosen

    def get(self, term_id: str) -> Term:
        return next(t for t in self.terms if t.id == term_id)


def _term(raw: dict) -> Term:
    lists = {key: tuple(raw.get(key, ())) for key in ("ru", "uk", "abbr", "regex")}
    return Term(id=raw["id"], cat=raw["cat"], en=str(raw["en"]), src=raw["src"], note=raw.get("note", ""),
                accept=tuple(str(a) for a in raw.get("accept", ())),
                case_sensitive=bool(raw.get("case_sensitive", False)), **lists)


def load_glossary(path: str | Path | None = None) -> Glossary:
    source = resources.files("listeningpost.translate") / "glossary.yaml" if path is None else Path(path)
    return Glossary([_term(t) for t in yaml.safe_load(source.read_text(encoding="utf-8"))["terms"]])


@functools.lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    return load_glossary()


# -- protecting terms through an engine ------------------------------------------------------------

@dataclass
class Protected:
    text: str                       # what the engine sees
    matches: list[Match]
    placeholders: dict[int, Term]   # placeholder number -> term (placeholder mode)


def protect(text: str, matches: list[Match], mode: str) -> Protected:
    """Rewrite the source so the engine keeps glossary renderings.

    ``inline``: the term is replaced by its English rendering (LLMs and NMT copy Latin-script words
    through); ``placeholder``: by an opaque token restored after translation; ``none``: untouched.
    """
    if mode == "none" or not matches:
        return Protected(text, matches, {})
    placeholders = dict(enumerate(m.term for m in matches)) if mode == "placeholder" else {}
    parts, pos = [], 0
    for i, m in enumerate(matches):
        parts += [text[pos:m.start], PLACEHOLDER.format(i) if placeholders else m.term.en]
        pos = m.end
    return Protected("".join(parts + [text[pos:]]), matches, placeholders)


def restore(output: str, protected: Protected) -> str:
    """Placeholders back to their terms' English (an unknown number stays as the engine wrote it)."""
    terms = protected.placeholders
    return PLACEHOLDER_RE.sub(lambda m: terms[int(m.group(1))].en if int(m.group(1)) in terms else m.group(0),
                              output) if terms else output


def missing_terms(matches: Iterable[Match], output: str) -> list[Match]:
    """Post-check: source terms whose rendering is absent from the output."""
    return [m for m in matches if not m.term.rendered_in(output)]
