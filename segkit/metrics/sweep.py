"""Metric curves over K (or HDBSCAN's min_cluster_size), and the automatic K rule.

Speed: a sweep only compares K values, so it runs on a seeded subsample of at most
`sample_size` users (default 4,000) with a single K-means start per K, and scores
silhouette on at most `silhouette_sample` of those. The subsample size is recorded in
the result (`sweep.attrs["sample_size"]` and the `sample_size` column), so nobody
mistakes it for a full-data fit. The final clustering always runs on every user.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segkit import waits
from segkit.cluster.registry import CLUSTERERS, get_clusterer
from segkit.derived_cache import Memory
from segkit.errors import SegkitInputError
from segkit.metrics.internal import SilhouetteSample, internal_metrics
from segkit.threads import limited_threads

SWEEP_SAMPLE = 4000
SWEEP_SILHOUETTE_SAMPLE = 2000

# Callers fill {k_max}; a {sample} argument, if given, is ignored (the sweep's own sizes are used).
AUTO_K_RULE = (
    "K in 2..{k_max} (at most sqrt(users/2)) where K-means' silhouette most exceeds the silhouette K-means gets on "
    "cluster-free data of the same shape (a Gaussian with the users' mean and covariance); "
    f"swept on a seeded {SWEEP_SAMPLE:,}-user subsample when larger, silhouette on "
    f"{SWEEP_SILHOUETTE_SAMPLE:,} of those; K = 2 only with a clear grouping (silhouette at least 0.25)"
)
# Kaufman & Rousseeuw's reading of the silhouette: below 0.25 no substantial structure.
WEAK_SILHOUETTE = 0.25
# An excess over the cluster-free reference this small is within its sampling noise
# (tests/test_auto_k.py measures it on Gaussian data): then no K stands out.
NO_STRUCTURE_EXCESS = 0.01
READABLE_K = 6  # the K used when the data shows no grouping at all


def gaussian_reference(data: np.ndarray, seed: int = 0) -> np.ndarray:
    """Cluster-free data of the same shape: a Gaussian with `data`'s mean and covariance."""
    rng = np.random.default_rng(seed + 7919)
    data = np.asarray(data, dtype=np.float64)
    cov = np.atleast_2d(np.cov(data, rowvar=False))
    return rng.multivariate_normal(data.mean(axis=0), cov, size=data.shape[0], method="eigh").astype(np.float32)


def sweep_subsample(n_rows: int, sample_size: int | None, seed: int = 0) -> np.ndarray | None:
    """Sorted row indices of the sweep's subsample, or None when every row is used."""
    if not sample_size or n_rows <= sample_size:
        return None
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_rows, size=int(sample_size), replace=False))


def k_sweep(matrix: np.ndarray, k_values, algorithm: str = "kmeans", params: dict | None = None,
            seed: int = 0, silhouette_sample: int = SWEEP_SILHOUETTE_SAMPLE,
            sample_size: int | None = SWEEP_SAMPLE, reference: bool = True, memory=None) -> pd.DataFrame:
    """Metrics per K on a seeded subsample. With `reference` (K-means only), also the
    silhouette on cluster-free data of the same shape and the excess over it, which the
    automatic K rule ranks by. Tree methods build their tree once per sweep (in `memory`,
    else in one made for the sweep) and cut it at every K."""
    if not CLUSTERERS.get(algorithm) or not CLUSTERERS[algorithm].uses_k:
        raise SegkitInputError(f"A K sweep needs an algorithm with K; '{algorithm}' has none.")
    matrix = np.asarray(matrix, dtype=np.float32)
    n = matrix.shape[0]
    rows_used = sweep_subsample(n, sample_size, seed)
    data = matrix if rows_used is None else matrix[rows_used]
    n_used = data.shape[0]
    memory = Memory() if memory is None else memory
    rows = []
    with limited_threads():
        # One distance matrix on the silhouette sample, reused for every K.
        shared = SilhouetteSample(data, silhouette_sample, seed)
        with_reference = reference and algorithm == "kmeans" and data.shape[1] > 0
        if with_reference:
            null = gaussian_reference(data, seed)
            null_shared = SilhouetteSample(null, silhouette_sample, seed)
        fitted = [int(k) for k in k_values if 2 <= k < n_used]
        for k in fitted:
            base = dict(params or {})
            base["k"] = int(k)
            if algorithm == "kmeans":
                base.setdefault("n_init", 1)  # a sweep compares K values; one k-means++ start suffices
            result = get_clusterer(algorithm, **base).fit(data, seed=seed, memory=memory)
            scores = internal_metrics(data, result.labels, seed=seed, silhouette_sample=silhouette_sample,
                                      silhouette=shared)
            row = {"k": int(k), **{key: scores[key] for key in ("silhouette", "calinski_harabasz", "davies_bouldin")},
                   "inertia": result.extra.get("inertia"), "sample_size": n_used}
            if with_reference:
                null_labels = get_clusterer("kmeans", k=int(k), n_init=1).fit(null, seed=seed).labels
                null_score = null_shared.score(null_labels)
                row["reference_silhouette"] = null_score
                if row["silhouette"] is not None and null_score is not None:
                    row["silhouette_excess"] = row["silhouette"] - null_score
            rows.append(row)
            # The open wait's progress, weighted by K (a fit's cost grows with it).
            waits.progress(sum(fitted[:len(rows)]), sum(fitted))
    if not rows:
        raise SegkitInputError(f"No K in the sweep fits the {n} users you have.")
    sweep = pd.DataFrame(rows)
    sweep.attrs["sample_size"] = n_used
    sweep.attrs["n_users"] = n
    return sweep


