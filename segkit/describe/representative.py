"""The users who best represent each segment, and the review of theirs to show.

A good example is typical of its segment *and* unlike the others: members are ranked by
their margin, the distance (in the clustering space) to the nearest other segment's
centre minus the distance to their own centre. A member in the middle of a diffuse
segment that borders another has a small margin; one close to its centre and far from
every other has a large one. Density methods rank by membership probability first and
break its many ties (HDBSCAN gives 1.0 to every core member) by the same margin, never
by row order.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from segkit.cluster.base import NOISE


def segment_margins(matrix: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per user: distance to the nearest other segment's centre minus to their own (NaN for noise)."""
    labels = np.asarray(labels)
    segments = sorted(int(s) for s in np.unique(labels) if s != NOISE)
    margins = np.full(len(labels), np.nan)
    if not segments:
        return margins
    matrix = np.asarray(matrix, dtype=np.float64)
    centres = np.stack([matrix[labels == s].mean(axis=0) for s in segments])
    distances = np.sqrt(np.maximum(
        (matrix ** 2).sum(axis=1)[:, None] - 2.0 * matrix @ centres.T + (centres ** 2).sum(axis=1)[None, :], 0.0))
    row_of = {s: i for i, s in enumerate(segments)}
    for segment in segments:
        members = np.flatnonzero(labels == segment)
        own = distances[members, row_of[segment]]
        if len(segments) == 1:
            margins[members] = -own
            continue
        other = np.delete(distances[members], row_of[segment], axis=1).min(axis=1)
        margins[members] = other - own
    return margins


def representative_users(matrix: np.ndarray, labels: np.ndarray, confidence: np.ndarray,
                         density_based: bool = False, per_segment: int = 5) -> dict[int, list[int]]:
    """{segment: [user index, ...]}, best first (module docstring)."""
    return ranked_members(matrix, labels, confidence, density_based, per_segment)


def ranked_members(matrix: np.ndarray, labels: np.ndarray, confidence: np.ndarray,
                   density_based: bool = False, limit: int | None = None) -> dict[int, list[int]]:
    """{segment: its members' user indices (the best `limit` of them)}, best example first."""
    labels = np.asarray(labels)
    margins = segment_margins(matrix, labels)
    out: dict[int, list[int]] = {}
    for segment in sorted(int(s) for s in np.unique(labels) if s != NOISE):
        members = np.flatnonzero(labels == segment)
        if density_based:
            # Probabilities to 2 decimals: 0.999 and 1.0 are the same confidence, the margin decides.
            probability = np.round(np.asarray(confidence, dtype=np.float64)[members], 2)
            order = np.lexsort((members, -margins[members], -probability))
        else:
            order = np.lexsort((members, -margins[members]))
        out[segment] = [int(i) for i in members[order[:limit]]]
    return out


def pick_examples(ranked: dict[int, list[int]], user_texts: list[str],
                  best_review: Callable[[int, str], tuple[str, float]], per_segment: int = 5,
                  max_look: int = 20) -> dict[int, list[tuple[int, str]]]:
    """{segment: [(user index, text shown), ...]}.

    Of each segment's `max_look` best-ranked members (typical and far from the other
    segments in the clustering space), those whose best review (`best_review(segment, user
    text)` -> (text, score)) holds most of the segment's distinctive terms come first; equal
    scores keep the rank order. Members without text, and texts already shown for the
    segment, are skipped. (On the labelled benchmark sets this pick agreed with the
    segment's majority label more often than the margin alone: bench/describe_quality.py.)
    """
    out: dict[int, list[tuple[int, str]]] = {}
    for segment, members in ranked.items():
        looked = []
        for rank, user in enumerate(members[:max_look]):
            text, score = best_review(segment, user_texts[user]) if user_texts[user] else ("", 0.0)
            looked.append((-score, rank, user, text))
        chosen: list[tuple[int, str]] = []
        seen: set[str] = set()
        for _, _, user, text in sorted(looked):
            key = " ".join(text.lower().split())
            if not key or key in seen:
                continue
            seen.add(key)
            chosen.append((user, text))
            if len(chosen) >= per_segment:
                break
        out[segment] = chosen
    return out
