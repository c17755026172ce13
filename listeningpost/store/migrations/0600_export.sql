-- Exports (issue #8): what the analyst marked for redaction. Exports themselves are recorded in the
-- web package's audit_log (0500).

-- A mark redacts every occurrence of ``text`` in exports, or (target_table, target_id, field) the
-- whole value of one field (its current value is then redacted wherever it occurs). call_id NULL =
-- the mark applies to every call of the case.
CREATE TABLE redaction_marks (
    id INTEGER PRIMARY KEY,
    call_id INTEGER REFERENCES calls(id) ON DELETE CASCADE,
    kind TEXT NOT NULL DEFAULT 'REDACTED',   -- placeholder type: PERSON, PHONE, ADDRESS, REDACTED, ...
    text TEXT,
    target_table TEXT,
    target_id INTEGER,
    field TEXT,
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    CHECK (text IS NOT NULL OR (target_table IS NOT NULL AND target_id IS NOT NULL AND field IS NOT NULL))
);
CREATE INDEX redaction_marks_call ON redaction_marks(call_id);