def choose_k(sweep: pd.DataFrame) -> int:
    """The automatic K (segkit's one rule; see `AUTO_K_RULE` and `auto_k`)."""
    return auto_k_from_sweep(sweep).k


@dataclass(frozen=True)
class AutoK:
    k: int
    sweep: pd.DataFrame
    silhouette: float | None  # at the chosen K, on the sweep's sample
    excess: float | None  # over the cluster-free reference, at the chosen K
    strength: str  # "clear", "weak" or "none": how much grouping the data shows
    note: str  # one sentence for people: what was chosen and how sure it is


def auto_k_from_sweep(sweep: pd.DataFrame) -> AutoK:
    """Rank K by silhouette excess over the reference (ties to the smaller K). A sweep
    without the reference (other algorithms) falls back to the highest silhouette."""
    score = "silhouette_excess" if "silhouette_excess" in sweep.columns else "silhouette"
    valid = sweep.dropna(subset=[score])
    if valid.empty:
        k = int(sweep["k"].min())
        return AutoK(k, sweep, None, None, "none", f"K = {k}: no silhouette could be computed.")
    ranked = valid.sort_values([score, "k"], ascending=[False, True])
    best = ranked.iloc[0]
    if int(best["k"]) == 2 and float(best["silhouette"]) < WEAK_SILHOUETTE and len(ranked) > 1:
        # Two segments is the least informative split and the one a dominant direction
        # (review length, overall sentiment) produces without any groups: it must be clear.
        best = ranked[ranked["k"] > 2].iloc[0]
    k, silhouette = int(best["k"]), float(best["silhouette"])
    excess = float(best[score]) if score == "silhouette_excess" else None
    if excess is not None and excess < NO_STRUCTURE_EXCESS and READABLE_K in set(valid["k"]):
        row = valid[valid["k"] == READABLE_K].iloc[0]
        return AutoK(READABLE_K, sweep, float(row["silhouette"]), float(row[score]), "none",
                     f"No grouping: at no K do segments separate better than in cluster-free data of the same "
                     f"shape; K = {READABLE_K} was chosen for readability. See the K sweep.")
    if silhouette < WEAK_SILHOUETTE:
        return AutoK(k, sweep, silhouette, excess, "weak",
                     f"No strong grouping (silhouette {silhouette:.2f}, below 0.25): K = {k} is where segments "
                     "stand out most from cluster-free data of the same shape. Other K values are nearly as "
                     "good; see the K sweep.")
    return AutoK(k, sweep, silhouette, excess, "clear",
                 f"Clear grouping: K = {k} (silhouette {silhouette:.2f}).")


def auto_k(matrix: np.ndarray, k_max: int = 15, seed: int = 0, n_distinct: int | None = None) -> AutoK:
    """The automatic K for a clustering space, as the pipeline, the dashboard and Spark use it."""
    n = matrix.shape[0] if n_distinct is None else min(matrix.shape[0], n_distinct + 1)
    return auto_k_from_sweep(k_sweep(matrix, default_k_range(n, k_max), "kmeans", seed=seed))


def min_cluster_size_sweep(matrix: np.ndarray, sizes, params: dict | None = None,
                           seed: int = 0, silhouette_sample: int = SWEEP_SILHOUETTE_SAMPLE,
                           memory=None) -> pd.DataFrame:
    """Segments found and noise share per min_cluster_size, so HDBSCAN's cliffs show up
    (one single-linkage tree per sweep, re-condensed per size)."""
    memory = Memory() if memory is None else memory
    rows = []
    n = matrix.shape[0]
    with limited_threads():
        for size in sizes:
            if not 2 <= size <= n:
                continue
            base = dict(params or {})
            base["min_cluster_size"] = int(size)
            result = get_clusterer("hdbscan", **base).fit(matrix, seed=seed, memory=memory)
            scores = internal_metrics(matrix, result.labels, seed=seed, silhouette_sample=silhouette_sample)
            rows.append({"min_cluster_size": int(size), "n_segments": scores["n_segments"],
                         "noise_share": scores["noise_share"], "silhouette": scores["silhouette"]})
    return pd.DataFrame(rows)


def default_k_range(n_samples: int, k_max: int = 15) -> range:
    """K = 2..k_max, capped at sqrt(n/2) (the usual rule of thumb): on a small file a high K
    means segments of a handful of users, whose silhouette says little."""
    cap = int(np.sqrt(max(n_samples, 0) / 2))
    return range(2, max(3, min(k_max, n_samples - 1, cap) + 1))
