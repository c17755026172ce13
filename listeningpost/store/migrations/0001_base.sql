-- Base schema of a case. Migrations are applied in file-name order and recorded in
-- schema_migrations; later stages add their own numbered files (0100 speech, 0200 translate,
-- 0300 analyze, 0400 search, 0500 web, 0600 export).
-- Keep SQL portable (the PostgreSQL backend translates INTEGER PRIMARY KEY and datetime defaults).

CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    original_name TEXT NOT NULL,          -- as given by the user (display only, never a path)
    original_path TEXT,                   -- where it was ingested from (display only)
    archive_path TEXT NOT NULL,           -- relative to the case folder: archive/ab/abcdef....ext
    size INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('audio', 'video', 'transcript')),
    format TEXT NOT NULL,                 -- wav, mp3, srt, json-radio-analyzer, ...
    media_json TEXT,                      -- duration, channels, sample_rate, codec (PyAV probe)
    fingerprint BLOB,                     -- Chromaprint raw fingerprint (uint32 little endian)
    near_duplicate_of INTEGER REFERENCES sources(id),
    near_duplicate_score REAL,
    -- provenance
    publisher TEXT,
    source_url TEXT,
    published_date TEXT,
    obtained_date TEXT,
    title TEXT,
    language TEXT,
    notes TEXT,
    authenticity_notes TEXT,
    extra_json TEXT,                      -- other provenance keys from sidecars/imports
    added_at TEXT NOT NULL
);

CREATE TABLE calls (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    idx INTEGER NOT NULL DEFAULT 0,       -- a source video may hold several calls
    external_id TEXT,                     -- id given by an imported transcript (e.g. ra-radio_and_calls-mp3-003)
    title TEXT,
    category TEXT,                        -- call, radio, video
    start_s REAL,                         -- where the call lies inside the source media
    end_s REAL,
    duration_s REAL,
    language TEXT,                        -- ru, uk, mixed, other (filled by import or speech)
    has_media INTEGER NOT NULL DEFAULT 0,
    data_json TEXT,                       -- import details (transcript source, duplicate notes, ...)
    created_at TEXT NOT NULL,
    UNIQUE (source_id, idx)
);

CREATE TABLE speakers (
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    label TEXT NOT NULL,                  -- A, B, ... (local to the call)
    name TEXT,                            -- analyst's name for the speaker
    PRIMARY KEY (call_id, label)
);

CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    stage TEXT NOT NULL,
    engine TEXT NOT NULL,
    model TEXT,
    settings_json TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'partial')),
    error TEXT
);

-- A turn is one speaker's stretch of speech. origin: import (a transcript), asr, analyst.
-- edited = 1 once an analyst changed it; a re-run of a stage never deletes or overwrites it.
CREATE TABLE turns (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    speaker TEXT,
    start_s REAL,
    end_s REAL,
    language TEXT,
    language_prob REAL,
    text TEXT NOT NULL,
    avg_logprob REAL,
    no_speech_prob REAL,
    low_confidence INTEGER NOT NULL DEFAULT 0,
    origin TEXT NOT NULL DEFAULT 'import',
    run_id INTEGER REFERENCES runs(id),
    edited INTEGER NOT NULL DEFAULT 0,
    data_json TEXT
);
CREATE INDEX turns_call ON turns(call_id, idx);

CREATE TABLE words (
    id INTEGER PRIMARY KEY,
    turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start_s REAL,
    end_s REAL,
    text TEXT NOT NULL,
    probability REAL
);
CREATE INDEX words_turn ON words(turn_id, idx);

-- Translation layers: one row per (turn, engine). engine = human for translations supplied at ingest.
CREATE TABLE translations (
    id INTEGER PRIMARY KEY,
    turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    lang TEXT NOT NULL DEFAULT 'en',
    engine TEXT NOT NULL,
    model TEXT,
    text TEXT NOT NULL,
    flags_json TEXT,                      -- ["draft", "glossary_miss", "low_asr_confidence"]
    run_id INTEGER REFERENCES runs(id),
    edited INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (turn_id, lang, engine)
);

-- Analysis layers. status: machine (as produced), confirmed, rejected, corrected (analyst decisions
-- survive re-runs).
CREATE TABLE entities (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    turn_id INTEGER REFERENCES turns(id) ON DELETE SET NULL,   -- kept (unlinked) if a re-run replaces the turn
    type TEXT NOT NULL,
    text TEXT NOT NULL,
    norm TEXT,
    start_char INTEGER,
    end_char INTEGER,
    lat REAL,
    lon REAL,
    geo_confidence REAL,
    data_json TEXT,
    run_id INTEGER REFERENCES runs(id),
    status TEXT NOT NULL DEFAULT 'machine'
);
CREATE INDEX entities_call ON entities(call_id);
CREATE INDEX entities_norm ON entities(type, norm);

CREATE TABLE claims (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    turn_id INTEGER REFERENCES turns(id) ON DELETE SET NULL,
    type TEXT NOT NULL,
    count INTEGER,
    quote TEXT NOT NULL,
    start_s REAL,
    end_s REAL,
    speaker TEXT,
    subject TEXT,
    place TEXT,
    period TEXT,
    equipment TEXT,
    hedged INTEGER NOT NULL DEFAULT 0,
    negated INTEGER NOT NULL DEFAULT 0,
    confidence REAL,
    data_json TEXT,
    run_id INTEGER REFERENCES runs(id),
    status TEXT NOT NULL DEFAULT 'machine'
);
CREATE INDEX claims_call ON claims(call_id);

CREATE TABLE themes (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    turn_id INTEGER REFERENCES turns(id) ON DELETE SET NULL,  -- NULL = call-level label
    theme TEXT NOT NULL,
    score REAL,
    evidence_json TEXT,
    run_id INTEGER REFERENCES runs(id),
    status TEXT NOT NULL DEFAULT 'machine'
);
CREATE INDEX themes_call ON themes(call_id);

-- Every analyst change (and every provenance change) with author, time, before and after.
CREATE TABLE edits (
    id INTEGER PRIMARY KEY,
    call_id INTEGER REFERENCES calls(id) ON DELETE SET NULL,
    source_id INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    target_table TEXT NOT NULL,
    target_id INTEGER,
    action TEXT NOT NULL,                 -- set, split, merge, status, rename, ...
    field TEXT,
    before_json TEXT,
    after_json TEXT,
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    undone_by INTEGER REFERENCES edits(id)
);
CREATE INDEX edits_call ON edits(call_id);

-- One row per (stage, call): the job runner's per-item state. Claiming and finishing an item are
-- single transactions, so a kill -9 at any moment leaves it pending or running (then re-queued).
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    stage TEXT NOT NULL,
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    settings_hash TEXT,
    run_id INTEGER REFERENCES runs(id),
    updated_at TEXT NOT NULL,
    UNIQUE (stage, call_id)
);
CREATE INDEX jobs_status ON jobs(stage, status);

-- Ingest failures, so `lpost status` lists them next to stage failures.
CREATE TABLE ingest_failures (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    error TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value_json TEXT NOT NULL
);
