"""Bootstrap stability for deterministic methods (issue 13): meaningful, never 100% by construction."""

from __future__ import annotations

import numpy as np
import pytest

from segkit.metrics.stability import best_match_jaccard, bootstrap_stability


def blobs(n_per: int = 60, spread: float = 0.3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0], [8, 0], [0, 8]], dtype=float)
    points = np.vstack([c + rng.normal(scale=spread, size=(n_per, 2)) for c in centres])
    return points, np.repeat([0, 1, 2], n_per)


def test_best_match_jaccard_by_hand():
    reference = np.array([0, 0, 0, 1, 1, 1])
    other = np.array([5, 5, 7, 7, 7, -1])
    out = best_match_jaccard(reference, other, [0, 1])
    assert out[0] == pytest.approx(2 / 3)  # {0,1} of {0,1,2}: 2 / |{0,1,2}|
    assert out[1] == pytest.approx(2 / 4)  # {3,4} vs cluster 7 {2,3,4}: 2 / |{2,3,4,5}|


@pytest.mark.parametrize("algorithm,params", [("agglomerative", {"k": 3}),
                                              ("hdbscan", {"min_cluster_size": 15, "min_samples": 5})])
def test_clean_blobs_are_stable(algorithm, params):
    from segkit.cluster.registry import get_clusterer

    points, _ = blobs()
    labels = get_clusterer(algorithm, **params).fit(points, seed=0).labels
    result = bootstrap_stability(points, labels, algorithm, params, repeats=3)
    assert result["repeats"] == 3
    assert min(result["per_segment"].values()) > 0.9


def test_noise_is_not_stable():
    from segkit.cluster.registry import get_clusterer

    points = np.random.default_rng(1).normal(size=(240, 5))
    labels = get_clusterer("agglomerative", k=6).fit(points, seed=0).labels
    result = bootstrap_stability(points, labels, "agglomerative", {"k": 6}, repeats=4)
    assert result["overall"] < 0.9
    assert all(v < 1.0 for v in result["per_segment"].values())


def test_a_refit_that_cannot_run_gives_no_number():
    points, _ = blobs(n_per=10)
    labels = np.repeat([0, 1, 2], 10)
    # min_cluster_size 28 fits 30 users but not the 24 of an 80% resample.
    result = bootstrap_stability(points, labels, "hdbscan", {"min_cluster_size": 28}, repeats=2)
    assert result["per_segment"] == {} and result["overall"] is None and result["repeats"] == 0


def test_bootstrap_does_not_evict_cached_trees():
    from segkit.cluster.registry import get_clusterer
    from segkit.derived_cache import Memory

    memory = Memory()
    points, _ = blobs()
    labels = get_clusterer("agglomerative", k=3).fit(points, seed=0, memory=memory).labels
    assert len(memory.merge_trees._entries) == 1
    bootstrap_stability(points, labels, "agglomerative", {"k": 3}, repeats=3)  # resamples: kept nowhere
    assert len(memory.merge_trees._entries) == 1
