"""The case schema as SQLAlchemy Core tables: what every query is built from.

The numbered ``migrations/*.sql`` files are the schema's history (an existing case is brought up to
date by them); these declarations are its current shape, and ``tests/store/test_tables.py`` checks
that the two agree on SQLite and PostgreSQL. Queries are Core statements (``select(calls)...``) run
by ``case.db.execute(statement)``: SQLAlchemy's own dialects compile them (``store.sql``). The
full-text index (FTS5 / tsvector) is dialect-specific and lives with its search backend.
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, CheckConstraint, Column, Float, ForeignKey, Identity, Index, Integer, LargeBinary,
                        MetaData, Table, Text, UniqueConstraint, text)

metadata = MetaData()
#: SQLite's integers are 64-bit: BIGINT on PostgreSQL, INTEGER on SQLite (where an INTEGER PRIMARY KEY is the rowid)
BigInt = BigInteger().with_variant(Integer(), "sqlite")

audit_log = Table(
    "audit_log", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("at", Text, nullable=False),
    Column("username", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text),
    Column("detail_json", Text),
    Index("audit_log_at", 'at'),
)

calls = Table(
    "calls", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("source_id", BigInt, ForeignKey("sources.id"), nullable=False),
    Column("idx", BigInt, nullable=False, server_default=text('0')),
    Column("external_id", Text),
    Column("title", Text),
    Column("category", Text),
    Column("start_s", Float),
    Column("end_s", Float),
    Column("duration_s", Float),
    Column("language", Text),
    Column("has_media", BigInt, nullable=False, server_default=text('0')),
    Column("data_json", Text),
    Column("created_at", Text, nullable=False),
    UniqueConstraint('source_id', 'idx'),
)

claims = Table(
    "claims", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("call_id", BigInt, ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    Column("turn_id", BigInt, ForeignKey("turns.id", ondelete="SET NULL")),
    Column("type", Text, nullable=False),
    Column("count", BigInt),
    Column("quote", Text, nullable=False),
    Column("start_s", Float),
    Column("end_s", Float),
    Column("speaker", Text),
    Column("subject", Text),
    Column("place", Text),
    Column("period", Text),
    Column("equipment", Text),
    Column("hedged", BigInt, nullable=False, server_default=text('0')),
    Column("negated", BigInt, nullable=False, server_default=text('0')),
    Column("confidence", Float),
    Column("data_json", Text),
    Column("run_id", BigInt, ForeignKey("runs.id")),
    Column("status", Text, nullable=False, server_default=text("'machine'")),
    Index("claims_call", 'call_id'),
)

edits = Table(
    "edits", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("call_id", BigInt, ForeignKey("calls.id", ondelete="SET NULL")),
    Column("source_id", BigInt, ForeignKey("sources.id", ondelete="SET NULL")),
    Column("target_table", Text, nullable=False),
    Column("target_id", BigInt),
    Column("action", Text, nullable=False),
    Column("field", Text),
    Column("before_json", Text),
    Column("after_json", Text),
    Column("author", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("undone_by", BigInt, ForeignKey("edits.id")),
    Index("edits_call", 'call_id'),
)

entities = Table(
    "entities", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("call_id", BigInt, ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    Column("turn_id", BigInt, ForeignKey("turns.id", ondelete="SET NULL")),
    Column("type", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("norm", Text),
    Column("start_char", BigInt),
    Column("end_char", BigInt),
    Column("lat", Float),
    Column("lon", Float),
    Column("geo_confidence", Float),
    Column("data_json", Text),
    Column("run_id", BigInt, ForeignKey("runs.id")),
    Column("status", Text, nullable=False, server_default=text("'machine'")),
    Index("entities_call", 'call_id'),
    Index("entities_norm", 'type', 'norm'),
)

fingerprint_hashes = Table(
    "fingerprint_hashes", metadata,
    Column("hash", BigInt, primary_key=True),
    Column("source_id", BigInt, ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Index("fingerprint_hashes_source", 'source_id'),
)

ingest_failures = Table(
    "ingest_failures", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("path", Text, nullable=False),
    Column("error", Text, nullable=False),
    Column("at", Text, nullable=False),
)

jobs = Table(
    "jobs", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("stage", Text, nullable=False),
    Column("call_id", BigInt, ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    Column("status", Text, CheckConstraint("status IN ('pending', 'running', 'done', 'failed')"), nullable=False, server_default=text("'pending'")),
    Column("error", Text),
    Column("attempts", BigInt, nullable=False, server_default=text('0')),
    Column("settings_hash", Text),
    Column("run_id", BigInt, ForeignKey("runs.id")),
    Column("updated_at", Text, nullable=False),
    UniqueConstraint('stage', 'call_id'),
    Index("jobs_status", 'stage', 'status'),
)

login_attempts = Table(
    "login_attempts", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("username", Text, nullable=False),
    Column("remote", Text),
    Column("ok", BigInt, nullable=False),
    Column("at", Text, nullable=False),
    Index("login_attempts_user", 'username', 'at'),
)

redaction_marks = Table(
    "redaction_marks", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("call_id", BigInt, ForeignKey("calls.id", ondelete="CASCADE")),
    Column("kind", Text, nullable=False, server_default=text("'REDACTED'")),
    Column("text", Text),
    Column("target_table", Text),
    Column("target_id", BigInt),
    Column("field", Text),
    Column("author", Text, nullable=False),
    Column("at", Text, nullable=False),
    Index("redaction_marks_call", 'call_id'),
    CheckConstraint("text IS NOT NULL OR (target_table IS NOT NULL AND target_id IS NOT NULL AND field IS NOT NULL)"),
)

reference_imports = Table(
    "reference_imports", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("kind", Text, CheckConstraint("kind IN ('personnel', 'equipment')"), nullable=False),
    Column("source", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("row_count", BigInt, nullable=False),
    Column("first_date", Text, nullable=False),
    Column("last_date", Text, nullable=False),
    Column("imported_at", Text, nullable=False),
    UniqueConstraint('sha256'),
)

reference_series = Table(
    "reference_series", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("import_id", BigInt, ForeignKey("reference_imports.id", ondelete="CASCADE"), nullable=False),
    Column("source", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("date", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("cumulative", BigInt, nullable=False),
    Column("daily", BigInt),
    Column("imported_at", Text, nullable=False),
    UniqueConstraint('import_id', 'category', 'date'),
    Index("reference_series_kind", 'kind', 'category', 'date'),
)

runs = Table(
    "runs", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("stage", Text, nullable=False),
    Column("engine", Text, nullable=False),
    Column("model", Text),
    Column("settings_json", Text),
    Column("started_at", Text, nullable=False),
    Column("finished_at", Text),
    Column("status", Text, CheckConstraint("status IN ('running', 'done', 'failed', 'partial')"), nullable=False, server_default=text("'running'")),
    Column("error", Text),
)

search_dirty = Table(
    "search_dirty", metadata,
    Column("call_id", BigInt, primary_key=True),
)

search_docs = Table(
    "search_docs", metadata,
    Column("turn_id", BigInt, primary_key=True),
    Column("call_id", BigInt, nullable=False),
    Column("text", Text, nullable=False),
    Column("lemmas", Text, nullable=False),
    Column("translation", Text, nullable=False, server_default=text("''")),
    Column("lang", Text),
    Column("speaker", Text),
    Column("sig", Text, nullable=False),
    Index("search_docs_call", 'call_id'),
    Index("search_docs_lang", 'lang', 'call_id'),
)

search_vectors = Table(
    "search_vectors", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("turn_id", BigInt, ForeignKey("turns.id", ondelete="CASCADE"), nullable=False),
    Column("chunk", BigInt, nullable=False),
    Column("model", Text, nullable=False),
    Column("sig", Text, nullable=False),
    Column("vec", LargeBinary, nullable=False),
    UniqueConstraint('model', 'turn_id', 'chunk'),
    Index("search_vectors_turn", 'turn_id'),
)

settings = Table(
    "settings", metadata,
    Column("key", Text, primary_key=True),
    Column("value_json", Text, nullable=False),
)

sources = Table(
    "sources", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("sha256", Text, nullable=False),
    Column("original_name", Text, nullable=False),
    Column("original_path", Text),
    Column("archive_path", Text, nullable=False),
    Column("size", BigInt, nullable=False),
    Column("kind", Text, CheckConstraint("kind IN ('audio', 'video', 'transcript')"), nullable=False),
    Column("format", Text, nullable=False),
    Column("media_json", Text),
    Column("fingerprint", LargeBinary),
    Column("near_duplicate_of", BigInt, ForeignKey("sources.id")),
    Column("near_duplicate_score", Float),
    Column("publisher", Text),
    Column("source_url", Text),
    Column("published_date", Text),
    Column("obtained_date", Text),
    Column("title", Text),
    Column("language", Text),
    Column("notes", Text),
    Column("authenticity_notes", Text),
    Column("extra_json", Text),
    Column("added_at", Text, nullable=False),
    UniqueConstraint('sha256'),
)

speakers = Table(
    "speakers", metadata,
    Column("call_id", BigInt, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("label", Text, primary_key=True),
    Column("name", Text),
)

themes = Table(
    "themes", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("call_id", BigInt, ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    Column("turn_id", BigInt, ForeignKey("turns.id", ondelete="SET NULL")),
    Column("theme", Text, nullable=False),
    Column("score", Float),
    Column("evidence_json", Text),
    Column("run_id", BigInt, ForeignKey("runs.id")),
    Column("status", Text, nullable=False, server_default=text("'machine'")),
    Index("themes_call", 'call_id'),
)

translation_cache = Table(
    "translation_cache", metadata,
    Column("key", Text, primary_key=True),
    Column("engine", Text, nullable=False),
    Column("model", Text),
    Column("output", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

translation_failures = Table(
    "translation_failures", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("turn_id", BigInt, ForeignKey("turns.id", ondelete="CASCADE"), nullable=False),
    Column("lang", Text, nullable=False, server_default=text("'en'")),
    Column("engine", Text, nullable=False),
    Column("model", Text),
    Column("run_id", BigInt, ForeignKey("runs.id")),
    Column("error", Text, nullable=False),
    Column("at", Text, nullable=False),
    Index("translation_failures_turn", 'turn_id'),
)

translations = Table(
    "translations", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("turn_id", BigInt, ForeignKey("turns.id", ondelete="CASCADE"), nullable=False),
    Column("lang", Text, nullable=False, server_default=text("'en'")),
    Column("engine", Text, nullable=False),
    Column("model", Text),
    Column("text", Text, nullable=False),
    Column("flags_json", Text),
    Column("run_id", BigInt, ForeignKey("runs.id")),
    Column("edited", BigInt, nullable=False, server_default=text('0')),
    Column("created_at", Text, nullable=False),
    Column("glossary_json", Text),
    Column("facts_json", Text),
    UniqueConstraint('turn_id', 'lang', 'engine'),
)

turns = Table(
    "turns", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("call_id", BigInt, ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    Column("idx", BigInt, nullable=False),
    Column("speaker", Text),
    Column("start_s", Float),
    Column("end_s", Float),
    Column("language", Text),
    Column("language_prob", Float),
    Column("text", Text, nullable=False),
    Column("avg_logprob", Float),
    Column("no_speech_prob", Float),
    Column("low_confidence", BigInt, nullable=False, server_default=text('0')),
    Column("origin", Text, nullable=False, server_default=text("'import'")),
    Column("run_id", BigInt, ForeignKey("runs.id")),
    Column("edited", BigInt, nullable=False, server_default=text('0')),
    Column("data_json", Text),
    Index("turns_call", 'call_id', 'idx'),
)

users = Table(
    "users", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("username", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("role", Text, CheckConstraint("role IN ('admin', 'analyst', 'viewer')"), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("disabled", BigInt, nullable=False, server_default=text('0')),
    UniqueConstraint('username'),
)

voice_links = Table(
    "voice_links", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("call_id", BigInt, ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    Column("label", Text, nullable=False),
    Column("other_call_id", BigInt, ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    Column("other_label", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("status", Text, CheckConstraint("status IN ('machine', 'confirmed', 'rejected')"), nullable=False, server_default=text("'machine'")),
    Column("threshold", Float),
    Column("updated_at", Text, nullable=False),
    UniqueConstraint('call_id', 'label', 'other_call_id', 'other_label'),
    Index("voice_links_other", 'other_call_id'),
)

voiceprints = Table(
    "voiceprints", metadata,
    Column("call_id", BigInt, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("label", Text, primary_key=True),
    Column("vec", LargeBinary, nullable=False),
    Column("windows", BigInt, nullable=False),
    Column("speech_s", Float, nullable=False),
    Column("engine", Text, nullable=False),
    Column("turns_hash", Text, nullable=False),
    Column("run_id", BigInt, ForeignKey("runs.id")),
    Column("created_at", Text, nullable=False),
)

web_sessions = Table(
    "web_sessions", metadata,
    Column("id", Text, primary_key=True),
    Column("user_id", BigInt, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
)

words = Table(
    "words", metadata,
    Column("id", BigInt, Identity(), primary_key=True),
    Column("turn_id", BigInt, ForeignKey("turns.id", ondelete="CASCADE"), nullable=False),
    Column("idx", BigInt, nullable=False),
    Column("start_s", Float),
    Column("end_s", Float),
    Column("text", Text, nullable=False),
    Column("probability", Float),
    Index("words_turn", 'turn_id', 'idx'),
)
