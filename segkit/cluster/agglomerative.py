"""Agglomerative (hierarchical) clustering: merges users bottom-up; O(n^2) memory.

The merge tree does not depend on K: building it is the expensive part (seconds at
20,000 users), cutting it at any K takes milliseconds. With a `memory` (segkit.derived_cache)
trees are kept keyed by the content of the matrix and the linkage, and a K change only re-cuts.
"""

from __future__ import annotations

import numpy as np
from scipy.cluster.hierarchy import linkage

from segkit.cluster.base import Clusterer, cluster_means, distance_confidence
from segkit.cluster.kmeans import K_SPEC
from segkit.derived_cache import Memory, get_or_build
from segkit.params import ParamSpec


def merge_tree(matrix: np.ndarray, method: str, memory: Memory | None = None) -> np.ndarray:
    """SciPy linkage matrix for `matrix`, from `memory` when the same data was seen."""
    data = np.ascontiguousarray(matrix, dtype=np.float64)
    return get_or_build(memory, "merge_trees", data, ("agglomerative", method),
                        lambda: linkage(data, method=method, metric="euclidean"))


def cut_into(tree: np.ndarray, n_samples: int, k: int) -> np.ndarray:
    """Labels after the first n - k merges: exactly k groups, even with tied heights.

    (scipy's cut_tree is exact but slow at 20k users; fcluster's maxclust may return
    fewer groups when merge heights tie.) Pointer jumping finds each leaf's root.
    """
    owner = np.arange(2 * n_samples - 1)
    merged = tree[: n_samples - k, :2].astype(np.int64)
    new_ids = n_samples + np.arange(n_samples - k)
    owner[merged[:, 0]] = new_ids
    owner[merged[:, 1]] = new_ids
    while True:
        jumped = owner[owner]
        if np.array_equal(jumped, owner):
            break
        owner = jumped
    _, labels = np.unique(owner[:n_samples], return_inverse=True)
    return labels


class AgglomerativeClusterer(Clusterer):
    name = "agglomerative"
    label = "Agglomerative"
    uses_k = True
    deterministic = True  # the merge tree does not depend on a seed
    max_samples = 20_000
    params_spec = (
        K_SPEC,
        ParamSpec("linkage", str, "ward", "How segment distance is measured.",
                  choices=("ward", "average", "complete")),
    )

    def _fit(self, matrix: np.ndarray, seed: int):
        tree = merge_tree(matrix, self.params["linkage"], self.memory)
        labels = cut_into(tree, matrix.shape[0], self.params["k"])
        centroids = cluster_means(matrix, labels)
        distances = np.linalg.norm(matrix[:, None, :] - centroids[None, :, :], axis=2) \
            if matrix.shape[0] * len(centroids) < 5_000_000 else None
        confidence = distance_confidence(distances) if distances is not None else np.ones(len(labels))
        return labels, confidence, centroids, {}
