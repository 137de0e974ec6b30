"""The two labels that are not segments, and the names every export and chart shows.

A user label is a segment id (0, 1, ...), NOISE (-1: a density method left the user
unassigned) or NOT_SEGMENTED (-2: the user has no usable text, so was never segmented).
"""

from __future__ import annotations

from collections.abc import Mapping

NOISE = -1  # label of users a density method leaves unassigned
NOT_SEGMENTED = -2  # label of users that could not be segmented (no usable text)
UNASSIGNED_NAME = "Unassigned"


def default_name(segment: int) -> str:
    """The name of a segment nobody (and no keyword) has named."""
    return f"Segment {int(segment)}"


def segment_name(segment: int, names: Mapping[int, str] | None = None) -> str:
    """The name shown for a label: its given name, else "Segment n"; "Unassigned" for any
    label below 0 (callers that show NOT_SEGMENTED differently check it first)."""
    segment = int(segment)
    if segment < 0:
        return UNASSIGNED_NAME
    return str((names or {}).get(segment, default_name(segment)))
