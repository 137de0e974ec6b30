"""Gaussian mixture: soft, elliptical segments with a membership probability per user."""

from sklearn.mixture import GaussianMixture

from segkit.cluster.base import Clusterer
from segkit.cluster.kmeans import K_SPEC
from segkit.params import ParamSpec


class GaussianMixtureClusterer(Clusterer):
    name = "gmm"
    label = "Gaussian mixture"
    uses_k = True
    assign_rule = "gaussian"
    params_spec = (
        K_SPEC,
        ParamSpec("covariance_type", str, "diag", "Shape of each segment.",
                  choices=("diag", "spherical", "full", "tied")),
    )

    def _fit(self, matrix, seed: int):
        model = GaussianMixture(n_components=self.params["k"], covariance_type=self.params["covariance_type"],
                                random_state=seed, reg_covar=1e-4, n_init=1)
        model.fit(matrix)
        probabilities = model.predict_proba(matrix)
        return probabilities.argmax(axis=1), probabilities.max(axis=1), model.means_, {}
