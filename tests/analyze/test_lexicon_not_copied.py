"""No lexicon entry is a gold sentence copied in.

Criterion: every string in the analyze lexicon data files and every string constant in the
analyze modules is normalised (lower case, ё -> е, non-letters -> space); one of four or more
words that occurs as a contiguous word run in a gold turn or quote is a copy. Four words is
long enough that ordinary lemma/collocation entries ("в цинке", "200-й") stay legal, short
enough to catch a memorised clause.
"""
import ast
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ANALYZE = ROOT / "listeningpost" / "analyze"
GOLD = [ROOT.parent / "shared" / "eval" / "dev_gold.jsonl",
        ROOT / "bench" / "heldout_dev_annotations.jsonl",
        ROOT / "eval" / "unseen_gold.jsonl"]  # issue 13 test/tune annotations: never copy them into rules
MIN_WORDS = 4


def normalise(text):
    return " ".join(re.sub(r"[^\w]+|\d+|_", " ", text.lower().replace("ё", "е")).split())


def yaml_strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from yaml_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from yaml_strings(value)


def lexicon_strings():
    for path in (ANALYZE / "data").glob("*.yaml"):
        if path.name == "places.yaml":  # place names, not phrases
            continue
        yield from yaml_strings(yaml.safe_load(path.read_text(encoding="utf-8")))
    for path in ANALYZE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield node.value


def gold_texts():
    for path in GOLD:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            call = json.loads(line)
            for turn in call.get("turns", []):
                yield turn.get("text", "")
            for key in ("claims", "entities", "themes"):
                for item in call.get(key, []) or []:
                    if isinstance(item, dict) and isinstance(item.get("quote"), str):
                        yield item["quote"]


def copied_entries():
    corpus = " | ".join(normalise(t) for t in gold_texts())
    found = set()
    for raw in lexicon_strings():
        words = normalise(re.sub(r"\\[a-zA-Z]|\?[:!=<]?", " ", raw))  # regex escapes are not words
        if len(words.split()) >= MIN_WORDS and re.search(r"[а-я]", words) \
                and f" {words} " in f" {corpus} ":
            found.add(words)
    return sorted(found)


def test_normalise_finds_a_copy():
    assert normalise("Ну, Ёжик, 200-й!") == "ну ежик й"
    turn = next(t for t in gold_texts() if len(normalise(t).split()) >= MIN_WORDS)
    corpus = " | ".join(normalise(t) for t in gold_texts())
    assert f" {normalise(turn)} " in f" {corpus} "


@pytest.mark.skipif(not GOLD[0].exists(), reason="dev_gold not present")
def test_no_lexicon_entry_is_a_gold_sentence():
    assert copied_entries() == []
