-- Translation stage (issue #4): engine output cache, per-turn failures, glossary check per row.

-- Raw engine output keyed by sha256 of [engine, model, variant, lang, engine input] so a re-run, or
-- the same line in another call, costs nothing. The input is the glossary-protected text, so a
-- glossary change makes new keys.
CREATE TABLE translation_cache (
    key TEXT PRIMARY KEY,
    engine TEXT NOT NULL,
    model TEXT,
    output TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- A turn the engine failed on (the rest of the call is still translated).
CREATE TABLE translation_failures (
    id INTEGER PRIMARY KEY,
    turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    lang TEXT NOT NULL DEFAULT 'en',
    engine TEXT NOT NULL,
    model TEXT,
    run_id INTEGER REFERENCES runs(id),
    error TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX translation_failures_turn ON translation_failures(turn_id);

-- Glossary post-check of a translation: [{"term", "source", "en", "ok"}].
ALTER TABLE translations ADD COLUMN glossary_json TEXT;
