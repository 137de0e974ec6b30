"""Charts for segmentations: functions that take data and return figures.

`figures` returns plotly figures (the dashboard); `svg` returns small inline SVG strings
(the self-contained HTML report: no JavaScript, no network). No Streamlit here.
"""

from segkit.plots.colors import NOISE_COLOR, segment_color, segment_colors
from segkit.plots.figures import (
    MAP_POINTS,
    categorical_figure,
    confusion_figure,
    contingency_figure,
    k_sweep_figure,
    map_figure,
    map_sample,
    min_cluster_size_figure,
    profile_figure,
    sankey_figure,
    sizes_figure,
)

__all__ = [
    "NOISE_COLOR",
    "categorical_figure",
    "confusion_figure",
    "contingency_figure",
    "k_sweep_figure",
    "MAP_POINTS",
    "map_figure",
    "map_sample",
    "min_cluster_size_figure",
    "profile_figure",
    "sankey_figure",
    "segment_color",
    "segment_colors",
    "sizes_figure",
]
