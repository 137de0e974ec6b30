"""Segments at work: segment-aware recommendations, evaluated against global popularity."""

from segkit.recommend.evaluate import (
    METHODS,
    RecommendationReport,
    Split,
    evaluate_recommendations,
    format_report,
    paired_bootstrap,
    recommend,
    shuffled_segments,
    split_interactions,
)
from segkit.recommend.interactions import (
    InteractionColumns,
    Interactions,
    infer_interaction_columns,
    prepare_interactions,
    segments_from_labeled,
)
from segkit.recommend.segment_items import global_top_items, segment_top_items, segment_vs_global

__all__ = [
    "METHODS",
    "InteractionColumns",
    "Interactions",
    "RecommendationReport",
    "Split",
    "evaluate_recommendations",
    "format_report",
    "global_top_items",
    "infer_interaction_columns",
    "paired_bootstrap",
    "prepare_interactions",
    "recommend",
    "segment_top_items",
    "segment_vs_global",
    "segments_from_labeled",
    "shuffled_segments",
    "split_interactions",
]
