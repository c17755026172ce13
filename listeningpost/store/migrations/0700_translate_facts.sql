-- Fact check of each machine translation (issue #14): the numbers, named entities, casualty codes and
-- claim triggers of the source turn, and which of them the English lacks:
-- {"faithful": bool, "missing": [source words], "facts": [{"kind", "source", "expected", "value"}]}.
ALTER TABLE translations ADD COLUMN facts_json TEXT;
