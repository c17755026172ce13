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
from threadpoolctl import threadpool_limits

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
    """Per layer: input and recurrent weights transposed, gates reordered from PyTorch's
    (i, f, g, o) to (i, f, o, g) so the three sigmoid gates are one contiguous block."""
    with resources.files("listeningpost.speech").joinpath("data/voice_encoder_ge2e.npz").open("rb") as fh:
        data = np.load(fh)
        raw = {k: data[k].astype(np.float32) for k in data.files}
    order = np.r_[0:512, 768:1024, 512:768]
    out = {"linear_t": np.ascontiguousarray(raw["linear_weight"].T), "linear_bias": raw["linear_bias"]}
    for layer in range(3):
        out[f"ih{layer}"] = np.ascontiguousarray(raw[f"lstm_weight_ih_l{layer}"][order].T)
        out[f"hh{layer}"] = np.ascontiguousarray(raw[f"lstm_weight_hh_l{layer}"][order].T)
        out[f"b{layer}"] = (raw[f"lstm_bias_ih_l{layer}"] + raw[f"lstm_bias_hh_l{layer}"])[order]
    return out


def _lstm_layer(x: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """One LSTM layer over (T, B, F) input; returns (T, B, 256). In-place ops keep it fast."""
    steps, batch, _ = x.shape
    gates_x = (x.reshape(steps * batch, -1) @ w_ih).reshape(steps, batch, 1024)
    gates_x += bias
    h = np.zeros((batch, 256), dtype=np.float32)
    c = np.zeros_like(h)
    tmp = np.empty_like(h)
    g = np.empty((batch, 1024), dtype=np.float32)
    seq = np.empty((steps, batch, 256), dtype=np.float32)
    for t in range(steps):
        np.matmul(h, w_hh, out=g)
        g += gates_x[t]
        sig = g[:, :768]
        sig *= 0.5
        np.tanh(sig, out=sig)
        sig *= 0.5
        sig += 0.5  # sigmoid(x) = (tanh(x/2) + 1) / 2
        np.tanh(g[:, 768:], out=g[:, 768:])
        np.multiply(g[:, 256:512], c, out=c)          # f * c
        np.multiply(g[:, :256], g[:, 768:], out=tmp)   # i * g
        c += tmp
        np.tanh(c, out=tmp)
        np.multiply(g[:, 512:768], tmp, out=h)         # o * tanh(c)
        seq[t] = h
    return seq


def embed_batch(mels: np.ndarray, batch: int = 256) -> np.ndarray:
    """(B, T, 40) mel windows -> (B, 256) L2-normalised speaker embeddings."""
    w = _weights()
    # 480 small sequential matmuls per window batch: BLAS threads only add synchronisation
    # (measured 7x slower with 2 threads on 2 busy cores)
    with threadpool_limits(limits=1, user_api="blas"):
        out = [_embed(mels[i:i + batch], w) for i in range(0, len(mels), batch)]
    return np.concatenate(out) if out else np.zeros((0, 256), dtype=np.float32)


def _embed(mels: np.ndarray, w: dict[str, np.ndarray]) -> np.ndarray:
    x = np.ascontiguousarray(mels.astype(np.float32).transpose(1, 0, 2))
    for layer in range(3):
        x = _lstm_layer(x, w[f"ih{layer}"], w[f"hh{layer}"], w[f"b{layer}"])
    raw = np.maximum(0, x[-1] @ w["linear_t"] + w["linear_bias"])
    return raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-9)
