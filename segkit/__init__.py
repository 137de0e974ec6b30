"""segkit: segment recommender-system users by what they write and how they behave.

A plain library (no Streamlit): every stage takes and returns pandas/numpy values.
Read the pipeline from the subpackages: io -> embed -> fuse -> reduce -> cluster ->
metrics -> describe -> export; `segkit.pipeline` strings them together.
"""

from segkit import offline as _offline  # noqa: F401  (must run before any HF import)
from segkit import openmp as _openmp  # noqa: F401  (must run before numba starts its threads)
from segkit.errors import SegkitError, SegkitInputError

__version__ = "0.1.0"

__all__ = ["SegkitError", "SegkitInputError", "__version__"]
