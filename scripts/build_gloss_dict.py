#!/usr/bin/env python3
"""Build listeningpost/translate/data/ru_en_gloss.tsv: a ru -> en word list for literal glosses.

Sources (Debian packages, both GPL-2+; install with ``apt-get install mueller7-dict dict-freedict-eng-rus``):

* ``mueller7-dict``: V.K. Mueller English-Russian Dictionary, 7th ed. (1961), electronic version
  (C) 1996 S. Starostin, (C) 1999-2000 E.S. Cymbalyuk, GNU GPL v2 or later. ~46,000 English headwords.
* ``dict-freedict-eng-rus``: FreeDict English-Russian 0.3.1, (C) 1999-2017 FreeDict contributors,
  GNU GPL v2 or later. ~1,700 basic headwords.

Both are English -> Russian; this script inverts them. For every English headword it reads the
translations of each numbered sense up to the first example (the first ``;``-segment with Latin
letters), keeps single Cyrillic words, and records (russian word -> english headword) with a rank:
the position of the word among the entry's translations, minus a bonus for common English words
(how often the headword occurs in the whole dictionary's English text) and for FreeDict's basic
vocabulary. Each Russian word keeps its best three English words. The output is derived data and
stays under the GPL: data/LICENSE.ru_en_gloss sits beside it.

English commonness comes from ``wordfreq`` (Zipf frequency; build time only, not a runtime dependency:
``pip install wordfreq``); without it the script falls back to counts in the dictionary's own English,
which ranks worse. The committed TSV was built with wordfreq 3.1.1.

Usage: python scripts/build_gloss_dict.py [--mueller PATH.dict.dz] [--freedict PATH.dict.dz] [--out PATH]
"""

from __future__ import annotations

import argparse
import collections
import gzip
import math
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "listeningpost" / "translate" / "data" / "ru_en_gloss.tsv"
MUELLER = "/usr/share/dictd/mueller7.dict.dz"
FREEDICT = "/usr/share/dictd/freedict-eng-rus.dict.dz"

HEAD_RE = re.compile(r"^[A-Za-z][a-z' -]*[a-z]$|^[a-z]$")  # Capitalised: months, countries, peoples
CYR_WORD = re.compile(r"^[а-яё]+(?:-[а-яё]+)?$")
LATIN = re.compile(r"[A-Za-z]")
SENSE_SPLIT = re.compile(r"(?:(?<=\s)|^)(\d+\.|\d+\)|[а-я]\))(?=\s|_|$)")
LABEL = re.compile(r"_[^\s.]+\.?")
PAREN = re.compile(r"\([^()]*\)")
BRACKET = re.compile(r"\[[^\]]*\]")
# rank = sense number * SENSE_W + position in sense - English commonness * COMMON_W; a later part of speech
# ("2. _v.") counts SECTION_W senses more. Chosen on mt_dev: the share of dictionary glosses whose word
# occurs in the human English (0.604 with these weights).
SENSE_W, COMMON_W, SECTION_W = 0.3, 0.8, 1


def read_dictd(path: str) -> list[tuple[str, str]]:
    """(headword, body) pairs of a dictd text: a headword line at column 0, its body indented."""
    text = gzip.open(path, "rt", encoding="utf-8").read()
    entries: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line[0].isspace():
            entries.append((line.strip(), []))
        elif entries:
            entries[-1][1].append(line.strip())
    out = []
    for head, lines in entries:
        body = ""
        for ln in lines:  # a word cut at a line end ("дрянь-" / "человек") is joined back
            body = body[:-1] + ln if body.endswith("-") and not body.endswith(" -") else (body + " " + ln).strip()
        out.append((head, body))
    return out


def translations(body: str) -> list[tuple[int, int, str]]:
    """(sense number within its part of speech, position in sense, word) of single Cyrillic words given as translations.

    Examples (a ``;``-segment with Latin letters ends a sense), cross-references and labels are dropped.
    """
    body = BRACKET.sub(" ", body)
    body = re.sub(r"([а-яё]+)\((ся|сь)\)", r"\1, \1\2", body)  # двигать(ся) -> двигать, двигаться
    body = re.sub(r"\(([а-яё]{1,4})\)([а-яё]{3,})", r"\2, \1\2", body)  # (по)бить -> бить, побить
    while PAREN.search(body):
        body = PAREN.sub(" ", body)
    out: list[tuple[int, int, str]] = []
    seen: set[str] = set()
    parts = SENSE_SPLIT.split(body)  # text, marker, text, marker, ...
    n = section = 0
    for i in range(0, len(parts), 2):
        if i:  # "2." opens a part of speech (its senses count from 0 again), "3)" / "б)" a sense in it
            if parts[i - 1].endswith("."):
                n, section = 0, int(parts[i - 1][:-1]) - 1
            else:
                n += 1
        sense = LABEL.sub(" ", parts[i])
        pos = 0
        for seg in sense.split(";"):
            if LATIN.search(seg) or "=" in seg:
                break
            for piece in re.split(r"[,:]", seg):
                piece = piece.strip(" .!?-—–\"'").lower()
                if CYR_WORD.match(piece) and piece not in seen:
                    seen.add(piece)
                    out.append((n + SECTION_W * section, pos, piece))
                    pos += 1
    return out


