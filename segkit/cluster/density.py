"""Density methods: HDBSCAN and DBSCAN find segments of any shape and leave outliers out."""

import numpy as np
from sklearn.cluster import DBSCAN

from segkit.cluster.base import Clusterer
from segkit.errors import SegkitInputError
from segkit.params import ParamSpec


class HdbscanClusterer(Clusterer):
    name = "hdbscan"
    label = "HDBSCAN"
    density_based = True
    params_spec = (
        ParamSpec("min_cluster_size", int, 30, "Smallest group that counts as a segment.",
                  minimum=2, maximum=1_000_000, label="min_cluster_size"),
        # Default 10, not HDBSCAN's "same as min_cluster_size": tying the two makes a bigger
        # min_cluster_size also flag more users as noise and costs a k-NN search with a
        # large k (2-3x slower at 20k users in 5-d).
        ParamSpec("min_samples", int, 10, "How conservative: higher leaves more users unassigned "
                  "(0 = same as min_cluster_size).", minimum=0, maximum=1_000_000),
        ParamSpec("cluster_selection_epsilon", float, 0.0, "Merge segments closer than this.",
                  minimum=0.0, maximum=100.0),
        ParamSpec("cluster_selection_method", str, "eom", "eom favours a few large segments, leaf many small ones.",
                  choices=("eom", "leaf")),
    )

    def check_data(self, n_samples: int) -> None:
        super().check_data(n_samples)
        if self.params["min_cluster_size"] > n_samples:
            raise SegkitInputError(
                f"min_cluster_size ({self.params['min_cluster_size']}) is larger than the {n_samples} users you have; "
                f"choose at most {max(2, n_samples // 2)}."
            )

    def _fit(self, matrix: np.ndarray, seed: int):
        import hdbscan

        min_samples = self.params["min_samples"] or None
        # Tree-based neighbour search degrades badly in many dimensions; brute force
        # (all pairwise distances) is much faster there but needs n^2 memory, so only
        # below ~15k users. Reducing with UMAP first is the better fix (the default).
        algorithm = "generic" if matrix.shape[1] > 20 and matrix.shape[0] <= 15_000 else "best"
        model = hdbscan.HDBSCAN(
            min_cluster_size=self.params["min_cluster_size"],
            min_samples=min_samples,
            cluster_selection_epsilon=self.params["cluster_selection_epsilon"],
            cluster_selection_method=self.params["cluster_selection_method"],
            algorithm=algorithm,
            prediction_data=True,
            core_dist_n_jobs=1,
        )
        labels = model.fit_predict(matrix.astype(np.float64))
        return labels, model.probabilities_, None, {"model": model}


class DbscanClusterer(Clusterer):
    name = "dbscan"
    label = "DBSCAN"
    density_based = True
    params_spec = (
        ParamSpec("eps", float, 0.5, "Neighbourhood radius in the clustering space.", minimum=1e-6, maximum=1e6),
        ParamSpec("min_samples", int, 10, "Neighbours needed to be a core user.", minimum=1, maximum=100_000),
    )

    def _fit(self, matrix: np.ndarray, seed: int):
        model = DBSCAN(eps=self.params["eps"], min_samples=self.params["min_samples"])
        labels = model.fit_predict(matrix)
        confidence = np.where(labels >= 0, 0.5, 0.0)
        confidence[model.core_sample_indices_] = 1.0
        return labels, confidence, None, {}
