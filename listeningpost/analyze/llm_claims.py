"""Claims from a local instruct LLM (Qwen2.5-Coder-1.5B-Instruct, ../shared/MODELS.md §8), beside the rules.

One chat call per window of speech: the current turn (a long turn is cut into pieces of whole
sentences) with the turn or piece before it as context, so an answer to a question ("Сколько?" -
"Пятеро.") is seen with its question. The model is asked for a JSON array in the gold schema
(../shared/eval/FORMAT.md); its answer is parsed strictly and everything doubtful is dropped:

* the first ``[...]`` block must parse with ``json.loads`` as a list of objects, else the whole answer
  is rejected;
* ``type`` must be one of ``CLAIM_TYPES``; ``count`` an integer or null (a string "3" is rejected,
  not coerced); ``quote`` a non-empty string;
* the quote must occur verbatim in the CURRENT text (whitespace normalised, surrounding quote marks
  stripped): a quote the model made up, translated or took from the context turn is dropped.

What passes becomes the same ``Claim`` records the rules produce, with offsets into the original turn
text and a confidence (``LLM_CONFIDENCE``) at or below every rule claim's, so ``merge_claims`` (engine
``both``) keeps the rule claim wherever the two overlap.

The prompt holds general instructions and synthetic examples only (no sentence of any call).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from listeningpost.analyze.claims import CLAIM_TYPES, Claim
from listeningpost.analyze.document import AnalysisDoc, DocTurn
from listeningpost.analyze.numbers import find_numbers
from listeningpost.text.normalise import fold

#: bump when the prompt or the parsing changes (goes into the stage settings)
PROMPT_VERSION = "2026-12-04.1"
#: below or equal to every rule claim's confidence (rules: 0.3 .. 0.95)
LLM_CONFIDENCE = 0.3
#: a turn longer than this (characters) is cut into pieces of whole sentences
MAX_PIECE = 700
MAX_TOKENS = 200
#: ``chat(messages, max_tokens) -> answer``: the local Qwen or a stand-in
Chat = Callable[[list[dict[str, str]], int], str]

SYSTEM = (
    "You extract checkable statements of fact from intercepted phone and radio calls in Russian or "
    "Ukrainian. Read the CURRENT text; a PREVIOUS question is context only: never take facts from it.\n"
    "Answer with a JSON array only, [] when the current text states no such fact. One object per fact:\n"
    '{"type": T, "count": N, "quote": Q}, plus "subject", "place", "period" or "equipment" only when the '
    "text gives them.\n"
    "T is one of: killed, wounded, missing, captured, refused_or_deserted, equipment_lost, shortage "
    "(food, water, fuel, ammunition, pay), civilian_harm (looting, rape, killing civilians), other "
    "(another checkable fact: shelling, bodies left behind, orders to shoot own men).\n"
    "N is an integer (number words become digits) or null when no number is given.\n"
    "Q is the shortest span copied EXACTLY, letter for letter, from the CURRENT text; never translate it.\n"
    "Call signs (Шестой, Первый, Гром) are names, not counts. Radio procedure (call signs, grid numbers, "
    "приём, как слышно) states no fact.\n"
    "Slang: 200 or двухсотый = killed, 300 or трёхсотый = wounded, 500 = refused.\n"
    "No facts from questions, wishes, threats or jokes."
)

#: synthetic examples (written for this prompt; no sentence of any call)
EXAMPLES: list[tuple[str, str, list[dict[str, Any]]]] = [
    ("", "Вчера у нас трое погибли, и две машины сгорели под мостом.",
     [{"type": "killed", "count": 3, "quote": "трое погибли", "period": "вчера"},
      {"type": "equipment_lost", "count": 2, "quote": "две машины сгорели", "place": "под мостом",
       "equipment": "vehicles"}]),
    ("Сколько раненых у соседей?", "Пятеро.",
     [{"type": "wounded", "count": 5, "quote": "Пятеро", "subject": "соседи"}]),
    ("", "Воды нету уже неделю, а за сентябрь нам ничего не заплатили.",
     [{"type": "shortage", "count": None, "quote": "Воды нету уже неделю", "period": "неделю"},
      {"type": "shortage", "count": None, "quote": "за сентябрь нам ничего не заплатили", "period": "сентябрь"}]),
    ("Мать звонила?", "Звонила, говорит, в субботу приедет, если дорогу откроют.", []),
    ("", "Ну давай, держись там, брат.", []),
    ("", '"Берёза-12", я "Клён-7", 45-8-21, как слышно? Приём.', []),
]

DETAILS = ("subject", "place", "period", "equipment")


def _user(previous: str, current: str) -> str:
    return f"PREVIOUS: {previous or '-'}\nCURRENT: {current}"


def build_messages(previous: str, current: str) -> list[dict[str, str]]:
    """System prompt, the synthetic examples as chat turns, then the window to read."""
    messages = [{"role": "system", "content": SYSTEM}]
    for prev, cur, answer in EXAMPLES:
        messages += [{"role": "user", "content": _user(prev, cur)},
                     {"role": "assistant", "content": json.dumps(answer, ensure_ascii=False)}]
    return messages + [{"role": "user", "content": _user(previous, current)}]


class LLMOutputError(ValueError):
    """The model's answer is not a JSON array of objects."""


