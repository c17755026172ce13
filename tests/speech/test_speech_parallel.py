"""The CPU speed paths give the same result as the plain ones: Silero scored once, clips shared
out among model replicas, words aligned clip by clip."""

from __future__ import annotations

import numpy as np
import pytest
from faster_whisper.vad import VadOptions, get_speech_timestamps

from listeningpost.audio import decode
from listeningpost.speech import SpeechOptions, asr, run, vad

from conftest import AUDIO, need_shared


def test_vad_scores_once_matches_faster_whisper_and_leaves_audio_intact(monkeypatch):
    audio = decode(need_shared(AUDIO / "ru4sphinx_firstruble_0101444606_16k.flac"), channels=1)[0]
    before = audio.copy()
    calls = []
    model = vad.get_vad_model()
    monkeypatch.setattr(vad, "get_vad_model", lambda: (lambda padded: calls.append(len(padded)) or model(padded)))
    config = vad.VadConfig()
    spans = vad.speech_spans(audio, config)
    assert len(calls) == 1  # one Silero pass serves the adaptive threshold and the spans
    assert np.array_equal(audio, before)  # Silero writes into its input; the caller's audio is untouched
    monkeypatch.undo()
    threshold = vad.adaptive_threshold(vad.speech_probabilities(audio), config)
    reference = get_speech_timestamps(audio.copy(), VadOptions(
        threshold=threshold, min_speech_duration_ms=config.min_speech_ms, min_silence_duration_ms=config.min_silence_ms,
        speech_pad_ms=config.speech_pad_ms, max_speech_duration_s=config.max_clip_s - 1.0))
    assert len(spans) >= 4 and spans == [(s["start"], s["end"]) for s in reference]


def test_model_replicas_decode_the_same_words_as_one_model():
    path = need_shared(AUDIO / "ru4sphinx_firstruble_0101444606_16k.flac")  # 95 s: four 30 s clips
    results = []
    for workers in (1, 2):
        options = SpeechOptions()
        options.asr.cpu_threads, options.asr.cpu_workers, options.asr.device = 2, workers, "cpu"
        options.diarize.speakers = 1
        result = run(path, options)
        results.append([(t.text, t.language, [(w.text, w.start, w.end, w.probability) for w in t.words])
                        for t in result.turns])
    assert sum(len(words) for _, _, words in results[0]) > 100
    assert results[0] == results[1]


@pytest.mark.parametrize("threads, workers, expected", [(2, 0, (2, 1)), (8, 0, (2, 4)), (1, 0, (1, 1)),
                                                        (2, 1, (1, 2)), (4, 8, (4, 1))])
def test_cpu_layout(threads, workers, expected):
    assert asr.cpu_layout(asr.AsrOptions(cpu_threads=threads, cpu_workers=workers)) == expected


def test_clips_are_shared_out_by_duration():
    groups = asr._balanced([30.0, 12.0, 29.0, 14.0, 8.0], 2)
    assert sorted(i for g in groups for i in g) == [0, 1, 2, 3, 4]
    totals = sorted(sum([30.0, 12.0, 29.0, 14.0, 8.0][i] for i in g) for g in groups)
    assert totals == [43.0, 50.0]
    assert asr._balanced([5.0], 2) == [[0]]


def test_job_worker_share_of_cores_is_honoured(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # what the local executor gives each of 2 workers on 2 cores
    assert asr.cpu_layout(asr.AsrOptions()) == (1, 1)
    assert asr.cpu_layout(asr.AsrOptions(cpu_threads=2)) == (2, 1)
