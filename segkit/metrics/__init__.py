"""How good is a segmentation: internal scores, agreement with a label, sweeps, stability."""

from segkit.metrics.external import agreement, external_metrics
from segkit.metrics.internal import internal_metrics
from segkit.metrics.stability import seed_stability
from segkit.metrics.sweep import choose_k, k_sweep, min_cluster_size_sweep

__all__ = [
    "agreement",
    "choose_k",
    "external_metrics",
    "internal_metrics",
    "k_sweep",
    "min_cluster_size_sweep",
    "seed_stability",
]
