"""Data exports for analysts' own tools: JSON (schema ``listeningpost.export/1``, wrapping
``listeningpost.call/1`` documents; see docs/export.md) and CSV tables (calls, turns, entities,
claims)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from listeningpost.export.report import citation
from listeningpost.export.subtitles import english_of
from listeningpost.store.views import SHOW_SCHEMA

EXPORT_SCHEMA = "listeningpost.export/1"

CSV_COLUMNS = {
    "calls": ["call_id", "external_id", "title", "category", "language", "duration_s", "has_media", "source_sha256",
              "source_file", "publisher", "source_url", "published_date", "obtained_date", "authenticity_notes",
              "turns", "claims", "entities"],
    "turns": ["call_id", "turn_id", "idx", "speaker", "start_s", "end_s", "language", "origin", "machine", "edited",
              "low_confidence", "text", "text_en", "en_engine", "en_machine"],
    "entities": ["call_id", "entity_id", "turn_id", "type", "text", "norm", "start_char", "end_char", "lat", "lon",
                 "geo_confidence", "status", "machine"],
    "claims": ["call_id", "claim_id", "turn_id", "type", "count", "quote", "start_s", "end_s", "speaker", "subject",
               "place", "period", "equipment", "hedged", "negated", "confidence", "status", "machine", "citation"],
}


def to_json(docs: list[dict[str, Any]], case_id: str, query: str | None, redaction: dict[str, Any]) -> str:
    payload = {"schema": EXPORT_SCHEMA, "call_schema": SHOW_SCHEMA, "case": case_id, "query": query,
               "redaction": redaction, "calls": docs}
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n"


def csv_rows(docs: list[dict[str, Any]], case_id: str) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in CSV_COLUMNS}
    for d in docs:
        prov = d["source"]["provenance"]
        tables["calls"].append({
            "call_id": d["id"], "external_id": d["external_id"], "title": d["title"], "category": d["category"],
            "language": d["language"], "duration_s": d["duration_s"], "has_media": d["has_media"],
            "source_sha256": d["source"]["sha256"], "source_file": d["source"]["original_name"],
            "publisher": prov.get("publisher"), "source_url": prov.get("source_url"),
            "published_date": prov.get("published_date"), "obtained_date": prov.get("obtained_date"),
            "authenticity_notes": prov.get("authenticity_notes"), "turns": len(d["turns"]),
            "claims": len(d["claims"]), "entities": len(d["entities"]),
        })
        # beside the columns named here, each row takes its document's keys of the same name
        for t in d["turns"]:
            en = english_of(t)
            tr = next((x for x in t["translations"] if x["lang"] == "en" and x["text"] == en), None)
            tables["turns"].append({
                "call_id": d["id"], "turn_id": t["id"], "start_s": t["start"], "end_s": t["end"], "text_en": en,
                "en_engine": tr and tr["engine"], "en_machine": tr and tr["machine"],
                **{k: t[k] for k in CSV_COLUMNS["turns"][2:12] if k not in ("start_s", "end_s")}})
        for e in d["entities"]:
            tables["entities"].append({"call_id": d["id"], "entity_id": e["id"],
                                       **{k: e[k] for k in CSV_COLUMNS["entities"][2:]}})
        for c in d["claims"]:
            tables["claims"].append({
                "call_id": d["id"], "claim_id": c["id"], "start_s": c["start"], "end_s": c["end"],
                "citation": citation(case_id, d, c["start"]),
                **{k: c[k] for k in CSV_COLUMNS["claims"][2:-1] if k not in ("start_s", "end_s")}})
    return tables


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def to_csv(docs: list[dict[str, Any]], case_id: str) -> dict[str, bytes]:
    """One UTF-8 CSV per table (with BOM, so spreadsheet programs read the Cyrillic right)."""
    out = {}
    for name, rows in csv_rows(docs, case_id).items():
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS[name], lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _cell(row[k]) for k in CSV_COLUMNS[name]} for row in rows)
        out[f"{name}.csv"] = ("\ufeff" + buf.getvalue()).encode("utf-8")
    return out
