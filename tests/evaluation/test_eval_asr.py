"""ASR/diarization scorer (FORMAT.md): normalisation, pooled WER/CER, DER without collar."""

from __future__ import annotations

import pytest

from listeningpost.evaluation.asr import der_counts, normalise, score


def _doc(*turns):
    return {"turns": [{"speaker": s, "start": a, "end": b, "text": t} for s, a, b, t in turns]}


def test_normalisation():
    assert normalise("Ёлки-палки, [xxx] Привет!  (=сорок) ЧЁ?") == "елки палки привет че"


def test_wer_cer_pooled_over_calls_and_per_call():
    gold = [
        {"id": "a", "audio": "a.wav", "turns": [{"speaker": "A", "text": "мы стоим под бахмутом"}]},
        {"id": "b", "audio": "b.wav", "turns": [{"speaker": "A", "text": "еды нет"}]},
        {"id": "c", "turns": [{"speaker": "A", "text": "без аудио не считается"}]},
    ]
    docs = [_doc(("A", 0, 1, "Мы стоим под Бахмутом.")), _doc(("A", 0, 1, "еды нету")), _doc()]
    out = score(list(zip(gold, docs)))
    assert out["asr"]["wer"] == pytest.approx(1 / 6, abs=1e-4)      # 1 substitution in 6 words
    assert out["asr"]["per_call"] == {"a": {"wer": 0.0, "cer": 0.0}, "b": {"wer": 0.5, "cer": pytest.approx(1 / 7, abs=1e-4)}}  # one inserted letter
    assert "diarization" not in out


def test_unknown_words_are_scored_for_der_only():
    gold = {"id": "x", "audio": "x.wav", "turns": [{"speaker": "A", "start": 0.0, "end": 4.0, "text": "алло"},
                                                    {"speaker": "B", "start": 4.0, "end": 6.0, "text": None}]}
    out = score([(gold, _doc(("B", 0.0, 4.0, "алло"), ("A", 4.0, 6.0, "да")))])
    assert "asr" not in out
    assert out["diarization"]["der"] == 0.0  # labels are mapped, not compared by name


def test_der_components_and_overlap():
    ref = [("A", 0.0, 10.0), ("B", 8.0, 12.0)]           # 2 s overlap: 14 s of speaker time
    assert der_counts(ref, ref) == (0.0, pytest.approx(14.0))
    err, total = der_counts(ref, [("x", 0.0, 10.0)])      # B missed entirely
    assert err / total == pytest.approx(4 / 14, abs=1e-3)
    err, _ = der_counts(ref, [("x", 0.0, 12.0)])           # B's 4 s: 2 s confused + 2 s missed in overlap
    assert err == pytest.approx(4.0, abs=0.02)
    err, _ = der_counts(ref, [("x", 0.0, 10.0), ("y", 8.0, 14.0)])  # 2 s false alarm
    assert err == pytest.approx(2.0, abs=0.02)
