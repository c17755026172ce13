"""Cluster voiceprints into voices: average-linkage agglomeration with a cannot-link rule.

Two speakers of one call are different people (diarization separated them), so clusters that share
a call never merge. Merging stops when the best average cosine similarity between two clusters is
below the threshold. Every pair of speakers of different calls inside a cluster is a link.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

DEFAULT_THRESHOLD = 0.84   # bench/voice_linking.md


@dataclass(frozen=True)
class Link:
    a: int          # indexes into the prints given to ``cluster``
    b: int
    score: float    # cosine similarity of the two prints


def cluster(vecs: np.ndarray, groups: list[int], threshold: float = DEFAULT_THRESHOLD) -> list[int]:
    """Cluster id per row of ``vecs`` (L2-normalised); rows with the same ``groups`` value (call)
    never share a cluster."""
    n = len(vecs)
    if n == 0:
        return []
    sim = (vecs @ vecs.T).astype(np.float64)
    size = np.ones(n)
    alive = np.ones(n, dtype=bool)
    members: list[list[int]] = [[i] for i in range(n)]
    groups_arr = np.asarray(groups)
    blocked = groups_arr[:, None] == groups_arr[None, :]
    score = np.where(blocked, -np.inf, sim)
    while True:
        i, j = np.unravel_index(np.argmax(score), score.shape)
        if not np.isfinite(score[i, j]) or score[i, j] < threshold:
            break
        # Lance-Williams update for average linkage: j merges into i
        sim[i] = (size[i] * sim[i] + size[j] * sim[j]) / (size[i] + size[j])
        sim[:, i] = sim[i]
        size[i] += size[j]
        members[i] += members[j]
        blocked[i] |= blocked[j]
        blocked[:, i] = blocked[i]
        alive[j] = False
        score[i] = np.where(blocked[i] | ~alive, -np.inf, sim[i])
        score[:, i] = score[i]
        score[j, :] = -np.inf
        score[:, j] = -np.inf
    labels = [0] * n
    for cid, rows in enumerate(m for k, m in enumerate(members) if alive[k]):
        for r in rows:
            labels[r] = cid
    return labels


def links(vecs: np.ndarray, groups: list[int], threshold: float = DEFAULT_THRESHOLD) -> list[Link]:
    labels = cluster(vecs, groups, threshold)
    by_cluster: dict[int, list[int]] = {}
    for row, cid in enumerate(labels):
        by_cluster.setdefault(cid, []).append(row)
    return [Link(min(a, b), max(a, b), float(vecs[a] @ vecs[b]))
            for rows in by_cluster.values() for a, b in combinations(rows, 2) if groups[a] != groups[b]]


def pair_scores(truth: list[str], groups: list[int], found: list[Link]) -> dict[str, float]:
    """Precision and recall of links against true voice names (pairs of different calls)."""
    true_pairs = {(a, b) for a in range(len(truth)) for b in range(a + 1, len(truth))
                  if truth[a] == truth[b] and groups[a] != groups[b]}
    got = {(lk.a, lk.b) for lk in found}
    tp = len(true_pairs & got)
    return {"precision": tp / len(got) if got else 1.0, "recall": tp / len(true_pairs) if true_pairs else 1.0,
            "links": len(got), "true_links": len(true_pairs)}
