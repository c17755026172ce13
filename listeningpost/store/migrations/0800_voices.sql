-- Voices across calls (issue 16): one voiceprint per diarized speaker with audio, and links
-- between speakers of different calls that sound like the same person.

-- Mean GE2E embedding of a speaker's turns (float32, L2-normalised), telephone-band limited so a
-- clean and a phone recording of one voice compare. Machine data: rebuilt when the call's turns change.
CREATE TABLE voiceprints (
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    vec BLOB NOT NULL,
    windows INTEGER NOT NULL,             -- 1.6 s windows averaged
    speech_s REAL NOT NULL,               -- seconds of the speaker's turns used
    engine TEXT NOT NULL,
    turns_hash TEXT NOT NULL,             -- the turn spans it was computed from
    run_id INTEGER REFERENCES runs(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (call_id, label)
);

-- A link between two speakers (call_id < other_call_id). status: machine (from clustering),
-- confirmed or rejected by an analyst (kept across re-links; a rejected link is never re-made).
CREATE TABLE voice_links (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    other_call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    other_label TEXT NOT NULL,
    score REAL NOT NULL,                  -- cosine similarity of the two voiceprints
    status TEXT NOT NULL DEFAULT 'machine' CHECK (status IN ('machine', 'confirmed', 'rejected')),
    threshold REAL,
    updated_at TEXT NOT NULL,
    UNIQUE (call_id, label, other_call_id, other_label)
);
CREATE INDEX voice_links_other ON voice_links(other_call_id);
