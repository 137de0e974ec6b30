"""No reduction: cluster in the fused space itself."""

import numpy as np

from segkit.reduce.base import Reducer


class NoReducer(Reducer):
    name = "none"

    def fit_transform(self, matrix: np.ndarray, seed: int = 0) -> np.ndarray:
        return np.asarray(matrix, dtype=np.float32)
