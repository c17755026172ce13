"""Speaker embeddings without torch: a numpy port of Resemblyzer's GE2E voice encoder.

The 3-layer LSTM (40 mel bands -> 256) + linear + ReLU weights were read once from Resemblyzer
0.1.4's ``pretrained.pt`` (Apache-2.0, Corentin Jemine / Resemble AI; licence text beside the
file) and stored as float16 in ``data/voice_encoder_ge2e.npz`` (2.6 MB instead of 754 MB of torch).
Input features follow Resemblyzer: power mel spectrogram (not log), 25 ms windows, 10 ms hop.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np

SAMPLE_RATE = 16000
N_FFT = 400
HOP = 160
N_MELS = 40
PARTIAL_FRAMES = 160  # 1.6 s per embedding window, as the encoder was trained


def _hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    f_sp, min_log_hz, min_log_mel, logstep = 200.0 / 3, 1000.0, 15.0, np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, f / f_sp)


def _mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    f_sp, min_log_hz, min_log_mel, logstep = 200.0 / 3, 1000.0, 15.0, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


@lru_cache(maxsize=1)
def mel_filterbank() -> np.ndarray:
    """Slaney-scale, Slaney-normalised triangular filters (librosa.filters.mel defaults)."""
    fft_freqs = np.linspace(0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(SAMPLE_RATE / 2), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]
    return weights.astype(np.float32)


def mel_frames(wav: np.ndarray) -> np.ndarray:
    """(n_frames, 40) power mel spectrogram; frame i is centred on sample i * 160."""
    padded = np.pad(wav.astype(np.float32), N_FFT // 2)
    n_frames = 1 + (len(padded) - N_FFT) // HOP
    if n_frames <= 0:
        return np.zeros((0, N_MELS), dtype=np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:n_frames]
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)  # periodic Hann, as librosa
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    return (power.astype(np.float32) @ mel_filterbank().T).astype(np.float32)


@lru_cache(maxsize=1)
def _weights() -> dict[str, np.ndarray]:
    with resources.files("listeningpost.speech").joinpath("data/voice_encoder_ge2e.npz").open("rb") as fh:
        data = np.load(fh)
        return {k: data[k].astype(np.float32) for k in data.files}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


def embed_batch(mels: np.ndarray, batch: int = 256) -> np.ndarray:
    """(B, T, 40) mel windows -> (B, 256) L2-normalised speaker embeddings."""
    w = _weights()
    out = []
    for i in range(0, len(mels), batch):
        x = mels[i:i + batch].astype(np.float32)
        for layer in range(3):
            w_ih, w_hh = w[f"lstm_weight_ih_l{layer}"], w[f"lstm_weight_hh_l{layer}"]
            bias = w[f"lstm_bias_ih_l{layer}"] + w[f"lstm_bias_hh_l{layer}"]
            gates_x = x @ w_ih.T + bias  # (b, T, 1024), PyTorch gate order i, f, g, o
            h = np.zeros((x.shape[0], 256), dtype=np.float32)
            c = np.zeros_like(h)
            seq = np.empty((x.shape[0], x.shape[1], 256), dtype=np.float32)
            for t in range(x.shape[1]):
                g = gates_x[:, t] + h @ w_hh.T
                i_g, f_g, o_g = _sigmoid(g[:, :256]), _sigmoid(g[:, 256:512]), _sigmoid(g[:, 768:])
                c = f_g * c + i_g * np.tanh(g[:, 512:768])
                h = o_g * np.tanh(c)
                seq[:, t] = h
            x = seq
        raw = np.maximum(0, h @ w["linear_weight"].T + w["linear_bias"])
        out.append(raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-9))
    return np.concatenate(out) if out else np.zeros((0, 256), dtype=np.float32)
