"""The users who best represent each segment (nearest its centre, most confident)."""

from __future__ import annotations

import numpy as np

from segkit.cluster.base import NOISE


def representative_users(matrix: np.ndarray, labels: np.ndarray, confidence: np.ndarray,
                         density_based: bool = False, per_segment: int = 5) -> dict[int, list[int]]:
    """{segment: [user index, ...]}, best first.

    Centroid methods: nearest the segment mean. Density methods: highest membership
    (their segments need not be round, so the mean can lie outside the segment).
    """
    out: dict[int, list[int]] = {}
    for segment in sorted(int(s) for s in np.unique(labels) if s != NOISE):
        members = np.flatnonzero(labels == segment)
        if density_based:
            order = np.argsort(-confidence[members], kind="stable")
        else:
            centre = matrix[members].mean(axis=0)
            order = np.argsort(np.linalg.norm(matrix[members] - centre, axis=1), kind="stable")
        out[segment] = [int(i) for i in members[order[:per_segment]]]
    return out
