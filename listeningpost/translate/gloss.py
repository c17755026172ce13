"""Literal word-by-word gloss of a Russian/Ukrainian turn, shown under every MACHINE translation.

An English-only analyst reads ``двухсотых → KIA | привезли → bring | ...`` beside the machine English
and can see when the machine line says something the source words do not. Each word is looked up by
its pymorphy3 lemma (text.morph), in this order:

* ``glossary``: the project's military glossary (glossary.yaml) wins for its terms (multi-word too);
* ``dict``: data/gloss_extra.tsv (project-reviewed: function words, colloquial words, mat), then
  data/ru_en_gloss.tsv (inverted Mueller 7 + FreeDict eng-rus, GPL-2+, LICENSE.ru_en_gloss;
  built by scripts/build_gloss_dict.py). A Ukrainian word is tried with the uk lemma, then the ru one;
* ``translit``: unknown words and names are transliterated (cyrtranslit), marked ``~`` in the line;
* ``punct``: punctuation and numbers, copied (not shown in the line except numbers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from importlib import resources

from listeningpost.text.morph import all_parses
from listeningpost.text.normalise import fold, normalise
from listeningpost.text.tokens import split_tokens
from listeningpost.store.hooks import register_translation_field
from listeningpost.translate.glossary import Match, default_glossary

_WORD = re.compile(r"[^\W\d_]", re.UNICODE)
_CYR = re.compile(r"[а-яёіїєґ]", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\[(?:PERSON \d+|[A-Z]{3,})\]")  # export redaction (export/redact.py)
_ORDINAL = re.compile(r"^\d+-?[а-яё]{1,3}$", re.IGNORECASE)


@dataclass(frozen=True)
class GlossToken:
    src: str          # the word(s) as written (after editorial notes are applied)
    lemma: str        # the lemma that was looked up ('' for punct)
    en: str           # the English gloss: first dictionary sense, glossary rendering, or transliteration
    how: str          # glossary | dict | translit | punct
    alts: tuple[str, ...] = ()  # further dictionary senses


@lru_cache(maxsize=1)
def dictionary() -> dict[str, tuple[str, ...]]:
    """ru/uk lemma (ё folded) -> English glosses, best first; the reviewed extras override the inverted list."""
    table: dict[str, tuple[str, ...]] = {}
    for name in ("ru_en_gloss.tsv", "gloss_extra.tsv"):
        text = (resources.files("listeningpost.translate") / "data" / name).read_text(encoding="utf-8")
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            ru, _, en = line.partition("\t")
            if en:
                table[fold(ru.strip())] = tuple(e.strip() for e in en.split("/") if e.strip())
    return table


def _langs(lang: str | None) -> tuple[str, ...]:
    return ("uk", "ru") if lang == "uk" else ("ru", "uk")


@lru_cache(maxsize=100_000)
def lookup(word: str, lang: str | None = "ru") -> tuple[str, tuple[str, ...]]:
    """(lemma, glosses) for one word: the surface form, then every lemma pymorphy3 gives, best parse first."""
    table = dictionary()
    low = fold(word)
    lemmas = [fold(p.normal_form) for lg in _langs(lang) for p in all_parses(word.lower(), lg)]
    # the best parse's lemma first, then the surface form, then the other readings
    for cand in [*lemmas[:1], low, *lemmas[1:]]:
        if cand in table:
            return cand, table[cand]
    for cand in [*lemmas[:1], low]:
        if cand.endswith(("ся", "сь")) and cand[:-2] in table:  # говориться -> говорить
            return cand, table[cand[:-2]]
    if "-" in low:  # оружие-то, три-ноль-ноль, по-жесткому: each part, when every part is known
        parts = [p for p in low.split("-") if p and p not in ("то", "ка", "таки")]
        if len(parts) == 2 and parts[0] == "по":  # по-жёсткому: "the tough way"
            lem, ens = lookup(parts[1], lang)
            return (low, (f"the {ens[0]} way",)) if ens else (low, ())
        found = [lookup(p, lang) for p in parts] if len(parts) > 1 or parts != [low] else []
        if found and all(ens for _, ens in found):
            return "-".join(lem for lem, _ in found), ("-".join(ens[0] for _, ens in found),)
    return (lemmas[0] if lemmas else low), ()


def _translit(word: str, lang: str | None) -> str:
    if not _CYR.search(word):
        return word
    import cyrtranslit

    out = cyrtranslit.to_latin(word, "ua" if lang == "uk" else "ru").replace("y'", "y")
    if word[:1].isupper():
        out = out[:1].upper() + out[1:].lower() if not word.isupper() else out.upper()
    return out


def gloss(text: str, lang: str | None = "ru") -> list[GlossToken]:
    """Gloss every token of ``text`` (editorial notes like ``Чо [=Что]`` applied first; export
    redaction placeholders like ``[PERSON 1]`` are kept whole)."""
    out: list[GlossToken] = []
    # split by a capturing pattern: text, placeholder, text, ..., text
    for i, part in enumerate(re.split(f"({_PLACEHOLDER.pattern})", text or "")):
        out += [GlossToken(part, "", part, "punct")] if i % 2 else _gloss_part(part, lang)
    return out


def _gloss_part(text: str, lang: str | None) -> list[GlossToken]:
    norm = normalise(text).text
    matches = default_glossary().find(norm)
    out: list[GlossToken] = []
    # the tokens that start inside one glossary match are one gloss token; any other is its own
    for key, group in groupby(split_tokens(norm),
                              lambda t: next((m for m in matches if m.start <= t.start < m.end), t)):
        if isinstance(key, Match):
            toks = list(group)
            out.append(GlossToken(norm[toks[0].start:toks[-1].end], key.term.id, key.term.en, "glossary"))
            continue
        word = key.text
        if not _WORD.search(word) or _ORDINAL.match(word):  # 81-й, 3-х: a number with its ending
            out.append(GlossToken(word, "", re.sub(r"\D", "", word) or word, "punct"))
        else:
            lemma, ens = lookup(word, lang)
            out.append(GlossToken(word, lemma, ens[0], "dict", ens[1:]) if ens
                       else GlossToken(word, lemma, _translit(word, lang), "translit"))
    return out


def format_tokens(tokens: list[GlossToken]) -> str:
    parts = []
    for t in tokens:
        if t.how == "punct":  # shown: numbers, and redaction placeholders (their "gloss" is themselves)
            if _PLACEHOLDER.fullmatch(t.src) or any(ch.isdigit() for ch in t.src):
                parts.append(t.src if t.en == t.src else f"{t.src} → {t.en}")
            continue
        en = f"~{t.en}" if t.how == "translit" else t.en
        parts.append(f"{t.src} → {en}")
    return " | ".join(parts)


def gloss_line(text: str, lang: str | None = "ru") -> str:
    """``двухсотых → KIA | привезли → bring | ~Vasya`` (``~``: transliterated, not translated)."""
    return format_tokens(gloss(text, lang))


# the read views (store.views: lpost show, the call page) show the gloss under every machine line
register_translation_field("gloss", gloss_line)
