"""Segments at work: segment-aware recommendations, evaluated against global popularity,
for warm, thin-history and new users, leakage-free (`leakage_free_evaluation`)."""

from segkit.recommend.coldstart import (
    ColdStartReport,
    cold_start_split,
    evaluate_cold_start,
    format_cold_start,
)
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
from segkit.recommend.k_sweep import recommendation_k_sweep
from segkit.recommend.leakage_free import RecommendEvaluation, Verdict, leakage_free_evaluation
from segkit.recommend.segment_items import global_top_items, segment_top_items, segment_vs_global

__all__ = [
    "METHODS",
    "ColdStartReport",
    "RecommendEvaluation",
    "Verdict",
    "cold_start_split",
    "evaluate_cold_start",
    "format_cold_start",
    "leakage_free_evaluation",
    "recommendation_k_sweep",
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
