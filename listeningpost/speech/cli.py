"""`lpost models list | pull NAME | pack DIR | unpack DIR | remove NAME` and `lpost transcribe FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, List, Optional

import typer

from listeningpost import modelstore
from listeningpost.cliutil import JsonOpt, fail, out, print_json
from listeningpost.plugins import import_plugins

models = typer.Typer(help="Model weights: list, pull, and carry them to an offline machine.", no_args_is_help=True)


@models.command("list")
def list_models(as_json: bool = JsonOpt) -> None:
    """Known models, whether they are installed, their size and checksums, and where they come from."""
    _load_model_modules()
    rows = [_model_row(spec) for spec in modelstore.specs()]
    if as_json:
        print_json({"cache": str(modelstore.cache_dir()), "models": rows})
        return
    out.print(f"cache: {modelstore.cache_dir()}")
    for r in rows:
        mark = "installed" if r["installed"] else "-"
        size = f"{r['size_bytes'] / 1e6:,.0f} MB" if r["size_bytes"] else "-"
        sums = " ".join(f"sha256 {h[:16]}…" for h in r["sha256"].values())
        out.print(f"{r['name']:<28} {r['kind']:<10} {mark:<10} {size:>9}  {r['source']}  {sums}".rstrip())


def _model_row(spec) -> dict[str, Any]:
    """One model of `lpost models list`: where it is installed, its size, where it comes from."""
    path = modelstore.installed_path(spec.name)
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path else None
    return {
        "name": spec.name, "kind": spec.kind, "installed": path is not None, "path": str(path) if path else None,
        "source": "registry packages (offline)" if spec.offline else (f"hub {spec.hub_repo}" if spec.hub_repo else "custom"),
        "description": spec.description, "licence": spec.licence, "size_bytes": size, "sha256": spec.sha256,
    }


def _load_model_modules() -> None:
    # model specs register on import; the LLM ones live outside the speech package
    import_plugins(("listeningpost.llm", "listeningpost.translate.models"))


def _or_fail(action: Callable[[], Any]) -> Any:
    """``action()``; a ModelError ends the command with its message."""
    try:
        return action()
    except modelstore.ModelError as exc:
        fail(str(exc))


@models.command("pull")
def pull(names: List[str] = typer.Argument(..., help="Model names (see `lpost models list`).")) -> None:
    """Install models: assemble offline ones from packages, download hub ones (needs internet)."""
    _load_model_modules()
    for name in names:  # whisper_model_name leaves registered names as they are
        path = _or_fail(lambda: modelstore.ensure_model(modelstore.whisper_model_name(name)))
        out.print(f"{name}: {path}")


@models.command("pack")
def pack(dest: Path = typer.Argument(..., help="Folder to copy the models into (e.g. a USB drive)."),
         name: List[str] = typer.Option([], "--name", help="Only these models (default: all installed).")) -> None:
    """Copy installed models with a checksum manifest, to carry to an air-gapped machine."""
    done = _or_fail(lambda: modelstore.pack(dest, list(name) or None))
    out.print(f"packed {', '.join(done) or 'nothing'} into {dest}")


@models.command("unpack")
def unpack(src: Path = typer.Argument(..., help="Folder made by `lpost models pack`.")) -> None:
    """Install packed models into this machine's model cache (checksums verified)."""
    done = _or_fail(lambda: modelstore.unpack(src))
    out.print(f"installed {', '.join(done)} into {modelstore.cache_dir()}")


@models.command("remove")
def remove(name: str) -> None:
    """Delete an installed model from the cache."""
    out.print(f"{name}: {'removed' if modelstore.remove_model(name) else 'not installed'}")


def transcribe_cmd(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="Audio or video file."),
    model: Optional[str] = typer.Option(None, help="ASR model name, hub id or folder (default whisper-base)."),
    language: Optional[str] = typer.Option(None, help="Force a language (ru, uk); default: detect among ru/uk."),
    speakers: int = typer.Option(2, help="Number of speakers (1 = no diarization, 0 = estimate)."),
    device: str = typer.Option("auto", help="cpu, cuda or auto."),
    beam_size: int = typer.Option(5, help="Beam size."),
    batch_size: int = typer.Option(8, help="Clips decoded per batch."),
    threads: int = typer.Option(0, help="CPU threads (0: all cores)."),
    cpu_workers: int = typer.Option(0, help="CPU model replicas decoding side by side (0: 2 on 2+ cores)."),
    as_json: bool = JsonOpt,
) -> None:
    """Transcribe one file without a case (prints turns)."""
    from listeningpost.audio import AudioError
    from listeningpost.speech.stage import build_options
    from listeningpost.speech.core import run

    options = build_options(model, language, speakers, device=device, beam_size=beam_size, batch_size=batch_size,
                            cpu_threads=threads, cpu_workers=cpu_workers)
    try:
        result = run(path, options)
    except AudioError as exc:
        fail(str(exc))
    if as_json:
        print_json({"duration_s": result.duration_s, "language": result.language, "stereo": result.stereo,
                    "turns": [t.to_dict() for t in result.turns]})
        return
    for t in result.turns:
        flag = " (?)" if t.low_confidence else ""
        out.print(f"[{t.start:7.2f}-{t.end:7.2f}] {t.speaker} {t.language or '':>5}{flag}: {t.text}", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(models, name="models")
    app.command("transcribe")(transcribe_cmd)
