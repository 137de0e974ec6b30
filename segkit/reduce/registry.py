"""The one place where reducers are registered by name."""

from __future__ import annotations

from segkit.errors import SegkitInputError
from segkit.reduce.base import Reducer
from segkit.reduce.identity import NoReducer
from segkit.reduce.pca import PcaReducer
from segkit.reduce.umap_reducer import UmapReducer

REDUCERS: dict[str, type[Reducer]] = {
    "none": NoReducer,
    "pca": PcaReducer,
    "umap": UmapReducer,
}


def get_reducer(name: str, **params) -> Reducer:
    if name not in REDUCERS:
        raise SegkitInputError(f"Unknown reducer '{name}'. Choose one of: {', '.join(REDUCERS)}.")
    return REDUCERS[name](**params)