def parse_output(text: str) -> list[dict[str, Any]]:
    """The first ``[...]`` block of the answer, parsed strictly. Raises ``LLMOutputError``."""
    start = text.find("[")
    if start < 0:
        raise LLMOutputError("no JSON array in the answer")
    try:
        value, _ = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError as exc:
        raise LLMOutputError(f"invalid JSON: {exc.msg}") from exc
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise LLMOutputError("not a JSON array of objects")
    return value


_QUOTE_MARKS = " \t\n\"'«»“”„`"


def locate_quote(quote: str, text: str) -> tuple[int, int] | None:
    """Offsets of ``quote`` in ``text`` (whitespace normalised on both sides), or None if it is not there."""
    words = quote.strip(_QUOTE_MARKS).split()
    m = re.search(r"\s+".join(map(re.escape, words)), text) if words else None
    return (m.start(), m.end()) if m else None


@dataclass
class Rejected:
    """What was dropped and why (kept on the result so runs can be inspected)."""
    reason: str
    item: Any = None


@dataclass
class Window:
    turn_index: int
    offset: int  # of ``text`` in the turn text
    text: str
    previous: str


@dataclass
class LLMResult:
    claims: list[Claim] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    calls: int = 0


def _count_stated(quote: str, count: int) -> bool:
    """A count above one must be a number of the quote ("Шестой" is a call sign, not 6 killed)."""
    if count <= 1 or str(count) in quote:
        return True
    return any(n.count == count for n in find_numbers(fold(quote)))


def _check(kind: Any, count: Any, quote: Any, text: str) -> tuple[str | None, tuple[int, int] | None]:
    """(why the model's item is not a claim of ``text``, None) or (None, the quote's offsets)."""
    if kind not in CLAIM_TYPES:
        return "unknown type", None
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 0):
        return "count not an integer", None
    if not isinstance(quote, str) or not quote.strip():
        return "no quote", None
    if (span := locate_quote(quote, text)) is None:
        return "quote not in the turn", None
    if count is not None and not _count_stated(text[span[0]:span[1]], count):
        return "count not stated in the quote", None
    return None, span


def validate(items: list[dict[str, Any]], turn: DocTurn, offset: int, text: str,
             rejected: list[Rejected] | None = None) -> list[Claim]:
    """Claims of the items that pass the schema and the verbatim quote check; others go to ``rejected``."""
    rejected = [] if rejected is None else rejected
    out: list[Claim] = []
    seen = set()
    for item in items:
        kind, count, quote = item.get("type"), item.get("count"), item.get("quote")
        problem, span = _check(kind, count, quote, text)
        if span is None:
            rejected.append(Rejected(problem, item))
            continue
        start, end = span[0] + offset, span[1] + offset
        key = (kind, count, start, end)
        if key in seen:
            continue
        seen.add(key)
        details = {k: (v.strip()[:120] or None) if isinstance(v, str) else None for k in DETAILS
                   for v in [item.get(k)]}
        out.append(Claim(kind, count, turn.text[start:end], turn.index, start, end, turn.speaker, turn.start_s,
                         turn.end_s, confidence=LLM_CONFIDENCE,
                         data={"engine": "llm", "trigger": [], "fire": False, "us": False}, **details))
    return out


def _pieces(turn: DocTurn) -> list[tuple[int, str]]:
    """The turn as (offset, text) pieces of whole sentences of at most ``MAX_PIECE`` characters
    (a longer sentence is a piece by itself)."""
    if len(turn.text) <= MAX_PIECE or not turn.sentences:
        return [(0, turn.text)]
    starts = [0]  # a piece ends where the next starts: after the sentence that would make it too long
    for prev, s in zip(turn.sentences, turn.sentences[1:]):
        if s.end - starts[-1] > MAX_PIECE:
            starts.append(prev.end)
    ends = starts[1:] + [len(turn.text)]
    return [(a, turn.text[a:b]) for a, b in zip(starts, ends) if turn.text[a:b].strip()]


