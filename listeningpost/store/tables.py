"""The case schema as SQLAlchemy Core tables: what every query is built from.

The numbered ``migrations/*.sql`` files are the schema's history (an existing case is brought up to
date by them); these declarations are its current shape, and ``tests/store/test_tables.py`` checks
that the two agree on SQLite and PostgreSQL. Queries are Core statements (``select(calls)...``) run
by ``case.db.execute(statement)``: SQLAlchemy's own dialects compile them (``store.sql``). The
full-text index (FTS5 / tsvector) is dialect-specific and lives with its search backend.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (BigInteger, CheckConstraint, Column, Float, ForeignKey, Identity, Index, Integer, LargeBinary,
                        MetaData, Table, Text, UniqueConstraint, text)

metadata = MetaData()
#: SQLite's integers are 64-bit: BIGINT on PostgreSQL, INTEGER on SQLite (where an INTEGER PRIMARY KEY is the rowid)
BigInt = BigInteger().with_variant(Integer(), "sqlite")


# -- the columns that recur (the declaration order is the column order of the tables) -------------


def _id() -> Column:
    return Column("id", BigInt, Identity(), primary_key=True)


def _req(name: str, type_: Any = Text, *args: Any, default: str | None = None) -> Column:
    """A NOT NULL column; ``default`` is its server default as SQL (``"0"``, ``"'en'"``)."""
    server_default = None if default is None else text(default)
    return Column(name, type_, *args, nullable=False, server_default=server_default)


def _opt(type_: Any, *names: str) -> list[Column]:
    """Nullable columns of one type."""
    return [Column(name, type_) for name in names]


def _flag(name: str) -> Column:
    return _req(name, BigInt, default="0")


def _ref(name: str, target: str, ondelete: str | None = None, **kw: Any) -> Column:
    """A reference to ``target``'s id."""
    return Column(name, BigInt, ForeignKey(f"{target}.id", ondelete=ondelete), **kw)


def _of_call(name: str = "call_id", **kw: Any) -> Column:
    """The call a row belongs to (deleted with it)."""
    return _ref(name, "calls", "CASCADE", **{"nullable": False, **kw})


def _of_turn() -> Column:
    """The turn a row belongs to (deleted with it)."""
    return _ref("turn_id", "turns", "CASCADE", nullable=False)


def _at_turn() -> Column:
    """The turn a finding points at (kept, without it, when the turn goes)."""
    return _ref("turn_id", "turns", "SET NULL")


def _run() -> Column:
    return _ref("run_id", "runs")


def _one_of(name: str, *allowed: str, default: str | None = None) -> Column:
    """NOT NULL text that a CHECK limits to ``allowed``."""
    values = ", ".join(f"'{a}'" for a in allowed)
    return _req(name, Text, CheckConstraint(f"{name} IN ({values})"), default=default)


def _engine() -> list[Column]:
    return [_req("engine"), Column("model", Text)]


audit_log = Table(
    "audit_log", metadata,
    _id(), _req("at"), _req("username"), _req("action"), *_opt(Text, "target", "detail_json"),
    Index("audit_log_at", 'at'),
)

calls = Table(
    "calls", metadata,
    _id(), _ref("source_id", "sources", nullable=False), _req("idx", BigInt, default="0"),
    *_opt(Text, "external_id", "title", "category"), *_opt(Float, "start_s", "end_s", "duration_s"),
    Column("language", Text), _flag("has_media"), Column("data_json", Text), _req("created_at"),
    UniqueConstraint('source_id', 'idx'),
)

claims = Table(
    "claims", metadata,
    _id(), _of_call(), _at_turn(), _req("type"), Column("count", BigInt), _req("quote"),
    *_opt(Float, "start_s", "end_s"), *_opt(Text, "speaker", "subject", "place", "period", "equipment"),
    _flag("hedged"), _flag("negated"), Column("confidence", Float), Column("data_json", Text),
    _run(), _req("status", default="'machine'"),
    Index("claims_call", 'call_id'),
)

