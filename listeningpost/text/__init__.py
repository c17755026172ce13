"""Russian/Ukrainian text helpers shared by analysis, search and translation.

* ``normalise``: editorial marks applied with a character map back to the original; ``fold``.
* ``tokens``: sentences and word tokens (razdel) with offsets.
* ``morph``: the one pymorphy3 analyzer per language and process; best parse, lemma, lemmatise.
* ``lang``: ru / uk / mixed from alphabet letters and dictionary coverage.
* ``fts``: the full-text lemmatiser of the search index and the query parser (one lemma per
  indexed token, every normal form of a query word).

Nothing is imported here: ``from listeningpost.text import fts`` loads only what it names.
"""
