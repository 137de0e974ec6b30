"""One colour per segment id, the same on every chart, page and report."""

from __future__ import annotations

from collections.abc import Iterable

# Tableau-like, distinguishable on white; greys are kept for 'Unassigned'.
PALETTE = (
    "#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2", "#EECA3B", "#9D755D",
    "#FF9DA6", "#2F4B7C", "#88D27A", "#D67195", "#439894", "#FFBF79", "#8F6D31", "#83BCB6",
    "#A05195", "#F2CF5B", "#6A3D9A", "#B6992D",
)
NOISE_COLOR = "#C3C8D0"


def segment_color(segment: int) -> str:
    segment = int(segment)
    if segment < 0:
        return NOISE_COLOR
    return PALETTE[segment % len(PALETTE)]


def segment_colors(segments: Iterable[int]) -> dict[int, str]:
    return {int(s): segment_color(int(s)) for s in segments}