edits = Table(
    "edits", metadata,
    _id(), _ref("call_id", "calls", "SET NULL"), _ref("source_id", "sources", "SET NULL"),
    _req("target_table"), Column("target_id", BigInt), _req("action"),
    *_opt(Text, "field", "before_json", "after_json"), _req("author"), _req("at"), _ref("undone_by", "edits"),
    Index("edits_call", 'call_id'),
)

entities = Table(
    "entities", metadata,
    _id(), _of_call(), _at_turn(), _req("type"), _req("text"), Column("norm", Text),
    *_opt(BigInt, "start_char", "end_char"), *_opt(Float, "lat", "lon", "geo_confidence"),
    Column("data_json", Text), _run(), _req("status", default="'machine'"),
    Index("entities_call", 'call_id'),
    Index("entities_norm", 'type', 'norm'),
)

fingerprint_hashes = Table(
    "fingerprint_hashes", metadata,
    Column("hash", BigInt, primary_key=True), _ref("source_id", "sources", "CASCADE", primary_key=True),
    Index("fingerprint_hashes_source", 'source_id'),
)

ingest_failures = Table(
    "ingest_failures", metadata,
    _id(), _req("path"), _req("error"), _req("at"),
)

jobs = Table(
    "jobs", metadata,
    _id(), _req("stage"), _of_call(),
    _one_of("status", "pending", "running", "done", "failed", default="'pending'"), Column("error", Text),
    _req("attempts", BigInt, default="0"), Column("settings_hash", Text),
    _run(), _req("updated_at"),
    UniqueConstraint('stage', 'call_id'),
    Index("jobs_status", 'stage', 'status'),
)

login_attempts = Table(
    "login_attempts", metadata,
    _id(), _req("username"), Column("remote", Text), _req("ok", BigInt), _req("at"),
    Index("login_attempts_user", 'username', 'at'),
)

redaction_marks = Table(
    "redaction_marks", metadata,
    _id(), _of_call(nullable=True), _req("kind", default="'REDACTED'"), *_opt(Text, "text", "target_table"),
    Column("target_id", BigInt), Column("field", Text), _req("author"), _req("at"),
    Index("redaction_marks_call", 'call_id'),
    CheckConstraint("text IS NOT NULL OR (target_table IS NOT NULL AND target_id IS NOT NULL AND field IS NOT NULL)"),
)

reference_imports = Table(
    "reference_imports", metadata,
    _id(), _one_of("kind", "personnel", "equipment"), _req("source"), _req("file_name"), _req("sha256"),
    _req("row_count", BigInt), _req("first_date"), _req("last_date"), _req("imported_at"),
    UniqueConstraint('sha256'),
)

reference_series = Table(
    "reference_series", metadata,
    _id(), _ref("import_id", "reference_imports", "CASCADE", nullable=False),
    _req("source"), _req("kind"), _req("date"), _req("category"), _req("cumulative", BigInt),
    Column("daily", BigInt), _req("imported_at"),
    UniqueConstraint('import_id', 'category', 'date'),
    Index("reference_series_kind", 'kind', 'category', 'date'),
)

runs = Table(
    "runs", metadata,
    _id(), _req("stage"), *_engine(), Column("settings_json", Text), _req("started_at"),
    Column("finished_at", Text),
    _one_of("status", "running", "done", "failed", "partial", default="'running'"), Column("error", Text),
)

search_dirty = Table(
    "search_dirty", metadata,
    Column("call_id", BigInt, primary_key=True),
)

search_docs = Table(
    "search_docs", metadata,
    Column("turn_id", BigInt, primary_key=True), _req("call_id", BigInt), _req("text"), _req("lemmas"),
    _req("translation", default="''"), *_opt(Text, "lang", "speaker"), _req("sig"),
    Index("search_docs_call", 'call_id'),
    Index("search_docs_lang", 'lang', 'call_id'),
)

