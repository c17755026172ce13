"""Voices across calls: one voiceprint per diarized speaker, linked across the case (issue 16).

``prints`` turns a speaker's turns into one embedding, ``link`` clusters embeddings into voices,
``store`` keeps prints and links in the case (analyst decisions survive re-linking), ``stage``
computes prints in `lpost process`, ``cli`` is `lpost voices`.
"""