def english_commonness(entries: list[tuple[str, str]]):
    """Zipf frequency of an English headword (wordfreq, build time only), else its count in the dictionary."""
    try:
        from wordfreq import zipf_frequency

        return lambda word: zipf_frequency(word, "en")
    except ImportError:
        counts: collections.Counter = collections.Counter()
        for _, body in entries:
            counts.update(re.findall(r"[a-z]+", BRACKET.sub(" ", body).lower()))
        return lambda word: 0.6 * math.log1p(counts[word])


# imperfective -> perfective endings (убивать -> убить, понимать -> понять, привозить -> привезти):
# Mueller gives verbs in the imperfective; a perfective lemma pymorphy3 returns borrows its partner's glosses
_ASPECT = [("ивать", "ить"), ("ывать", "ыть"), ("ывать", "ать"), ("ивать", "ать"), ("авать", "ать"),
           ("имать", "ять"), ("инать", "ать"), ("ать", "ить"), ("ять", "ить"), ("влять", "вить"),
           ("озить", "езти"), ("одить", "ести"), ("осить", "ести"), ("ирать", "рать"), ("ерать", "рать"),
           ("ать", "нуть"), ("езжать", "ехать"), ("дходить", "дойти"), ("тходить", "тойти"), ("бходить", "бойти"),
           ("ходить", "йти"), ("етать", "еть"), ("ивать", "еть"), ("евать", "еть"), ("ать", "уть")]
_PREFIX = ("с", "на", "по", "за", "у", "вы", "про", "о")
_NOT_PAIRS = {"пойти"}  # походить 'resemble' is no partner of пойти 'go'; the rules would pair them


def _perfectives(verb: str) -> dict[str, bool]:
    """Perfective candidates of an imperfective verb -> whether made by a suffix rule (safer than a prefix)."""
    refl = next((r for r in ("ся", "сь") if verb.endswith(r)), "")
    stem = verb[: -len(refl)] if refl else verb
    out = {stem[: -len(a)] + b + refl: True for a, b in _ASPECT if stem.endswith(a) and len(stem) > len(a)}
    for p in _PREFIX:
        out.setdefault(p + verb, False)
    return out  # most reliable first


def add_perfectives(table: dict[str, list[str]], score: dict[str, float], slack: float = 2.0) -> int:
    """Give a perfective verb its imperfective partner's glosses first: always for a suffix pair
    (убивать/убить), for a prefixed one (делать/сделать) only when its own are much worse or absent."""
    import pymorphy3

    morph = pymorphy3.MorphAnalyzer(lang="ru")

    def aspects(word: str) -> set[str]:
        if not morph.word_is_known(word):
            return set()
        return {p.tag.aspect for p in morph.parse(word) if p.tag.POS == "INFN" and p.normal_form == word}

    added, by_rule, base = 0, {}, dict(table)
    for verb in sorted(base):
        if "impf" not in aspects(verb):
            continue
        for rank, (perf, by_suffix) in enumerate(_perfectives(verb).items()):
            if perf == verb or perf in _NOT_PAIRS or "perf" not in aspects(perf):
                continue
            if perf in by_rule and by_rule[perf] <= rank:
                continue  # already given a partner by a more reliable rule
            if perf not in table or by_suffix or score[perf] > score[verb] + slack:
                by_rule[perf] = rank
                own = base.get(perf, [])
                table[perf] = (base[verb] + [e for e in own if e not in base[verb]])[:3]
                score[perf] = score[verb]
                added += 1
    return added


def build(mueller: str, freedict: str | None, keep: int = 3) -> dict[str, list[str]]:
    m_entries = read_dictd(mueller)
    f_entries = read_dictd(freedict) if freedict else []
    common = english_commonness(m_entries)
    basic = {h.lower() for h, _ in f_entries}
    best: dict[str, dict[str, float]] = collections.defaultdict(dict)
    for source, entries in (("mueller", m_entries), ("freedict", f_entries)):
        for head, body in entries:
            if head.startswith("00") or not HEAD_RE.match(head) or len(head.split()) > 2:
                continue
            bonus = common(head) + (1.0 if head in basic else 0.0) - (1.5 if re.search(r"[ -]", head) else 0.0)
            for sense, pos, ru in translations(body):
                key = ru.replace("ё", "е")
                score = SENSE_W * min(sense, 10) + pos - COMMON_W * bonus - (1.0 if source == "freedict" else 0.0)
                if score < best[key].get(head, math.inf):
                    best[key][head] = score
    table, score = {}, {}
    for ru, cands in best.items():
        ranked = sorted(cands.items(), key=lambda kv: (kv[1], kv[0]))
        table[ru] = [en for en, _ in ranked[:keep]]
        score[ru] = ranked[0][1]
    n = add_perfectives(table, score)
    print(f"{n} perfective verbs given their imperfective partner's glosses")
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mueller", default=MUELLER)
    ap.add_argument("--freedict", default=FREEDICT)
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    table = build(args.mueller, args.freedict)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        fh.write("# ru\ten (best first, '/'-separated). Inverted from Mueller 7 + FreeDict eng-rus, GPL-2+:"
                 " see LICENSE.ru_en_gloss. Built by scripts/build_gloss_dict.py\n")
        for ru in sorted(table):
            fh.write(f"{ru}\t{'/'.join(table[ru])}\n")
    print(f"{len(table)} Russian words -> {out}")


if __name__ == "__main__":
    main()
