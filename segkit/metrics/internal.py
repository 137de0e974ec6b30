"""Silhouette, Calinski-Harabasz and Davies-Bouldin, in the space the clustering ran in.

Silhouette is O(n^2): exact up to `silhouette_sample` users, a seeded random sample
beyond (30-45 s exact at 50k users vs well under 0.1 s on the default 2,000 sample); the sample
size and seed are part of the result so nobody mistakes an estimate for an exact value.
The sample is the one scikit-learn's `silhouette_score(sample_size=..., random_state=seed)`
draws, so the numbers are the same; the computation is ours: one pairwise-distance
matrix and a matrix product per labelling, which also lets a K sweep reuse the
distances for every K (`SilhouetteSample`).
Calinski-Harabasz and Davies-Bouldin are O(n * k) and always use every user.
Users a density method left unassigned are excluded from these scores; their share is
reported as `noise_share` instead.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from segkit.cluster.base import NOISE
from segkit.threads import limited_threads

DEFAULT_SILHOUETTE_SAMPLE = 2000


def sample_rows(n_rows: int, sample_size: int | None, seed: int = 0) -> np.ndarray | None:
    """The rows a sampled silhouette uses (scikit-learn's draw), or None for all rows."""
    if sample_size is None or n_rows <= sample_size:
        return None
    return np.random.RandomState(seed).permutation(n_rows)[:sample_size]


def pairwise_euclidean(points: np.ndarray) -> np.ndarray:
    """(m, m) Euclidean distances in float32 (m is at most a few thousand), computed in place.

    Centred first, which keeps the |x|^2 + |y|^2 - 2 x.y expansion accurate in float32
    (silhouettes agree with scikit-learn's float64 ones to about 1e-5)."""
    x = np.asarray(points, dtype=np.float32)
    x = x - x.mean(axis=0, dtype=np.float64).astype(np.float32)
    squared = np.einsum("ij,ij->i", x, x)
    distances = x @ x.T
    distances *= -2.0
    distances += squared[:, None]
    distances += squared[None, :]
    np.maximum(distances, 0.0, out=distances)
    np.fill_diagonal(distances, 0.0)
    return np.sqrt(distances, out=distances)


def silhouette_from_distances(distances: np.ndarray, labels: np.ndarray) -> float | None:
    """Mean silhouette from a precomputed distance matrix (same definition as scikit-learn:
    a user alone in its segment scores 0). None when fewer than 2 segments are present."""
    labels = np.asarray(labels)
    values, codes = np.unique(labels, return_inverse=True)
    k = len(values)
    if k < 2 or k >= len(labels):
        return None
    one_hot = np.zeros((len(labels), k), dtype=distances.dtype)
    one_hot[np.arange(len(labels)), codes] = 1.0
    sums = (distances @ one_hot).astype(np.float64)  # (m, k): total distance from each user to each segment
    sizes = one_hot.sum(axis=0)
    rows = np.arange(len(labels))
    own_size = sizes[codes]
    intra = sums[rows, codes] / np.maximum(own_size - 1, 1)
    means = sums / sizes[None, :]
    means[rows, codes] = np.inf
    inter = means.min(axis=1)
    denominator = np.maximum(intra, inter)
    scores = np.where(denominator > 0, (inter - intra) / np.where(denominator > 0, denominator, 1.0), 0.0)
    scores[own_size <= 1] = 0.0
    return float(np.mean(np.nan_to_num(scores)))


class SilhouetteSample:
    """Distances among a fixed seeded sample of users, computed once and reused to score
    any number of labellings of the same matrix (a K sweep scores 14 from one matrix)."""

    def __init__(self, matrix: np.ndarray, sample_size: int | None, seed: int = 0) -> None:
        self.rows = sample_rows(matrix.shape[0], sample_size, seed)
        points = matrix if self.rows is None else matrix[self.rows]
        self.size = int(points.shape[0])
        self.seed = seed
        self.sampled = self.rows is not None
        with limited_threads():
            self.distances = pairwise_euclidean(points)

    def score(self, labels: np.ndarray) -> float | None:
        labels = np.asarray(labels)
        return silhouette_from_distances(self.distances, labels if self.rows is None else labels[self.rows])


def internal_metrics(matrix: np.ndarray, labels: np.ndarray, seed: int = 0,
                     silhouette_sample: int = DEFAULT_SILHOUETTE_SAMPLE,
                     silhouette: SilhouetteSample | None = None) -> dict:
    """`silhouette`, when given, must have been built on this matrix; it is only used when
    every user is assigned (its sample then matches the rows scored here)."""
    labels = np.asarray(labels)
    kept = labels != NOISE
    n_segments = int(len(np.unique(labels[kept])))
    result = {
        "n_segments": n_segments,
        "noise_share": float(1 - kept.mean()) if len(labels) else 0.0,
        "silhouette": None,
        "silhouette_sample_size": None,
        "silhouette_seed": None,
        "calinski_harabasz": None,
        "davies_bouldin": None,
    }
    n_kept = int(kept.sum())
    if n_segments < 2 or n_segments >= n_kept:
        return result
    x, y = np.asarray(matrix[kept], dtype=np.float32), labels[kept]
    with limited_threads():
        if silhouette is None or not kept.all():
            silhouette = SilhouetteSample(x, silhouette_sample, seed)
        result["silhouette"] = silhouette.score(y)
        result["silhouette_sample_size"] = silhouette.size
        if silhouette.sampled:
            result["silhouette_seed"] = silhouette.seed
        # Both are O(n * k): exact on every user.
        result["calinski_harabasz"], result["davies_bouldin"] = ch_db_scores(x, y)
    return result


def ch_db_scores(matrix: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Calinski-Harabasz and Davies-Bouldin (scikit-learn's definitions) in one O(n * k * d) pass.

    Written out because the scikit-learn versions recompute per-segment distances with
    input validation each time; here the segment sums come from one sparse product.
    """
    x = np.asarray(matrix, dtype=np.float64)
    values, codes = np.unique(np.asarray(labels), return_inverse=True)
    n, k = x.shape[0], len(values)
    if k < 2 or k >= n:
        return None, None
    membership = sp.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(k, n))
    sizes = np.bincount(codes, minlength=k).astype(np.float64)
    centroids = np.asarray(membership @ x) / sizes[:, None]
    overall = x.mean(axis=0)
    residuals = x - centroids[codes]
    within = float(np.einsum("ij,ij->", residuals, residuals))
    between = float((sizes * ((centroids - overall) ** 2).sum(axis=1)).sum())
    ch = 1.0 if within == 0.0 else between * (n - k) / (within * (k - 1.0))
    intra = np.bincount(codes, weights=np.sqrt(np.einsum("ij,ij->i", residuals, residuals)), minlength=k) / sizes
    squared = (centroids ** 2).sum(axis=1)
    gaps = np.sqrt(np.maximum(squared[:, None] + squared[None, :] - 2.0 * centroids @ centroids.T, 0.0))
    np.fill_diagonal(gaps, 0.0)
    if np.allclose(intra, 0) or np.allclose(gaps, 0):
        return float(ch), 0.0
    gaps[gaps == 0] = np.inf
    db = float(np.mean(np.max((intra[:, None] + intra[None, :]) / gaps, axis=1)))
    return float(ch), db
