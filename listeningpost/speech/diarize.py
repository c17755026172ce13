"""Two-speaker (or N-speaker) diarization.

Stereo sources with one speaker per channel: each word goes to the louder channel (A = left).
Mono: GE2E speaker embeddings (``voice.py``) on 1.6 s windows over VAD speech, clustered for the
whole call, then each *word* takes the speaker of the windows around it (not whole Whisper
segments, which often span a speaker change).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

from listeningpost.audio import SAMPLE_RATE
from listeningpost.speech import voice

WINDOW = voice.PARTIAL_FRAMES * voice.HOP  # samples per embedding window (1.6 s)


@dataclass
class DiarizeConfig:
    speakers: int = 2                # maximum number of speakers; 0 = estimate
    #: step between embedding windows (1.6 s long); DER on the dev calls is the same at 0.5 and 1.0
    hop_s: float = 1.0
    #: clusters whose centroids are this similar are one speaker (a monologue is not split in two)
    merge_similarity: float = 0.86
    #: a cluster with fewer windows (or a smaller share of the call) is noise, not a speaker
    min_windows: int = 4
    min_share: float = 0.08
    #: when estimating (speakers=0), clusters closer than this cosine distance merge
    distance_threshold: float = 0.35
    max_linkage_points: int = 3000   # agglomerative init on a sample; k-means refines on all


@dataclass
class SpeakerWindows:
    """Embedding windows collected over a call (times in seconds of the source)."""

    times: list[np.ndarray] = field(default_factory=list)
    embeddings: list[np.ndarray] = field(default_factory=list)

    def add(self, audio: np.ndarray, spans: list[tuple[int, int]], offset_s: float, hop_s: float) -> None:
        if not (starts := window_starts(spans, len(audio), int(hop_s * SAMPLE_RATE))):
            return
        mels = []
        for s in starts:
            chunk = audio[s:s + WINDOW]
            rms = float(np.sqrt(np.mean(chunk ** 2))) if chunk.size else 0.0
            # level to -30 dBFS, the encoder's training level (phone audio is often quiet)
            chunk = chunk * (10 ** (-30 / 20) / rms) if rms > 1e-5 else chunk
            mels.append(voice.mel_frames(chunk)[: voice.PARTIAL_FRAMES])
        self.embeddings.append(voice.embed_batch(np.stack(mels)))
        t0 = np.asarray(starts, dtype=np.float64) / SAMPLE_RATE + offset_s
        self.times.append(np.stack([t0, t0 + WINDOW / SAMPLE_RATE], axis=1))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.times:
            return np.zeros((0, 2)), np.zeros((0, 256), dtype=np.float32)
        return np.concatenate(self.times), np.concatenate(self.embeddings)


def window_starts(spans: list[tuple[int, int]], n_samples: int, hop: int) -> list[int]:
    """Window start samples covering each speech span (short spans get one centred window)."""
    starts: list[int] = []
    for start, end in spans:
        if end - start <= WINDOW:
            centre = (start + end) // 2
            starts.append(int(np.clip(centre - WINDOW // 2, 0, max(0, n_samples - WINDOW))))
            continue
        starts.extend(range(start, end - WINDOW + 1, hop))
        if (end - WINDOW - start) % hop:
            starts.append(end - WINDOW)
    return [s for s in starts if n_samples - s >= WINDOW // 2]


def cluster(embeddings: np.ndarray, config: DiarizeConfig) -> np.ndarray:
    """Cluster label per window, 0..k-1 in order of first appearance."""
    n = len(embeddings)
    if n <= 1 or config.speakers == 1:
        return np.zeros(n, dtype=int)
    rng = np.random.default_rng(0)
    sample = np.sort(rng.choice(n, config.max_linkage_points, replace=False)) if n > config.max_linkage_points else np.arange(n)
    tree = linkage(embeddings[sample], method="average", metric="cosine")
    if config.speakers > 0:
        # over-cluster, so that odd windows (noise, laughter) form their own small clusters that
        # are absorbed below instead of taking one of the speakers' places
        init = fcluster(tree, t=min(len(sample), 3 * config.speakers), criterion="maxclust") - 1
    else:
        init = fcluster(tree, t=config.distance_threshold, criterion="distance") - 1
    init = _compact(_merge(embeddings[sample], _compact(init), config))
    k = int(init.max()) + 1
    centroids = np.stack([embeddings[sample][init == c].mean(0) for c in range(k)])
    labels = _merge(embeddings, _compact(_kmeans(embeddings, centroids)), config)
    return by_first_appearance(labels)


def _compact(labels: np.ndarray) -> np.ndarray:
    return np.unique(labels, return_inverse=True)[1]


def _normalise(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9)


def _kmeans(embeddings: np.ndarray, centroids: np.ndarray, iterations: int = 10) -> np.ndarray:
    """Spherical k-means refinement from the agglomerative start."""
    labels = np.argmax(embeddings @ _normalise(centroids).T, axis=1)
    for _ in range(iterations):
        centroids = np.stack([
            embeddings[labels == c].mean(0) if np.any(labels == c) else centroids[c] for c in range(len(centroids))
        ])
        new_labels = np.argmax(embeddings @ _normalise(centroids).T, axis=1)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return labels


def _merge(embeddings: np.ndarray, labels: np.ndarray, config: DiarizeConfig) -> np.ndarray:
    """Merge clusters until each is a voice: first clusters too small to be a speaker, then the
    closest pairs while there are more than ``config.speakers``, then pairs too similar to be two."""
    labels = labels.copy()
    while True:
        ids, counts = np.unique(labels, return_counts=True)
        if len(ids) < 2:
            return labels
        cents = _normalise(np.stack([embeddings[labels == c].mean(0) for c in ids]))
        sim = cents @ cents.T
        np.fill_diagonal(sim, -1)
        small = int(np.argmin(counts))
        if counts[small] < config.min_windows or counts[small] < config.min_share * len(labels):
            i, j = int(np.argmax(sim[small])), small
        else:
            i, j = np.unravel_index(np.argmax(sim), sim.shape)
            too_many = config.speakers > 0 and len(ids) > config.speakers
            if not too_many and sim[i, j] < config.merge_similarity:
                return labels
        labels[labels == ids[j]] = ids[i]


def by_first_appearance(labels: np.ndarray) -> np.ndarray:
    order: dict[int, int] = {}
    for label in labels:
        order.setdefault(int(label), len(order))
    return np.array([order[int(x)] for x in labels], dtype=int)


def label_name(index: int) -> str:
    letters = string.ascii_uppercase
    return letters[index] if index < len(letters) else f"S{index + 1}"


def assign_words(word_times: np.ndarray, windows: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Speaker index per word: windows covering the word's midpoint vote, nearer centres weigh more."""
    if len(windows) == 0:
        return np.zeros(len(word_times), dtype=int)
    k = int(labels.max()) + 1
    centres = windows.mean(axis=1)
    half = (windows[:, 1] - windows[:, 0]) / 2
    order = np.argsort(centres)
    centres, half, labels = centres[order], half[order], labels[order]
    out = np.zeros(len(word_times), dtype=int)
    max_half = float(half.max())
    for i, (start, end) in enumerate(word_times):
        mid = (start + end) / 2
        lo, hi = np.searchsorted(centres, [mid - max_half, mid + max_half])
        if hi <= lo:
            out[i] = labels[min(np.searchsorted(centres, mid), len(centres) - 1)]
            continue
        dist = np.abs(centres[lo:hi] - mid)
        weight = np.clip(1.0 - dist / half[lo:hi], 0.0, None) + 1e-6
        votes = np.bincount(labels[lo:hi], weights=weight, minlength=k)
        out[i] = int(np.argmax(votes))
    return out


