"""Agglomerative (hierarchical) clustering: merges users bottom-up; O(n^2) memory."""

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from segkit.cluster.base import Clusterer, cluster_means, distance_confidence
from segkit.cluster.kmeans import K_SPEC
from segkit.params import ParamSpec


class AgglomerativeClusterer(Clusterer):
    name = "agglomerative"
    label = "Agglomerative"
    uses_k = True
    max_samples = 20_000
    params_spec = (
        K_SPEC,
        ParamSpec("linkage", str, "ward", "How segment distance is measured.",
                  choices=("ward", "average", "complete")),
    )

    def _fit(self, matrix: np.ndarray, seed: int):
        model = AgglomerativeClustering(n_clusters=self.params["k"], linkage=self.params["linkage"])
        labels = model.fit_predict(matrix)
        centroids = cluster_means(matrix, labels)
        distances = np.linalg.norm(matrix[:, None, :] - centroids[None, :, :], axis=2) \
            if matrix.shape[0] * len(centroids) < 5_000_000 else None
        confidence = distance_confidence(distances) if distances is not None else np.ones(len(labels))
        return labels, confidence, centroids, {}
