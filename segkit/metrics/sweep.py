"""Metric curves over K (or HDBSCAN's min_cluster_size), and the automatic K rule."""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.cluster.registry import CLUSTERERS, get_clusterer
from segkit.errors import SegkitInputError
from segkit.metrics.internal import internal_metrics

AUTO_K_RULE = (
    "K with the highest silhouette over K = 2..{k_max} (K-means on the clustering space, "
    "silhouette on a {sample}-user sample when larger)"
)


def k_sweep(matrix: np.ndarray, k_values, algorithm: str = "kmeans", params: dict | None = None,
            seed: int = 0, silhouette_sample: int = 2000) -> pd.DataFrame:
    if not CLUSTERERS.get(algorithm) or not CLUSTERERS[algorithm].uses_k:
        raise SegkitInputError(f"A K sweep needs an algorithm with K; '{algorithm}' has none.")
    n = matrix.shape[0]
    rows = []
    for k in k_values:
        if not 2 <= k < n:
            continue
        base = dict(params or {})
        base["k"] = int(k)
        if algorithm == "kmeans":
            base.setdefault("n_init", 2)  # a sweep compares K values; fewer restarts suffice
        result = get_clusterer(algorithm, **base).fit(matrix, seed=seed)
        scores = internal_metrics(matrix, result.labels, seed=seed, silhouette_sample=silhouette_sample)
        rows.append({"k": int(k), **{key: scores[key] for key in
                     ("silhouette", "calinski_harabasz", "davies_bouldin")},
                     "inertia": result.extra.get("inertia")})
    if not rows:
        raise SegkitInputError(f"No K in the sweep fits the {n} users you have.")
    return pd.DataFrame(rows)


def choose_k(sweep: pd.DataFrame) -> int:
    """The automatic K: highest silhouette (ties go to the smaller K)."""
    valid = sweep.dropna(subset=["silhouette"])
    if valid.empty:
        return int(sweep["k"].min())
    best = valid.sort_values(["silhouette", "k"], ascending=[False, True]).iloc[0]
    return int(best["k"])


def min_cluster_size_sweep(matrix: np.ndarray, sizes, params: dict | None = None,
                           seed: int = 0, silhouette_sample: int = 2000) -> pd.DataFrame:
    """Segments found and noise share per min_cluster_size, so HDBSCAN's cliffs show up."""
    rows = []
    n = matrix.shape[0]
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
