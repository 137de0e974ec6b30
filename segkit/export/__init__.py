"""What leaves segkit: the labeled rows, the segment summary, the run config."""

from segkit.export.labeled import STATUS_COLUMN, labeled_rows, user_rows
from segkit.export.safe import neutralise_formulas, to_safe_csv

__all__ = ["STATUS_COLUMN", "labeled_rows", "neutralise_formulas", "to_safe_csv", "user_rows"]
