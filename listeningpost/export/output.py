"""Writing exports: atomically (temporary name in the target folder, then rename), and recorded in
the case's audit log (web package, ``audit_log``) with the output's SHA-256."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from pathlib import Path
from typing import Any

from listeningpost.store.case import Case


def _tmp_name(path: Path) -> Path:
    # random, so the temporary name carries nothing of the content
    return path.parent / f".lpost-export-{secrets.token_hex(6)}.tmp"


def write_file(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path`` atomically; returns its SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return hashlib.sha256(data).hexdigest()


def write_folder(path: Path, files: dict[str, bytes]) -> str:
    """Write a folder of files (CSV tables) so it appears whole: build it aside, then swap it in.
    Returns a SHA-256 over the files' names and contents."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    tmp.mkdir()
    digest = hashlib.sha256()
    try:
        for name, data in sorted(files.items()):
            (tmp / name).write_bytes(data)
            digest.update(name.encode() + b"\0" + data)
        old = None
        if path.exists():
            old = _tmp_name(path)
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return digest.hexdigest()


def record(case: Case, user: str | None, fmt: str, call_ids: list[int], detail: dict[str, Any]) -> None:
    from listeningpost.store.audit import log

    target = "calls:" + ",".join(str(c) for c in call_ids)
    with case.transaction():
        log(case, user, "export", target, {"format": fmt, **detail})
