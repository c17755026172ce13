"""Signal-presence regions per channel (clearly synthetic signals)."""

import numpy as np

from listeningpost.audio import SAMPLE_RATE
from listeningpost.speech.vad import ActivityConfig, activity_regions


def _tone(seconds: float, level: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (level * rng.standard_normal(int(seconds * SAMPLE_RATE))).astype(np.float32)


def test_each_channel_active_only_for_its_own_take():
    quiet = _tone(6.0, 1e-5, 0)
    left, right = quiet.copy(), _tone(6.0, 1e-5, 1)
    left[SAMPLE_RATE:3 * SAMPLE_RATE] = _tone(2.0, 0.1, 2)            # left talks 1-3 s
    right[int(3.5 * SAMPLE_RATE):5 * SAMPLE_RATE] = _tone(1.5, 0.1, 3)  # right talks 3.5-5 s
    right[SAMPLE_RATE:3 * SAMPLE_RATE] += 0.1 * 10 ** (-40 / 20) * left[SAMPLE_RATE:3 * SAMPLE_RATE] / 0.1  # echo
    regions = activity_regions(np.stack([left, right]))
    assert regions[0] == [(1.0, 3.0)]
    assert regions[1] == [(3.5, 5.0)]  # the -40 dB echo of the left party is not the right speaker


def test_short_gaps_close_and_blips_drop():
    audio = _tone(4.0, 1e-5, 0)
    audio[SAMPLE_RATE:2 * SAMPLE_RATE] = _tone(1.0, 0.1, 1)
    audio[int(2.2 * SAMPLE_RATE):3 * SAMPLE_RATE] = _tone(0.8, 0.1, 2)   # 0.2 s pause: same region
    audio[int(3.5 * SAMPLE_RATE):int(3.6 * SAMPLE_RATE)] = _tone(0.1, 0.1, 3)  # 0.1 s click: dropped
    assert activity_regions(audio[None], ActivityConfig()) == [[(1.0, 3.0)]]


def test_speaker_changes_move_to_pauses():
    """Inside one VAD span, a short run of the other voice at the edge or between runs of one
    voice is the blur of the embedding windows, not a speaker change."""
    from listeningpost.speech.asr import AsrSegment, AsrWord
    from listeningpost.speech.core import _changes_at_pauses, _Word

    seg = AsrSegment(start=0.0, end=0.0, text="")

    def words(spec):
        return [_Word(AsrWord(f"w{i}", a, b, 0.9), seg, speaker) for i, (a, b, speaker) in enumerate(spec)]

    head = words([(10.0, 10.5, 1), (10.5, 11.0, 1), (11.0, 12.0, 0), (12.0, 13.5, 0)])
    _changes_at_pauses(head, [(9.9, 13.6)], 1.5)
    assert [w.speaker for w in head] == [0, 0, 0, 0]
    flip = words([(0.0, 1.0, 0), (1.0, 2.0, 0), (2.0, 2.5, 1), (2.5, 4.0, 0)])
    _changes_at_pauses(flip, [(0.0, 4.0)], 1.5)
    assert [w.speaker for w in flip] == [0, 0, 0, 0]
    # a real change: both runs long, or the short run alone in its own span
    real = words([(0.0, 2.0, 0), (2.0, 4.0, 1), (5.0, 5.4, 0)])
    _changes_at_pauses(real, [(0.0, 4.0), (4.9, 5.5)], 1.5)
    assert [w.speaker for w in real] == [0, 1, 0]
