"""PCA: cheap, linear, deterministic; keeps the main directions of variation."""

import numpy as np
from sklearn.decomposition import PCA

from segkit.params import ParamSpec
from segkit.reduce.base import Reducer


class PcaReducer(Reducer):
    name = "pca"
    params_spec = (
        ParamSpec("n_components", int, 50, "Dimensions kept.", minimum=2, maximum=1000),
    )

    def fit_transform(self, matrix: np.ndarray, seed: int = 0) -> np.ndarray:
        n_samples, n_features = matrix.shape
        n_components = min(self.params["n_components"], n_features, max(n_samples - 1, 1))
        if n_components >= n_features:
            return np.asarray(matrix, dtype=np.float32)
        pca = PCA(n_components=n_components, random_state=seed, svd_solver="auto")
        with np.errstate(divide="ignore", invalid="ignore"):  # zero variance (identical users): 0/0 ratios
            return pca.fit_transform(matrix).astype(np.float32)
