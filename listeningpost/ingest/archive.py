"""Content-addressed archive: every ingested file is stored once, by SHA-256, never modified.

The user's file name is never used as a path: only the hash and a sanitised extension are, so
hostile names (``../``, quotes, newlines, 255-byte names) cannot escape the case folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: Path) -> tuple[str, int]:
    """(SHA-256 hex digest, size in bytes) of the file's contents."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest(), fh.tell()


def safe_extension(name: str) -> str:
    """Lower-case extension of at most 8 ASCII letters/digits, or '' (never anything else)."""
    suffix = Path(name).suffix.lower().lstrip(".")
    return "." + suffix if re.fullmatch(r"[a-z0-9]{1,8}", suffix) else ""


def archive_relpath(sha256: str, original_name: str) -> str:
    return f"archive/{sha256[:2]}/{sha256}{safe_extension(original_name)}"


def store_file(case_root: Path, src: Path, sha256: str, original_name: str) -> str:
    """Copy ``src`` into the archive (atomically: temp file + rename). Returns the relative path.

    An archive file that already exists with the same hash is left untouched.
    """
    rel = archive_relpath(sha256, original_name)
    dest = case_root / rel
    if dest.exists():
        return rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o444)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return rel


def display_name(path: Path) -> str:
    """The file name as text for display: control characters escaped, length capped."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in path.name)[:300]
