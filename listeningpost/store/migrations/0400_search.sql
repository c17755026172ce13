-- Search index (listeningpost/search). search_docs holds the indexed form of each turn (folded text,
-- lemmas, English translation) and is the external content of the FTS5 table; triggers keep the FTS
-- index in step and mark calls dirty when their turns or English translations change, so the next
-- search (or `lpost reindex`) re-indexes just those calls.

CREATE TABLE search_docs (
    turn_id INTEGER PRIMARY KEY,          -- = turns.id; removed by trigger when the turn goes
    call_id INTEGER NOT NULL,
    text TEXT NOT NULL,                   -- turn text, lower-cased, ё folded to е
    lemmas TEXT NOT NULL,                 -- one pymorphy3 lemma per word
    translation TEXT NOT NULL DEFAULT '', -- English translation (human first, else machine)
    lang TEXT,
    speaker TEXT,
    sig TEXT NOT NULL                     -- hash of what was indexed, to skip unchanged turns
);
CREATE INDEX search_docs_call ON search_docs(call_id);
CREATE INDEX search_docs_lang ON search_docs(lang, call_id);

CREATE VIRTUAL TABLE search_fts USING fts5(
    text, lemmas, translation,
    content='search_docs', content_rowid='turn_id',
    tokenize='porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_fts(rowid, text, lemmas, translation) VALUES (new.turn_id, new.text, new.lemmas, new.translation);
END;

CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_fts(search_fts, rowid, text, lemmas, translation) VALUES ('delete', old.turn_id, old.text, old.lemmas, old.translation);
END;

-- calls whose turns or English translations changed since they were indexed
CREATE TABLE search_dirty (
    call_id INTEGER PRIMARY KEY
);

CREATE TRIGGER search_turns_ai AFTER INSERT ON turns BEGIN
    INSERT OR IGNORE INTO search_dirty(call_id) VALUES (new.call_id);
END;

CREATE TRIGGER search_turns_ad AFTER DELETE ON turns BEGIN
    DELETE FROM search_docs WHERE turn_id = old.id;
    INSERT OR IGNORE INTO search_dirty(call_id) VALUES (old.call_id);
END;

CREATE TRIGGER search_turns_au AFTER UPDATE OF text, speaker, language, call_id ON turns BEGIN
    DELETE FROM search_docs WHERE turn_id = old.id;
    INSERT OR IGNORE INTO search_dirty(call_id) VALUES (new.call_id);
END;

CREATE TRIGGER search_translations_ai AFTER INSERT ON translations WHEN new.lang = 'en' BEGIN
    INSERT OR IGNORE INTO search_dirty(call_id) SELECT call_id FROM turns WHERE id = new.turn_id;
END;

CREATE TRIGGER search_translations_au AFTER UPDATE ON translations WHEN new.lang = 'en' OR old.lang = 'en' BEGIN
    INSERT OR IGNORE INTO search_dirty(call_id) SELECT call_id FROM turns WHERE id = new.turn_id;
END;

CREATE TRIGGER search_translations_ad AFTER DELETE ON translations WHEN old.lang = 'en' BEGIN
    INSERT OR IGNORE INTO search_dirty(call_id) SELECT call_id FROM turns WHERE id = old.turn_id;
END;

-- Sentence embeddings, one row per chunk of a turn (long monologues are split). id is never reused,
-- so an approximate-nearest-neighbour file built from it stays valid as rows come and go.
CREATE TABLE search_vectors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    chunk INTEGER NOT NULL,
    model TEXT NOT NULL,
    sig TEXT NOT NULL,                    -- hash of the embedded text
    vec BLOB NOT NULL,                    -- float16, L2-normalised
    UNIQUE (model, turn_id, chunk)
);
CREATE INDEX search_vectors_turn ON search_vectors(turn_id);