def nearest_voice(embeddings: np.ndarray, labels: np.ndarray, times: np.ndarray, extra: np.ndarray,
                  fallback: tuple[np.ndarray, np.ndarray]):
    """``voice_of(start, end)``: the speaker whose centroid is closest to the mean of the ``extra``
    embedding windows (``times``) inside that span; else the windows nearest in time (``fallback``)."""
    k = int(labels.max()) + 1 if len(labels) else 0
    centroids = _normalise(np.stack([embeddings[labels == c].mean(0) for c in range(k)])) if k else None

    def voice_of(start: float, end: float) -> int:
        inside = (times[:, 0] < end) & (times[:, 1] > start) if len(times) else np.zeros(0, dtype=bool)
        if centroids is not None and inside.any():
            return int(np.argmax(centroids @ _normalise(extra[inside].mean(0))))
        win_times, win_labels = fallback
        return int(assign_words(np.array([[start, end]]), win_times, win_labels)[0]) if len(win_times) else 0
    return voice_of


def channel_of_words(stereo: np.ndarray, word_spans: list[tuple[int, int]]) -> np.ndarray:
    """0 (left) or 1 (right) per word: the channel with more energy over the word."""
    out = np.zeros(len(word_spans), dtype=int)
    for i, (start, end) in enumerate(word_spans):
        part = stereo[:, max(0, start):max(start + 1, end)]
        if part.size:
            out[i] = int(np.argmax(np.mean(part.astype(np.float64) ** 2, axis=1)))
    return out
