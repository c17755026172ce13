"""Ingest files into a case: archive them, record provenance, create calls; one bad file never
stops the rest.

Each file is committed in one transaction (source + calls + turns), after its bytes are safely in
the archive, so a kill -9 at any moment leaves either the whole file or nothing: a re-run picks up
where it stopped and never adds a source twice (sha256 is unique).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
from sqlalchemy import func, insert, select

from listeningpost.ingest import archive, media, provenance, transcripts
from listeningpost.records import ImportedCall
from listeningpost.store.case import Case, now
from listeningpost.store.sql import insert_ignore
from listeningpost.store.tables import calls, fingerprint_hashes, ingest_failures, sources
from listeningpost.store.layers import replace_turns

@dataclass
class IngestItem:
    path: str
    status: str  # added, duplicate, failed, skipped
    source_id: int | None = None
    calls: list[int] = field(default_factory=list)
    error: str | None = None
    near_duplicate_of: int | None = None
    near_duplicate_score: float | None = None


@dataclass
class IngestReport:
    items: list[IngestItem] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(1 for i in self.items if i.status == "added")

    @property
    def duplicates(self) -> int:
        return sum(1 for i in self.items if i.status == "duplicate")

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "duplicates": self.duplicates,
            "failed": [{"path": i.path, "error": i.error} for i in self.items if i.status == "failed"],
            "near_duplicates": [
                {"path": i.path, "source_id": i.source_id, "likely_same_as": i.near_duplicate_of,
                 "similarity": round(i.near_duplicate_score or 0, 3)}
                for i in self.items if i.near_duplicate_of
            ],
            "skipped": [i.path for i in self.items if i.status == "skipped"],
            "calls": sum(len(i.calls) for i in self.items if i.status == "added"),
            "items": [asdict(i) for i in self.items],
        }


class IngestError(Exception):
    pass


def expand_paths(paths: Iterable[Path], recursive: bool) -> list[tuple[Path, bool]]:
    """(file, named explicitly). Files inside folders are taken when their type is known; hidden
    files, sidecars and parallel translation files are read with their main file, not alone."""
    out: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_dir():
            walker = sorted(path.rglob("*")) if recursive else sorted(path.iterdir())
            out += [(child, False) for child in walker
                    if child.is_file() and not child.is_symlink() and _wanted_in_folder(child, path)]
        else:
            out.append((path, True))
    return out


def _wanted_in_folder(path: Path, root: Path) -> bool:
    hidden = any(p.startswith(".") for p in path.relative_to(root).parts)
    if hidden or provenance.is_sidecar(path) or transcripts.is_parallel_translation(path):
        return False
    return path.suffix.lower() in media.MEDIA_EXTENSIONS | transcripts.transcript_extensions()


def ingest_paths(
    case: Case,
    paths: Iterable[Path],
    given: dict[str, Any] | None = None,
    recursive: bool = False,
    on_item: Callable[[IngestItem], None] | None = None,
) -> IngestReport:
    given = provenance.normalise(given or {})
    report = IngestReport()
    for path, explicit in expand_paths([Path(p) for p in paths], recursive):
        item = ingest_file(case, path, given, explicit)
        report.items.append(item)
        if item.status == "failed":
            case.db.execute(insert(ingest_failures).values(path=item.path, error=item.error, at=now()))
        if on_item:
            on_item(item)
    return report


def ingest_file(case: Case, path: Path, given: dict[str, Any], explicit: bool = True) -> IngestItem:
    shown = str(path.parent / archive.display_name(path)) if path.parent != Path(".") else archive.display_name(path)
    item = IngestItem(path=shown, status="failed")
    try:
        _ingest(case, path, given, item)
    except (IngestError, media.MediaError, transcripts.TranscriptError, provenance.ProvenanceError) as exc:
        item.status, item.error = "failed", str(exc)
    except OSError as exc:
        item.status, item.error = "failed", f"cannot read file: {exc.strerror or exc}"
    return item


def _ingest(case: Case, path: Path, given: dict[str, Any], item: IngestItem) -> None:
    if path.is_symlink() and not path.exists():
        raise IngestError("broken symbolic link")
    if not path.exists():
        raise IngestError("no such file")
    if not path.is_file():
        raise IngestError("not a regular file")
    if provenance.is_sidecar(path):
        item.status = "skipped"
        return
    if path.stat().st_size == 0:
        raise IngestError("empty file (0 bytes)")
    sha, size = archive.sha256_file(path)
    if existing := case.one(select(sources.c.id).where(sources.c.sha256 == sha)):
        item.status, item.source_id = "duplicate", existing["id"]
        item.calls = [r[0] for r in case.query(select(calls.c.id).where(calls.c.source_id == existing["id"]))]
        item.error = f"same bytes as source {existing['id']}"
        return

    sidecar = provenance.find_sidecar(path)
    values = provenance.read_sidecar(sidecar) | given if sidecar else dict(given)
    suffix = path.suffix.lower()
    info = fp = None
    if suffix in transcripts.transcript_extensions():
        kind, (fmt, imported) = "transcript", transcripts.parse_transcript(path)
    else:
        info = media.probe(path)
        fp = media.fingerprint(path)
        fmt = suffix.lstrip(".") or (info.container or "media")
        kind, imported = "video" if info.has_video else "audio", [ImportedCall(turns=[])]
    rel = archive.store_file(case.root, path, sha, path.name)
    near_id, near_score = _near_duplicate(case, fp) if fp is not None and len(fp) else (None, None)
    # provenance in the transcript file itself, overridden by the sidecar and the command line
    found = provenance.normalise(imported[0].provenance) if len(imported) == 1 else {}
    known, extra = provenance.split_fields(found | values)
    with case.transaction():
        cur = case.db.execute(insert(sources).values(
            sha256=sha, original_name=archive.display_name(path), original_path=str(path.resolve())[:4096],
            archive_path=rel, size=size, kind=kind, format=fmt,
            media_json=json.dumps(info.to_dict()) if info else None,
            fingerprint=fp.astype("<u4").tobytes() if fp is not None else None,
            near_duplicate_of=near_id, near_duplicate_score=near_score,
            **{key: known.get(key) for key in provenance.FIELDS},
            extra_json=json.dumps(extra, ensure_ascii=False) if extra else None, added_at=now(),
        ))
        source_id = cur.lastrowid
        if fp is not None and len(fp):
            _index_fingerprint(case, source_id, fp)
        for idx, call in enumerate(imported):
            item.calls.append(_insert_call(case, source_id, idx, call, info, known))
    item.status, item.source_id = "added", source_id
    item.near_duplicate_of, item.near_duplicate_score = near_id, near_score


#: candidates compared in full; and the share of hashes a candidate must have in common
CANDIDATES = 5
MIN_SHARED_HASHES = 0.05


def _index_fingerprint(case: Case, source_id: int, fp: np.ndarray) -> None:
    case.db.executemany(insert_ignore(case.db, fingerprint_hashes),
                        [{"hash": h, "source_id": source_id} for h in media.index_hashes(fp)])


def _backfill_fingerprint_index(case: Case) -> None:
    """Sources fingerprinted before the hash index existed get their hashes once."""
    indexed = select(fingerprint_hashes.c.source_id).where(fingerprint_hashes.c.source_id == sources.c.id)
    rows = case.query(select(sources.c.id, sources.c.fingerprint)
                      .where(sources.c.fingerprint.is_not(None), ~indexed.exists()))
    if rows:
        with case.transaction():
            for row in rows:
                _index_fingerprint(case, row["id"], np.frombuffer(row["fingerprint"], dtype="<u4"))


def _near_duplicate(case: Case, fp: np.ndarray) -> tuple[int | None, float | None]:
    _backfill_fingerprint_index(case)
    if not (hashes := media.index_hashes(fp)):
        return None, None
    shared: Counter[int] = Counter()
    for start in range(0, len(hashes), 900):  # stay under every backend's parameter limit
        chunk = hashes[start : start + 900]
        shared.update(dict(case.query(
            select(fingerprint_hashes.c.source_id, func.count())
            .where(fingerprint_hashes.c.hash.in_(chunk)).group_by(fingerprint_hashes.c.source_id)
        )))
    needed = max(3, int(MIN_SHARED_HASHES * len(hashes)))
    candidates = sorted((n, sid) for sid, n in shared.items() if n >= needed)[-CANDIDATES:]
    best_id, best = None, 0.0
    for _, source_id in candidates:
        row = case.one(select(sources.c.fingerprint).where(sources.c.id == source_id))
        score = media.similarity(fp, np.frombuffer(row["fingerprint"], dtype="<u4"))
        if score > best:
            best_id, best = source_id, score
    return (best_id, best) if best >= media.NEAR_DUPLICATE_THRESHOLD else (None, None)


def _insert_call(case: Case, source_id: int, idx: int, call: ImportedCall, info, known: dict) -> int:
    language = call.language or known.get("language")
    cur = case.db.execute(insert(calls).values(
        source_id=source_id, idx=idx, external_id=call.external_id, title=call.title or known.get("title"),
        category=call.category, start_s=0.0 if info else None, end_s=info.duration if info else None,
        duration_s=info.duration if info else None, language=language, has_media=1 if info else 0,
        data_json=json.dumps(call.extra, ensure_ascii=False) if call.extra else None, created_at=now(),
    ))
    call_id = cur.lastrowid
    if call.turns:
        for turn in call.turns:
            turn.language = turn.language or language
        replace_turns(case, call_id, call.turns, run_id=None, origin="import")
    return call_id


def env_author() -> str:
    return os.environ.get("LPOST_USER") or os.environ.get("USER") or "cli"
