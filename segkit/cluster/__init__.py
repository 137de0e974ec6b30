"""Clustering backends, one file each, registered by name in registry.py."""

from segkit.cluster.base import NOISE, Clusterer, ClusteringResult
from segkit.cluster.noise import apply_noise_policy
from segkit.cluster.registry import CLUSTERERS, get_clusterer

__all__ = ["CLUSTERERS", "NOISE", "Clusterer", "ClusteringResult", "apply_noise_policy", "get_clusterer"]
