"""The text layer of analysis, kept under its old name: it lives in ``listeningpost.text``."""

from __future__ import annotations

from listeningpost.text.lang import LanguageGuess, detect_language
from listeningpost.text.morph import Morph, all_parses, analyzer, lemma, lemmatise, morph
from listeningpost.text.normalise import NormText, fold, normalise
from listeningpost.text.tokens import Span, split_sentences, split_tokens

__all__ = [
    "NormText", "normalise", "fold", "analyzer", "all_parses", "Morph", "morph", "lemma", "lemmatise",
    "LanguageGuess", "detect_language", "Span", "split_sentences", "split_tokens",
]