def windows(doc: AnalysisDoc) -> Iterable[Window]:
    """The windows to read, in order: each piece of each turn, with the piece before it as context when
    that is a question (an answer is read with what it answers; any other context turn only tempts a
    small model to repeat its facts). A piece of one word is read only as an answer or with a digit."""
    previous = ""
    for turn in doc.turns:
        for offset, text in _pieces(turn):
            words = re.findall(r"\w+", text)
            asked = previous.rstrip(_QUOTE_MARKS + ")*.…").endswith("?")
            if len(words) >= 2 or (words and (asked or any(ch.isdigit() for ch in text))):
                yield Window(turn.index, offset, text, previous if asked else "")
            previous = text


def cached_chat(chat: Chat, folder: str | Path, model: str) -> Chat:
    """``chat`` with its answers on disk, one file per prompt (sha256 of the model name, the messages and
    ``max_tokens``): re-running a call with the same prompt (a rules change, engine ``both`` after
    ``llm``) does not ask the model again. Greedy decoding makes the answer a function of the prompt."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)

    def cached(messages: list[dict[str, str]], max_tokens: int) -> str:
        blob = json.dumps([model, max_tokens, messages], ensure_ascii=False, sort_keys=True).encode()
        path = folder / (hashlib.sha256(blob).hexdigest() + ".txt")
        if path.is_file():
            return path.read_text(encoding="utf-8")
        answer = chat(messages, max_tokens)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(answer, encoding="utf-8")
        tmp.replace(path)
        return answer
    return cached


def extract_llm_claims(doc: AnalysisDoc, chat: Chat | None = None,
                       result: LLMResult | None = None, cache: str | Path | None = None) -> list[Claim]:
    """All LLM claims of a call in order of speech. ``chat(messages, max_tokens)`` defaults to the warm
    Qwen (``load_chat_model().chat_reusing_prefix``: the fixed prompt is read once per process); ``result``
    collects what was rejected and the number of calls; ``cache``: a folder of answers to reuse
    (``cached_chat``; the default model only)."""
    if chat is None:
        from listeningpost.llm import load_chat_model

        chat = load_chat_model().chat_reusing_prefix
    if cache:
        from listeningpost.llm import QWEN_NAME

        chat = cached_chat(chat, cache, QWEN_NAME)
    result = LLMResult() if result is None else result
    for w in windows(doc):
        answer = chat(build_messages(w.previous, w.text), MAX_TOKENS)
        result.calls += 1
        try:
            items = parse_output(answer)
        except LLMOutputError as exc:
            result.rejected.append(Rejected(str(exc), answer[:200]))
            continue
        result.claims.extend(validate(items, doc.turns[w.turn_index], w.offset, w.text, result.rejected))
    return result.claims


def _overlaps(a: Claim, b: Claim) -> bool:
    return a.turn_index == b.turn_index and (
        (a.start_char < b.end_char and b.start_char < a.end_char) or (a.type, a.count) == (b.type, b.count))


def merge_claims(rules: list[Claim], llm: list[Claim]) -> list[Claim]:
    """Union for engine ``both``: where a rule claim and an LLM claim overlap (same turn, and their
    quotes overlap or they have the same type and count) one is kept: the higher confidence, the rule
    claim on a tie; the kept claim records the other engine's agreement. Order: by turn, then offset."""
    out = list(rules)
    for c in llm:
        twin = next((r for r in out if r.data.get("engine") != "llm" and _overlaps(r, c)), None)
        if twin is None:
            out.append(c)
            continue
        if c.confidence > twin.confidence:
            out[out.index(twin)] = c
            c.data["also_rules"] = {"type": twin.type, "count": twin.count, "quote": twin.quote}
        else:
            twin.data["also_llm"] = {"type": c.type, "count": c.count, "quote": c.quote}
    return sorted(out, key=lambda c: (c.turn_index, c.start_char))


__all__ = ["LLM_CONFIDENCE", "PROMPT_VERSION", "LLMOutputError", "LLMResult", "build_messages",
           "extract_llm_claims", "locate_quote", "merge_claims", "parse_output", "validate", "windows"]
