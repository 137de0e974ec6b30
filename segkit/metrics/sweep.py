"""Metric curves over K (or HDBSCAN's min_cluster_size), and the automatic K rule.

Speed: a sweep only compares K values, so it runs on a seeded subsample of at most
`sample_size` users (default 4,000) with a single K-means start per K, and scores
silhouette on at most `silhouette_sample` of those. The subsample size is recorded in
the result (`sweep.attrs["sample_size"]` and the `sample_size` column), so nobody
mistakes it for a full-data fit. The final clustering always runs on every user.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.cluster.registry import CLUSTERERS, get_clusterer
from segkit.errors import SegkitInputError
from segkit.metrics.internal import SilhouetteSample, internal_metrics
from segkit.threads import limited_threads

SWEEP_SAMPLE = 4000
SWEEP_SILHOUETTE_SAMPLE = 2000

# Callers fill {k_max}; a {sample} argument, if given, is ignored (the sweep's own sizes are used).
AUTO_K_RULE = (
    "K with the highest silhouette over K = 2..{k_max} (K-means on the clustering space, "
    f"swept on a seeded {SWEEP_SAMPLE:,}-user subsample when larger, silhouette on "
    f"{SWEEP_SILHOUETTE_SAMPLE:,} of those)"
)


def sweep_subsample(n_rows: int, sample_size: int | None, seed: int = 0) -> np.ndarray | None:
    """Sorted row indices of the sweep's subsample, or None when every row is used."""
    if not sample_size or n_rows <= sample_size:
        return None
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_rows, size=int(sample_size), replace=False))


def k_sweep(matrix: np.ndarray, k_values, algorithm: str = "kmeans", params: dict | None = None,
            seed: int = 0, silhouette_sample: int = SWEEP_SILHOUETTE_SAMPLE,
            sample_size: int | None = SWEEP_SAMPLE) -> pd.DataFrame:
    if not CLUSTERERS.get(algorithm) or not CLUSTERERS[algorithm].uses_k:
        raise SegkitInputError(f"A K sweep needs an algorithm with K; '{algorithm}' has none.")
    matrix = np.asarray(matrix, dtype=np.float32)
    n = matrix.shape[0]
    rows_used = sweep_subsample(n, sample_size, seed)
    data = matrix if rows_used is None else matrix[rows_used]
    n_used = data.shape[0]
    rows = []
    with limited_threads():
        # One distance matrix on the silhouette sample, reused for every K.
        shared = SilhouetteSample(data, silhouette_sample, seed)
        for k in k_values:
            if not 2 <= k < n_used:
                continue
            base = dict(params or {})
            base["k"] = int(k)
            if algorithm == "kmeans":
                base.setdefault("n_init", 1)  # a sweep compares K values; one k-means++ start suffices
            result = get_clusterer(algorithm, **base).fit(data, seed=seed)
            scores = internal_metrics(data, result.labels, seed=seed, silhouette_sample=silhouette_sample,
                                      silhouette=shared)
            rows.append({"k": int(k), **{key: scores[key] for key in
                         ("silhouette", "calinski_harabasz", "davies_bouldin")},
                         "inertia": result.extra.get("inertia"), "sample_size": n_used})
    if not rows:
        raise SegkitInputError(f"No K in the sweep fits the {n} users you have.")
    sweep = pd.DataFrame(rows)
    sweep.attrs["sample_size"] = n_used
    sweep.attrs["n_users"] = n
    return sweep


def choose_k(sweep: pd.DataFrame) -> int:
    """The automatic K: highest silhouette (ties go to the smaller K)."""
    valid = sweep.dropna(subset=["silhouette"])
    if valid.empty:
        return int(sweep["k"].min())
    best = valid.sort_values(["silhouette", "k"], ascending=[False, True]).iloc[0]
    return int(best["k"])


def min_cluster_size_sweep(matrix: np.ndarray, sizes, params: dict | None = None,
                           seed: int = 0, silhouette_sample: int = SWEEP_SILHOUETTE_SAMPLE) -> pd.DataFrame:
    """Segments found and noise share per min_cluster_size, so HDBSCAN's cliffs show up."""
    rows = []
    n = matrix.shape[0]
    with limited_threads():
        for size in sizes:
            if not 2 <= size <= n:
                continue
            base = dict(params or {})
            base["min_cluster_size"] = int(size)
            result = get_clusterer("hdbscan", **base).fit(matrix, seed=seed)
            scores = internal_metrics(matrix, result.labels, seed=seed, silhouette_sample=silhouette_sample)
            rows.append({"min_cluster_size": int(size), "n_segments": scores["n_segments"],
                         "noise_share": scores["noise_share"], "silhouette": scores["silhouette"]})
    return pd.DataFrame(rows)


def default_k_range(n_samples: int, k_max: int = 15) -> range:
    return range(2, max(3, min(k_max, n_samples - 1) + 1))
