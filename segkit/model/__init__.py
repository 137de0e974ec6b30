"""Saved segmentations: a safe model file, and new users assigned to its segments."""

from segkit.model.new_users import assign_users, labeled_new_rows
from segkit.model.segment_model import (
    MODEL_FORMAT,
    SegmentModel,
    assign_matrix,
    fit_model,
    load_model,
    save_model,
)

__all__ = [
    "MODEL_FORMAT",
    "SegmentModel",
    "assign_matrix",
    "assign_users",
    "fit_model",
    "labeled_new_rows",
    "load_model",
    "save_model",
]
