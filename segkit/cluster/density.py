"""Density methods: HDBSCAN and DBSCAN find segments of any shape and leave outliers out."""

import numpy as np
from sklearn.cluster import DBSCAN

from segkit.cluster.base import Clusterer
from segkit.derived_cache import get_or_build
from segkit.errors import SegkitInputError
from segkit.params import ParamSpec


class HdbscanClusterer(Clusterer):
    name = "hdbscan"
    label = "HDBSCAN"
    density_based = True
    deterministic = True
    assign_rule = "density"
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
        data = np.ascontiguousarray(matrix, dtype=np.float64)
        n = data.shape[0]
        # hdbscan's own rules: min_samples falls back to min_cluster_size, capped at n - 1.
        min_samples = max(1, min(self.params["min_samples"] or self.params["min_cluster_size"], n - 1))
        # Tree-based neighbour search degrades badly in many dimensions; brute force
        # (all pairwise distances) is much faster there but needs n^2 memory, so only
        # below ~15k users. Reducing with UMAP first is the better fix (the default).
        algorithm = "generic" if data.shape[1] > 20 and n <= 15_000 else "best"
        selection = {
            "min_cluster_size": self.params["min_cluster_size"],
            "cluster_selection_epsilon": self.params["cluster_selection_epsilon"],
            "cluster_selection_method": self.params["cluster_selection_method"],
        }
        fits = []

        def fit_whole():
            fits.append(_hdbscan_model(min_samples, algorithm, **selection).fit(data))
            return fits[-1]

        relabel = _tree_to_labels()
        tree = None if relabel is None else get_or_build(
            self.memory, "linkage_trees", data, ("hdbscan", min_samples, algorithm),
            lambda: fit_whole().single_linkage_tree_.to_numpy())
        if relabel is None or fits:
            # No split API (fit whole every time), or the tree was just built by a full
            # fit that already holds this setting's labels: no second condense.
            model = fits[-1] if fits else fit_whole()
            return model.labels_, model.probabilities_, None, {}
        labels, probabilities, *_ = relabel(data, tree, **selection)
        return labels, probabilities, None, {}


# The single-linkage tree over mutual reachability depends on the data and min_samples
# only; min_cluster_size and the selection method just condense and read it. Kept in the
# caller's memory (Memory.linkage_trees), it turns a min_cluster_size move from a full fit
# (0.5 s at 20k users, ~10 s at 100k) into a re-condense (~50 ms / ~300 ms).


def _hdbscan_model(min_samples: int, algorithm: str, **selection):
    import hdbscan

    return hdbscan.HDBSCAN(min_samples=min_samples, algorithm=algorithm, core_dist_n_jobs=1, **selection)


def _tree_to_labels():
    """hdbscan's step from a single-linkage tree to labels and membership strengths.

    It is a private function of hdbscan (stable since 0.8.x); when a release moves it,
    segkit falls back to full fits, and tests/test_cluster.py compares both paths.
    """
    try:
        from hdbscan.hdbscan_ import _tree_to_labels as tree_to_labels
    except ImportError:
        return None
    return tree_to_labels


class DbscanClusterer(Clusterer):
    name = "dbscan"
    label = "DBSCAN"
    density_based = True
    deterministic = True
    assign_rule = "density"
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
