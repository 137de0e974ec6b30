"""K-means and its mini-batch variant: spherical segments, one per K, every user assigned."""

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans

from segkit.cluster.base import Clusterer, distance_confidence
from segkit.params import ParamSpec

K_SPEC = ParamSpec("k", int, 6, "How many segments to find.", minimum=2,
                   label="K (number of segments)")


class KMeansClusterer(Clusterer):
    name = "kmeans"
    label = "K-means"
    uses_k = True
    params_spec = (
        K_SPEC,
        ParamSpec("n_init", int, 2, "Restarts; the best is kept.", minimum=1, maximum=50),
    )

    def _fit(self, matrix: np.ndarray, seed: int):
        model = KMeans(n_clusters=self.params["k"], n_init=self.params["n_init"], random_state=seed)
        labels = model.fit_predict(matrix)
        distances = model.transform(matrix)
        return labels, distance_confidence(distances), model.cluster_centers_, {"inertia": float(model.inertia_)}


class MiniBatchKMeansClusterer(Clusterer):
    name = "minibatch_kmeans"
    label = "Mini-batch K-means"
    uses_k = True
    params_spec = (
        K_SPEC,
        ParamSpec("batch_size", int, 2048, "Users per update step.", minimum=64, maximum=100_000),
    )

    def _fit(self, matrix: np.ndarray, seed: int):
        model = MiniBatchKMeans(n_clusters=self.params["k"], batch_size=self.params["batch_size"],
                                n_init=3, random_state=seed)
        labels = model.fit_predict(matrix)
        distances = model.transform(matrix)
        return labels, distance_confidence(distances), model.cluster_centers_, {"inertia": float(model.inertia_)}
