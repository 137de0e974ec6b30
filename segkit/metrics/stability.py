"""Seed stability: do we get the same segments if only the random seed changes?"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from segkit import waits
from segkit.cluster.registry import get_clusterer
from segkit.labels import NOISE
from segkit.metrics.external import agreement

SEED_STABILITY_SEEDS = (0, 1, 2, 3, 4)


def seed_stability(matrix: np.ndarray, algorithm: str, params: dict, seeds=SEED_STABILITY_SEEDS) -> dict:
    """Mean pairwise ARI across runs with different seeds (1 = identical every time)."""
    labelings = []
    for done, seed in enumerate(seeds, start=1):
        labelings.append(get_clusterer(algorithm, **params).fit(matrix, seed=seed).labels)
        waits.progress(done, len(seeds))  # an open wait's bar (segkit.waits.plans.refits_wait)
    scores = [agreement(a, b) for a, b in combinations(labelings, 2)]
    return {
        "stability_ari_mean": float(np.mean(scores)),
        "stability_ari_min": float(np.min(scores)),
        "seeds": list(seeds),
    }


BOOTSTRAP_FRACTION = 0.8
BOOTSTRAP_REPEATS = 4


def best_match_jaccard(reference: np.ndarray, other: np.ndarray, segments) -> dict[int, float]:
    """For each reference segment: the largest Jaccard index between its members and any
    one cluster of `other` (same users, noise -1 in `other` is no cluster)."""
    reference, other = np.asarray(reference), np.asarray(other)
    clusters = [c for c in np.unique(other) if c != NOISE]
    out = {}
    for segment in segments:
        members = reference == segment
        size = int(members.sum())
        if size == 0:
            continue
        best = 0.0
        if clusters:
            inside = other[members]
            values, overlap = np.unique(inside[inside != NOISE], return_counts=True)
            for value, common in zip(values, overlap, strict=True):
                union = size + int((other == value).sum()) - int(common)
                best = max(best, common / union)
        out[int(segment)] = float(best)
    return out


def bootstrap_stability(matrix: np.ndarray, labels: np.ndarray, algorithm: str, params: dict,
                        noise_policy: str = "keep", repeats: int = BOOTSTRAP_REPEATS,
                        fraction: float = BOOTSTRAP_FRACTION, seed: int = 0) -> dict:
    """Per-segment agreement when the method is refitted on resampled users (Hennig 2007).

    Each repeat draws a seeded `fraction` of the users without replacement, refits the
    same method with the same parameters on them, and scores each segment by its best
    Jaccard match among the new clusters (restricted to the drawn users). Per segment:
    the mean over repeats (1 = the segment comes back with exactly its members; Hennig
    calls a segment dissolved below 0.5 and stable above ~0.75-0.85). A repeat whose
    refit fails (too few users for the parameters) is skipped; a segment with no
    successful repeat gets no number.
    Returns {"per_segment": {id: mean Jaccard}, "overall": size-weighted mean or None,
    "repeats": successful repeats, "fraction": fraction, "method": "bootstrap"}.
    """
    from segkit.cluster.noise import apply_noise_policy
    from segkit.cluster.registry import CLUSTERERS
    from segkit.errors import SegkitInputError

    labels = np.asarray(labels)
    segments = sorted(int(s) for s in np.unique(labels) if s != NOISE)
    n = len(labels)
    size = int(round(fraction * n))
    rng = np.random.default_rng(seed)
    scores: dict[int, list[float]] = {s: [] for s in segments}
    done = 0
    for repeat in range(repeats):
        if repeat:
            waits.progress(repeat, repeats)  # an open wait's bar (segkit.waits.plans.refits_wait)
        pick = np.sort(rng.choice(n, size=size, replace=False))
        try:
            # No memory: the trees of throw-away resamples are never kept.
            result = get_clusterer(algorithm, **params).fit(matrix[pick], seed=int(rng.integers(2**31 - 1)))
            if CLUSTERERS[algorithm].density_based:
                result = apply_noise_policy(result, matrix[pick], noise_policy)
        except SegkitInputError:
            continue
        done += 1
        for segment, value in best_match_jaccard(labels[pick], result.labels, segments).items():
            scores[segment].append(value)
    per = {s: float(np.mean(v)) for s, v in scores.items() if v}
    sizes = {s: int((labels == s).sum()) for s in per}
    overall = (sum(per[s] * sizes[s] for s in per) / sum(sizes.values())) if per else None
    return {"per_segment": per, "overall": overall, "repeats": done, "fraction": fraction,
            "method": "bootstrap"}
