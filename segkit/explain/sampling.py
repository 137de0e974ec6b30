"""Which users the explanations are fitted on: every segmented user, or a seeded sample."""

from __future__ import annotations

import numpy as np

from segkit.labels import NOISE


def assigned_positions(labels: np.ndarray) -> np.ndarray:
    """Positions of users in a real segment: the unassigned (-1) and the not segmented (-2)
    belong to no segment, so no rule or classifier can be right or wrong about them."""
    return np.flatnonzero(np.asarray(labels) > NOISE)


def stratified_sample(labels: np.ndarray, positions: np.ndarray, max_users: int, seed: int = 0) -> np.ndarray:
    """`positions` when at most `max_users`; else a seeded sample of them that keeps each
    segment's share (every segment keeps at least one user), sorted."""
    positions = np.asarray(positions)
    if len(positions) <= max_users:
        return positions
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)[positions]
    picked = []
    for segment in np.unique(labels):
        members = positions[labels == segment]
        take = max(1, int(round(len(members) * max_users / len(positions))))
        picked.append(rng.choice(members, size=min(take, len(members)), replace=False))
    return np.sort(np.concatenate(picked))
