"""The reducer interface: a matrix in, a smaller matrix out, parameters checked up front."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from segkit.params import ParamSpec, resolve_params


class Reducer(ABC):
    name: str = ""
    params_spec: tuple[ParamSpec, ...] = ()

    def __init__(self, **params) -> None:
        self.params = resolve_params(self.params_spec, params, f"Reducer '{self.name}'")

    @abstractmethod
    def fit_transform(self, matrix: np.ndarray, seed: int = 0) -> np.ndarray:
        """Return the reduced (n_samples, n_components) float32 matrix."""
