"""Seed stability: do we get the same segments if only the random seed changes?"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from segkit.cluster.registry import get_clusterer
from segkit.metrics.external import agreement


def seed_stability(matrix: np.ndarray, algorithm: str, params: dict, seeds=(0, 1, 2, 3, 4)) -> dict:
    """Mean pairwise ARI across runs with different seeds (1 = identical every time)."""
    labelings = [get_clusterer(algorithm, **params).fit(matrix, seed=s).labels for s in seeds]
    scores = [agreement(a, b) for a, b in combinations(labelings, 2)]
    return {
        "stability_ari_mean": float(np.mean(scores)),
        "stability_ari_min": float(np.min(scores)),
        "seeds": list(seeds),
    }
