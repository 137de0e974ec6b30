"""The clusterer interface, in the spirit of scikit-learn estimators.

Parameters are validated when the clusterer is built (`__init__`) and against the data
size before fitting (`check_data`); `fit` returns an immutable `ClusteringResult`
instead of mutating the estimator, so results can be cached, compared and saved.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from segkit.errors import SegkitInputError
from segkit.labels import NOISE  # noqa: F401 - re-exported
from segkit.params import ParamSpec, resolve_params


@dataclass(frozen=True)
class ClusteringResult:
    algorithm: str
    params: dict
    labels: np.ndarray  # (n,) int, NOISE for unassigned
    confidence: np.ndarray  # (n,) float in [0, 1]
    centroids: np.ndarray | None = None  # (k, d) in the clustering space, when meaningful
    extra: dict = field(default_factory=dict)

    @property
    def labels_(self) -> np.ndarray:  # scikit-learn spelling, for people used to it
        return self.labels

    @property
    def n_clusters(self) -> int:
        return int(len(np.unique(self.labels[self.labels != NOISE])))

    @property
    def noise_share(self) -> float:
        return float(np.mean(self.labels == NOISE)) if len(self.labels) else 0.0


class Clusterer(ABC):
    name: str = ""
    label: str = ""
    params_spec: tuple[ParamSpec, ...] = ()
    uses_k: bool = False  # has a number-of-segments parameter called "k"
    density_based: bool = False  # may leave users unassigned (noise)
    deterministic: bool = False  # the same labels for any seed (a seed comparison says nothing)
    assign_rule: str = "centroid"  # how a saved model assigns new users: centroid, gaussian, density
    max_samples: int | None = None  # refuse beyond this (memory), with a reason

    def __init__(self, **params) -> None:
        self.params = resolve_params(self.params_spec, params, f"Algorithm '{self.name}'")

    def check_data(self, n_samples: int) -> None:
        if n_samples < 2:
            raise SegkitInputError(f"Segmenting needs at least 2 users; there is {n_samples}.")
        if self.uses_k:
            k = self.params["k"]
            if not 2 <= k <= n_samples:
                raise SegkitInputError(
                    f"K (number of segments) must be between 2 and the {n_samples} users you have (got {k})."
                )
        if self.max_samples is not None and n_samples > self.max_samples:
            raise SegkitInputError(
                f"{self.label or self.name} needs memory that grows with the square of the number of users; "
                f"it is limited to {self.max_samples:,} users (you have {n_samples:,}). Use K-means or HDBSCAN."
            )

    memory = None  # segkit.derived_cache.Memory during `fit`, or None (keep nothing)

    def fit(self, matrix: np.ndarray, seed: int = 0, memory=None) -> ClusteringResult:
        """`memory`: where tree-based methods keep the tree they build (re-read for another K
        or min_cluster_size on the same matrix); None keeps nothing, like hdbscan's memory=."""
        matrix = np.asarray(matrix, dtype=np.float32)
        self.check_data(matrix.shape[0])
        self.memory = memory
        try:
            labels, confidence, centroids, extra = self._fit(matrix, seed)
        finally:
            self.memory = None
        labels = _relabel_by_size(np.asarray(labels, dtype=np.int64))
        # Recompute centroids after relabelling so their order matches the new ids.
        centroids = cluster_means(matrix, labels)
        return ClusteringResult(
            algorithm=self.name,
            params=dict(self.params, seed=seed),
            labels=labels,
            confidence=np.clip(np.asarray(confidence, dtype=np.float32), 0.0, 1.0),
            centroids=centroids,
            extra=extra,
        )

    @abstractmethod
    def _fit(self, matrix: np.ndarray, seed: int):
        """Return (labels, confidence, centroids or None, extra dict)."""


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Segment 0 is the largest, 1 the next...: stable ids whatever the algorithm's order."""
    out = np.full_like(labels, NOISE)
    kept = labels != NOISE
    if not kept.any():
        return out
    values, counts = np.unique(labels[kept], return_counts=True)
    order = np.lexsort((values, -counts))
    lookup = np.empty(int(values.max()) + 1, dtype=np.int64)
    lookup[values[order]] = np.arange(len(order))
    out[kept] = lookup[labels[kept]]
    return out


def cluster_means(matrix: np.ndarray, labels: np.ndarray) -> np.ndarray | None:
    kept = labels != NOISE
    if not kept.any():
        return None
    k = int(labels[kept].max()) + 1
    rows = np.flatnonzero(kept)
    # A sparse one-hot product: O(n * d), ~10x faster than np.add.at on 100k users.
    membership = sp.csr_matrix((np.ones(len(rows)), (labels[rows], rows)), shape=(k, len(labels)))
    sums = np.asarray(membership @ np.asarray(matrix, dtype=np.float64))
    counts = np.bincount(labels[kept], minlength=k).astype(np.float64)
    return (sums / np.maximum(counts, 1)[:, None]).astype(np.float32)


def distance_confidence(distances: np.ndarray) -> np.ndarray:
    """Confidence from distances to every centroid: 1 - nearest/second-nearest.

    0 means the user sits on the border between two segments, 1 means right at a centre.
    """
    if distances.shape[1] < 2:
        return np.ones(distances.shape[0], dtype=np.float32)
    part = np.partition(distances, 1, axis=1)
    nearest, second = part[:, 0], part[:, 1]
    return (1.0 - nearest / np.maximum(second, 1e-12)).astype(np.float32)
