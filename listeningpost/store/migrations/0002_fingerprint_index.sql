-- Inverted index of audio fingerprints: the top 20 bits of every Chromaprint item of a source.
-- A new recording is compared in full only with the few sources that share many of its hashes,
-- so near-duplicate detection stays fast with thousands of sources.
CREATE TABLE fingerprint_hashes (
    hash INTEGER NOT NULL,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    PRIMARY KEY (hash, source_id)
);
CREATE INDEX fingerprint_hashes_source ON fingerprint_hashes(source_id);
