"""segkit: segment recommender-system users by what they write and how they behave.

A plain library (no Streamlit): every stage takes and returns pandas/numpy values.
Read the pipeline from the subpackages: io -> embed -> fuse -> reduce -> cluster ->
metrics -> describe -> export; `segkit.pipeline` strings them together.

Importing it changes nothing in the process: the entry points (CLI, dashboard) apply the
process-wide settings first (`segkit.runtime.configure_process`).
"""

from segkit.errors import SegkitError, SegkitInputError

__version__ = "0.1.0"

__all__ = ["SegkitError", "SegkitInputError", "__version__"]
