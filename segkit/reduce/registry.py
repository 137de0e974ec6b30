"""The one place where reducers are registered by name."""

from __future__ import annotations

from segkit.reduce.base import Reducer
from segkit.reduce.identity import NoReducer
from segkit.reduce.pca import PcaReducer
from segkit.reduce.umap_reducer import UmapReducer
from segkit.registry import Registry

REDUCERS = Registry("reducer", {
    "none": NoReducer,
    "pca": PcaReducer,
    "umap": UmapReducer,
})


def get_reducer(name: str, **params) -> Reducer:
    return REDUCERS.create(name, **params)
