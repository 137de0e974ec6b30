"""What each segment is: keywords, representative texts, profile, name."""

from segkit.describe.keywords import segment_keywords
from segkit.describe.naming import auto_names
from segkit.describe.profile import categorical_makeup, numeric_profile
from segkit.describe.representative import representative_users
from segkit.describe.summary import SegmentSummary, describe_segments

__all__ = [
    "SegmentSummary",
    "auto_names",
    "categorical_makeup",
    "describe_segments",
    "numeric_profile",
    "representative_users",
    "segment_keywords",
]