search_vectors = Table(
    "search_vectors", metadata,
    _id(), _of_turn(), _req("chunk", BigInt), _req("model"), _req("sig"), _req("vec", LargeBinary),
    UniqueConstraint('model', 'turn_id', 'chunk'),
    Index("search_vectors_turn", 'turn_id'),
)

settings = Table(
    "settings", metadata,
    Column("key", Text, primary_key=True), _req("value_json"),
)

sources = Table(
    "sources", metadata,
    _id(), _req("sha256"), _req("original_name"), Column("original_path", Text), _req("archive_path"),
    _req("size", BigInt), _one_of("kind", "audio", "video", "transcript"), _req("format"),
    Column("media_json", Text), Column("fingerprint", LargeBinary),
    _ref("near_duplicate_of", "sources"), Column("near_duplicate_score", Float),
    *_opt(Text, "publisher", "source_url", "published_date", "obtained_date", "title", "language", "notes",
          "authenticity_notes", "extra_json"),
    _req("added_at"),
    UniqueConstraint('sha256'),
)

speakers = Table(
    "speakers", metadata,
    _of_call(primary_key=True), Column("label", Text, primary_key=True), Column("name", Text),
)

themes = Table(
    "themes", metadata,
    _id(), _of_call(), _at_turn(), _req("theme"), Column("score", Float), Column("evidence_json", Text),
    _run(), _req("status", default="'machine'"),
    Index("themes_call", 'call_id'),
)

translation_cache = Table(
    "translation_cache", metadata,
    Column("key", Text, primary_key=True), *_engine(), _req("output"), _req("created_at"),
)

translation_failures = Table(
    "translation_failures", metadata,
    _id(), _of_turn(), _req("lang", default="'en'"), *_engine(), _run(), _req("error"), _req("at"),
    Index("translation_failures_turn", 'turn_id'),
)

translations = Table(
    "translations", metadata,
    _id(), _of_turn(), _req("lang", default="'en'"), *_engine(), _req("text"), Column("flags_json", Text),
    _run(), _flag("edited"), _req("created_at"), *_opt(Text, "glossary_json", "facts_json"),
    UniqueConstraint('turn_id', 'lang', 'engine'),
)

turns = Table(
    "turns", metadata,
    _id(), _of_call(), _req("idx", BigInt), Column("speaker", Text), *_opt(Float, "start_s", "end_s"),
    Column("language", Text), Column("language_prob", Float), _req("text"),
    *_opt(Float, "avg_logprob", "no_speech_prob"), _flag("low_confidence"),
    _req("origin", default="'import'"), _run(), _flag("edited"), Column("data_json", Text),
    Index("turns_call", 'call_id', 'idx'),
)

users = Table(
    "users", metadata,
    _id(), _req("username"), _req("password_hash"), _one_of("role", "admin", "analyst", "viewer"),
    _req("created_at"), _flag("disabled"),
    UniqueConstraint('username'),
)

voice_links = Table(
    "voice_links", metadata,
    _id(), _of_call(), _req("label"), _of_call("other_call_id"), _req("other_label"), _req("score", Float),
    _one_of("status", "machine", "confirmed", "rejected", default="'machine'"), Column("threshold", Float),
    _req("updated_at"),
    UniqueConstraint('call_id', 'label', 'other_call_id', 'other_label'),
    Index("voice_links_other", 'other_call_id'),
)

voiceprints = Table(
    "voiceprints", metadata,
    _of_call(primary_key=True), Column("label", Text, primary_key=True), _req("vec", LargeBinary),
    _req("windows", BigInt), _req("speech_s", Float), _req("engine"), _req("turns_hash"), _run(),
    _req("created_at"),
)

web_sessions = Table(
    "web_sessions", metadata,
    Column("id", Text, primary_key=True), _ref("user_id", "users", "CASCADE", nullable=False),
    _req("csrf"), _req("created_at"), _req("expires_at"),
)

words = Table(
    "words", metadata,
    _id(), _of_turn(), _req("idx", BigInt), *_opt(Float, "start_s", "end_s"), _req("text"),
    Column("probability", Float),
    Index("words_turn", 'turn_id', 'idx'),
)
