"""CTranslate2 NMT engine: Marian (opus-mt-ru-en / opus-mt-uk-en) and NLLB-200, batched.

``--model`` is a registered name (``opus-mt-ru-en``, ``nllb-200-distilled-600M``), a CTranslate2
folder, or nothing (Marian per source language). Glossary terms go through as placeholders that are
restored after decoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from listeningpost.threads import thread_count
from listeningpost.translate.engines import BeamEngine, Segment, register_engine

NLLB_CODES = {"ru": "rus_Cyrl", "uk": "ukr_Cyrl", "en": "eng_Latn"}


@dataclass
class _Loaded:
    translator: object
    kind: str           # marian | nllb
    source_sp: object   # sentencepiece processors
    target_sp: object


def load_ct2(folder: Path, threads: int | None = None) -> _Loaded:
    import ctranslate2
    import sentencepiece as spm

    threads = thread_count(threads, env="LPOST_THREADS", cap=4)
    translator = ctranslate2.Translator(str(folder), device="auto", compute_type="auto", intra_threads=threads)
    if (folder / "source.spm").exists():
        src = spm.SentencePieceProcessor(model_file=str(folder / "source.spm"))
        tgt = spm.SentencePieceProcessor(model_file=str(folder / "target.spm"))
        return _Loaded(translator, "marian", src, tgt)
    if (folder / "sentencepiece.bpe.model").exists():
        sp = spm.SentencePieceProcessor(model_file=str(folder / "sentencepiece.bpe.model"))
        return _Loaded(translator, "nllb", sp, sp)
    raise FileNotFoundError(f"{folder}: no tokenizer (source.spm/target.spm or sentencepiece.bpe.model)")


@register_engine("nmt")
class NMTEngine(BeamEngine):
    name = "nmt"
    glossary_mode = "placeholder"
    batch_size = 16

    def __init__(self, model: str | None = None, beam_size: int = 4, threads: int | None = None, **_: object):
        super().__init__(model, beam_size, threads)
        self._loaded: dict[str, _Loaded] = {}

    @property
    def model_name(self) -> str:
        return Path(self.model).name if self.model else "opus-mt"

    def _model_for(self, lang: str) -> str:
        from listeningpost.translate.models import DEFAULT_NMT

        return self.model or DEFAULT_NMT.get(lang, DEFAULT_NMT["ru"])

    def _load(self, name: str) -> _Loaded:
        if name not in self._loaded:
            from listeningpost.translate.models import nmt_dir

            self._loaded[name] = load_ct2(nmt_dir(name), self.threads)
        return self._loaded[name]

    def translate(self, segments: list[Segment]) -> list[str]:
        out = [""] * len(segments)
        by_model: dict[str, list[int]] = {}
        for i, seg in enumerate(segments):
            by_model.setdefault(self._model_for(seg.lang), []).append(i)
        for name, idxs in by_model.items():
            texts = translate_batch(self._load(name), [segments[i].text for i in idxs],
                                    [segments[i].lang for i in idxs], self.beam_size)
            for i, text in zip(idxs, texts):
                out[i] = text
        return out


def translate_batch(loaded: _Loaded, texts: list[str], langs: list[str], beam_size: int = 4) -> list[str]:
    """Tokenize, translate in one CTranslate2 batch, detokenize."""
    if loaded.kind == "nllb":
        tokens = [[NLLB_CODES.get(lang, "rus_Cyrl"), *loaded.source_sp.encode(t, out_type=str), "</s>"]
                  for t, lang in zip(texts, langs)]
        prefix = [[NLLB_CODES["en"]]] * len(texts)
    else:
        tokens = [[*loaded.source_sp.encode(t, out_type=str), "</s>"] for t in texts]
        prefix = None
    # output rarely exceeds twice the input; the bound also stops a degenerate repetition loop early
    longest = max((len(t) for t in tokens), default=1)
    results = loaded.translator.translate_batch(
        tokens, target_prefix=prefix, beam_size=beam_size, max_decoding_length=min(400, 2 * longest + 16),
        repetition_penalty=1.1,
    )
    special = ("</s>", "<pad>", NLLB_CODES["en"])
    return [loaded.target_sp.decode([t for t in res.hypotheses[0] if t not in special]) for res in results]
