-- PostgreSQL twin of store/migrations/0700_translate_facts.sql: the same tables, columns and indexes in
-- PostgreSQL's types (identity keys, BIGINT for SQLite's 64-bit INTEGER, DOUBLE PRECISION for
-- REAL, BYTEA for BLOB). Tables without an integer key carry a hidden rowid identity, as SQLite's
-- rowid (store.sql.row_id). Keep in step with the SQLite file: tests/store/test_tables.py.

ALTER TABLE translations ADD COLUMN facts_json TEXT;
