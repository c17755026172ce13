"""Real speech end to end: words with times and confidences, language, diarization."""

from __future__ import annotations

import json

import pytest

from listeningpost.evaluation.asr import der_counts, error_rates, normalise
from listeningpost.speech import SpeechOptions, run, transcribe

from conftest import AUDIO, EVAL, need_shared


def test_read_speech_transcribes_with_word_timestamps():
    path = need_shared(AUDIO / "golos_001ce26c07c20eaa0d666b824c6c6924.wav")
    reference = (AUDIO / "golos_001ce26c07c20eaa0d666b824c6c6924.txt").read_text(encoding="utf-8")
    result = run(path)
    assert result.language == "ru"
    assert [t.speaker for t in result.turns] == ["A"] * len(result.turns)  # one voice, not split
    wer, _ = error_rates([normalise(reference)], [normalise(" ".join(t.text for t in result.turns))])
    assert wer <= 0.5
    words = [w for t in result.turns for w in t.words]
    assert len(words) >= 4
    assert all(0 <= w.start <= w.end <= result.duration_s + 0.1 for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:]))
    assert all(0 < w.probability <= 1 for w in words)
    turn = result.turns[0]
    assert turn.avg_logprob is not None and turn.no_speech_prob is not None and 0.5 < turn.language_prob <= 1


def _gold(call_id: str) -> dict:
    for line in need_shared(EVAL / "synth_calls_dev.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["id"] == call_id:
            return item
    raise KeyError(call_id)


def _der(gold: dict, result) -> float:
    ref = [(t["speaker"], t["start"], t["end"]) for t in gold["turns"]]
    hyp = [(t.speaker, t.start, t.end) for t in result.turns]
    error, total = der_counts(ref, hyp)
    return error / total


@pytest.mark.parametrize("call_id, max_der", [("dev_call2_clean16k", 0.15), ("dev_call2_stereo8k", 0.03),
                                             ("dev_call2_phone8k", 0.3)])  # GSM + noise: VAD misses speech
def test_two_real_speakers_are_separated(call_id, max_der):
    gold = _gold(call_id)
    result = run(EVAL / gold["audio"])
    assert result.stereo == call_id.endswith("stereo8k")
    assert result.speakers == ["A", "B"]
    assert _der(gold, result) < max_der
    ref = [(t["speaker"], t["start"], t["end"]) for t in gold["turns"]]
    # speaker B (unknown words in the gold) is assigned word by word inside B's turns
    b_words = [w for t in result.turns if t.speaker == "B" for w in t.words]
    in_b = [w for w in b_words if any(s == "B" and a - 0.5 <= (w.start + w.end) / 2 <= b + 0.5 for s, a, b in ref)]
    assert len(in_b) >= 0.8 * len(b_words) > 0


@pytest.mark.parametrize("call", ["dev_call1", "dev_call3"])
def test_two_speakers_mixed_to_mono_8k(tmp_path, call):
    """Alternating turns of two real speakers, mono, resampled to 8 kHz: DER below 15 %."""
    from scipy.signal import resample_poly

    from speechfix import read, write_wav

    gold = _gold(f"{call}_clean16k")
    mono8k = resample_poly(read(EVAL / gold["audio"])[0], 1, 2)
    result = run(write_wav(tmp_path / f"{call}_mono8k.wav", mono8k, rate=8000))
    assert not result.stereo and result.speakers == ["A", "B"]
    assert _der(gold, result) < 0.15


def test_forced_language_and_single_speaker_options():
    path = need_shared(AUDIO / "pisets_test_sound_ru.wav")
    options = SpeechOptions()
    options.asr.language = "uk"
    options.diarize.speakers = 1
    turns = transcribe(path, options)
    assert turns and all(t.language == "uk" and t.language_prob is None and t.speaker == "A" for t in turns)


def test_streaming_windows_match_whole_file():
    path = need_shared(AUDIO / "ru4sphinx_firstruble_0101444606_16k.flac")
    options = SpeechOptions()
    options.window_s = 30.0  # force several windows cut at pauses
    options.diarize.speakers = 1
    streamed = run(path, options)
    reference = (AUDIO / "ru4sphinx_firstruble_0101444606_16k.txt").read_text(encoding="utf-8")
    wer, _ = error_rates([normalise(reference)], [normalise(" ".join(t.text for t in streamed.turns))])
    assert streamed.duration_s == pytest.approx(95, abs=3)
    assert wer < 0.6
    starts = [w.start for t in streamed.turns for w in t.words]
    assert starts == sorted(starts) and starts[-1] > 80
