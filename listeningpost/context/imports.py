"""`lpost reference import`: a newer General Staff series (CSV or JSON, same shape as the shipped one)
stored in the case (tables of migration 0900_reference.sql).

The whole file is checked before anything is written and loaded in one transaction; the same file
(by SHA-256) imported again adds nothing. In the merged series an import replaces the shipped figures
(and older imports) from its first date on, per category: the newest import wins.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from listeningpost.context.reference import EQUIPMENT_CATEGORIES, Series, equipment_from_rows
from listeningpost.store import tables
from listeningpost.store.case import Case, now

KINDS = ("personnel", "equipment")


class ReferenceImportError(ValueError):
    """The file is not a reference series of the given kind; nothing was loaded."""


def _rows_of(path: Path, data: bytes) -> list[dict[str, Any]]:
    text = data.decode("utf-8-sig")
    if not text.strip():
        raise ReferenceImportError(f"{path.name}: the file is empty")
    if path.suffix.lower() == ".json" or text.lstrip().startswith("["):
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ReferenceImportError(f"{path.name}: not valid JSON ({exc})") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ReferenceImportError(f"{path.name}: expected a JSON list of objects, one per date")
        return rows
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "date" not in [f.strip() for f in reader.fieldnames]:
        raise ReferenceImportError(f"{path.name}: no 'date' column in the CSV header")
    return [{(k or "").strip(): (v.strip() if isinstance(v, str) else v) for k, v in r.items()} for r in reader]


def _int(value: Any, where: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ReferenceImportError(f"{where}: {value!r} is not a count")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ReferenceImportError(f"{where}: {value!r} is not a number") from None
    if number != int(number) or number < 0:
        raise ReferenceImportError(f"{where}: {value!r} is not a whole non-negative count")
    return int(number)


def parse_series(path: Path, kind: str, data: bytes | None = None) -> dict[str, dict[date, int]]:
    """category -> date -> cumulative from a personnel or equipment file; raises ReferenceImportError."""
    if kind not in KINDS:
        raise ReferenceImportError(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    path = Path(path)
    if not (rows := _rows_of(path, data if data is not None else path.read_bytes())):
        raise ReferenceImportError(f"{path.name}: no rows")
    wanted = ("personnel",) if kind == "personnel" else EQUIPMENT_CATEGORIES + ("military auto", "fuel tank")
    clean, seen = [], set()
    for i, r in enumerate(rows, start=2 if path.suffix.lower() != ".json" else 1):
        where = f"{path.name}, {'line' if path.suffix.lower() != '.json' else 'item'} {i}"
        raw = str(r.get("date") or "").strip()
        try:
            day = date.fromisoformat(raw[:10])
        except ValueError:
            raise ReferenceImportError(f"{where}: date {raw!r} is not YYYY-MM-DD") from None
        if day in seen:
            raise ReferenceImportError(f"{where}: date {day} appears twice")
        seen.add(day)
        row: dict[str, Any] = {"date": day.isoformat()}
        for cat in wanted:
            if (value := _int(r.get(cat), f"{where}, {cat}")) is not None:
                row[cat] = value
        clean.append(row)
    if kind == "personnel":
        series = {"personnel": {date.fromisoformat(r["date"]): r["personnel"] for r in clean if "personnel" in r}}
        series = {k: v for k, v in series.items() if v}
    else:
        series = equipment_from_rows(clean)
    if not series:
        cols = "personnel" if kind == "personnel" else ", ".join(EQUIPMENT_CATEGORIES)
        raise ReferenceImportError(f"{path.name}: no {kind} figures (expected a column: {cols})")
    return series


def import_file(case: Case, path: Path, kind: str, source: str | None = None) -> dict[str, Any]:
    """Load one file into the case; returns what was added (nothing when the same file is there)."""
    path = Path(path)
    if not path.is_file():
        raise ReferenceImportError(f"no file {path}")
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    imports = tables.reference_imports
    old = case.one(select(imports.c.id, imports.c.source, imports.c.kind).where(imports.c.sha256 == sha))
    if old is not None:
        return {"import_id": old["id"], "added": 0, "already": True, "source": old["source"], "kind": old["kind"]}
    series = parse_series(path, kind, data)
    source = (source or "").strip() or f"{kind} series imported from {path.name}"
    at = now()
    rows = []
    for cat, values in series.items():
        dates = sorted(values)
        rows += [{"source": source, "kind": kind, "date": day.isoformat(), "category": cat,
                  "cumulative": values[day], "daily": values[day] - values[prev] if prev else None,
                  "imported_at": at} for prev, day in zip([None, *dates], dates)]
    days = [r["date"] for r in rows]
    with case.transaction() as db:
        imp = db.execute(insert(imports).values(
            kind=kind, source=source, file_name=path.name, sha256=sha, row_count=len(rows), first_date=min(days),
            last_date=max(days), imported_at=at)).lastrowid
        db.executemany(insert(tables.reference_series), [{"import_id": imp, **r} for r in rows])
    return {"import_id": imp, "added": len(rows), "already": False, "source": source, "kind": kind,
            "categories": sorted(series), "first_date": min(days), "last_date": max(days)}


def list_imports(case: Case) -> list[dict[str, Any]]:
    imports = tables.reference_imports
    return [dict(r) for r in case.query(select(imports).order_by(imports.c.id))]


def merge_imports(case: Case | None, kind: str, shipped: dict[str, dict[date, int]],
                  shipped_source: str) -> dict[str, Series]:
    """The shipped series with the case's imports laid over it: each import replaces everything from
    its first date on (per category), imports applied oldest first so the newest wins."""
    merged: dict[str, Series] = {cat: {d: (v, shipped_source) for d, v in s.items()} for cat, s in shipped.items()}
    if case is None:
        return merged
    try:
        series_table = tables.reference_series
        rows = case.query(select(series_table.c.import_id, series_table.c.source, series_table.c.date,
                                 series_table.c.category, series_table.c.cumulative)
                          .where(series_table.c.kind == kind)
                          .order_by(series_table.c.import_id, series_table.c.category, series_table.c.date))
    except Exception:  # a case opened before migration 0900 (read-only copy): shipped series only
        return merged
    by_import: dict[tuple[int, str], list] = {}
    for r in rows:
        by_import.setdefault((r["import_id"], r["category"]), []).append(r)
    for (_, cat), items in sorted(by_import.items()):
        first = date.fromisoformat(items[0]["date"])
        series = {d: v for d, v in merged.get(cat, {}).items() if d < first}
        series.update({date.fromisoformat(r["date"]): (r["cumulative"], r["source"]) for r in items})
        merged[cat] = series
    return merged
