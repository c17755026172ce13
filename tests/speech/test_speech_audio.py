"""Decoding: 16 kHz float32, stereo kept, offsets, streaming blocks, corrupt and truncated files."""

from __future__ import annotations

import numpy as np
import pytest

from listeningpost import audio
from listeningpost.audio import AudioError
from listeningpost.speech.core import run

from conftest import AUDIO, need_shared
from mediautil import encode, read_mono
from speechfix import write_wav


def test_decode_8k_mono_to_16k():
    path = need_shared(AUDIO / "cmusphinx_ru_decoder-test_8k.wav")
    info = audio.probe(path)
    pcm = audio.decode(path)
    assert info.sample_rate == 8000 and pcm.dtype == np.float32 and pcm.shape[0] == 1
    assert pcm.shape[1] / 16000 == pytest.approx(info.duration, abs=0.05)
    assert 0.001 < float(np.abs(pcm).max()) < 1.5  # resampling may overshoot full scale


def test_stereo_channels_are_kept_and_recognised():
    path = need_shared(AUDIO / "synthetic" / "dev_call1_stereo8k.wav")
    pcm = audio.decode(path)
    assert pcm.shape[0] == 2
    assert audio.is_true_stereo(pcm)
    copied = np.stack([pcm[0], pcm[0]])
    assert not audio.is_true_stereo(copied)
    assert audio.decode(path, channels=1).shape[0] == 1


def test_offsets_and_streaming_blocks(tmp_path):
    tone = np.sin(2 * np.pi * 440 * np.arange(130 * 8000) / 8000) * np.linspace(0, 1, 130 * 8000)
    path = write_wav(tmp_path / "ramp.wav", tone, rate=8000)
    blocks = list(audio.stream_blocks(path, block_s=30))
    assert [b.shape[1] for b in blocks] == [480000] * 4 + [10 * 16000]
    part = audio.decode(path, start_s=100.0, end_s=110.0)
    assert part.shape[1] == 160000
    # the ramp's envelope tells where the excerpt came from
    assert float(np.abs(part).max()) == pytest.approx(110 / 130, abs=0.01)


def test_corrupt_file_fails_with_clear_message(tmp_path):
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(np.random.default_rng(0).integers(0, 256, 20000, dtype=np.uint8).tobytes())
    with pytest.raises(AudioError, match="bad.mp3"):
        run(bad)


@pytest.mark.parametrize("suffix", [".wav", ".mp3", ".flac"])
def test_truncated_file_fails_with_clear_message(tmp_path, suffix):
    real = need_shared(AUDIO / "golos_001ce26c07c20eaa0d666b824c6c6924.wav")
    whole = encode(read_mono(real), 16000, tmp_path / f"whole{suffix}", suffix).read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(whole[: len(whole) // 3])  # the header still declares the full length
    with pytest.raises(AudioError, match=r"cut\.\w+ .*(truncated|damaged)"):
        run(cut)
