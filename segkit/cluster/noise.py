"""What to do with users a density method left unassigned."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from segkit.cluster.base import NOISE, ClusteringResult, cluster_means
from segkit.errors import SegkitInputError

NOISE_POLICIES = ("keep", "reassign")


def apply_noise_policy(result: ClusteringResult, matrix: np.ndarray, policy: str) -> ClusteringResult:
    """'keep': noise stays an 'Unassigned' group; 'reassign': each goes to its nearest segment.

    Reassigned users get a low confidence (half of what a member at that distance would)
    so they remain recognisable in the export.
    """
    if policy not in NOISE_POLICIES:
        raise SegkitInputError(f"Noise policy must be one of {', '.join(NOISE_POLICIES)} (got '{policy}').")
    noise = result.labels == NOISE
    if policy == "keep" or not noise.any() or result.n_clusters == 0:
        return replace(result, extra=dict(result.extra, noise_policy=policy))
    centroids = cluster_means(matrix, result.labels)
    distances = np.linalg.norm(matrix[noise][:, None, :] - centroids[None, :, :], axis=2)
    labels = result.labels.copy()
    labels[noise] = distances.argmin(axis=1)
    confidence = result.confidence.copy()
    confidence[noise] = 0.0
    return replace(
        result,
        labels=labels,
        confidence=confidence,
        centroids=cluster_means(matrix, labels),
        extra=dict(result.extra, noise_policy=policy, reassigned=int(noise.sum())),
    )
