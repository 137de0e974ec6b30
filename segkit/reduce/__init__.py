"""Optional dimensionality reduction before clustering, and the 2-D map for display."""

from segkit.reduce.base import Reducer
from segkit.reduce.map2d import project_2d, warm_up_umap
from segkit.reduce.registry import REDUCERS, get_reducer

__all__ = ["REDUCERS", "Reducer", "get_reducer", "project_2d", "warm_up_umap"]
