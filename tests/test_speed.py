"""Behaviour behind the speed work (no timed asserts): sampled and shared silhouettes,
the O(n*k) metrics, the subsampled K sweep, and the fast exact helpers."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

from segkit.cluster.base import cluster_means
from segkit.metrics.internal import SilhouetteSample, ch_db_scores, internal_metrics
from segkit.metrics.sweep import SWEEP_SAMPLE, choose_k, k_sweep
from segkit.pipeline import count_distinct_points
from segkit.threads import cluster_threads


@pytest.fixture(scope="module")
def blobs():
    points, labels = make_blobs(n_samples=3000, centers=5, n_features=8, cluster_std=1.5, random_state=3)
    return points.astype(np.float32), labels


def test_sampled_silhouette_reports_its_sample_and_matches_scikit_learn(blobs):
    points, labels = blobs
    metrics = internal_metrics(points, labels, seed=7, silhouette_sample=500)
    assert metrics["silhouette_sample_size"] == 500 and metrics["silhouette_seed"] == 7
    expected = silhouette_score(points, labels, sample_size=500, random_state=7)
    assert metrics["silhouette"] == pytest.approx(expected, abs=1e-4)
    exact = internal_metrics(points, labels, silhouette_sample=10_000)
    assert exact["silhouette_sample_size"] == 3000 and exact["silhouette_seed"] is None
    assert exact["silhouette"] == pytest.approx(silhouette_score(points, labels), abs=1e-4)


def test_shared_silhouette_sample_scores_like_a_fresh_one(blobs):
    points, labels = blobs
    shared = SilhouetteSample(points, 400, seed=1)
    for k in (2, 5, 9):
        other = np.arange(len(points)) % k
        alone = internal_metrics(points, other, seed=1, silhouette_sample=400)
        reused = internal_metrics(points, other, seed=1, silhouette_sample=400, silhouette=shared)
        assert reused["silhouette"] == pytest.approx(alone["silhouette"], abs=1e-9)


def test_singletons_score_zero_like_scikit_learn(blobs):
    points, labels = blobs
    labels = labels.copy()
    labels[0] = 99  # a segment of one user
    ours = internal_metrics(points, labels, silhouette_sample=10_000)["silhouette"]
    assert ours == pytest.approx(silhouette_score(points, labels), abs=1e-4)


def test_calinski_harabasz_and_davies_bouldin_match_scikit_learn(blobs):
    points, labels = blobs
    ch, db = ch_db_scores(points, labels)
    assert ch == pytest.approx(calinski_harabasz_score(points, labels), rel=1e-5)
    assert db == pytest.approx(davies_bouldin_score(points, labels), rel=1e-4)


def test_k_sweep_on_a_subsample_still_finds_the_true_k():
    points, _ = make_blobs(n_samples=SWEEP_SAMPLE * 3, centers=6, n_features=10, cluster_std=1.0,
                           random_state=5)
    sweep = k_sweep(points.astype(np.float32), range(2, 12), seed=0)
    assert sweep.attrs["sample_size"] == SWEEP_SAMPLE and sweep.attrs["n_users"] == SWEEP_SAMPLE * 3
    assert (sweep["sample_size"] == SWEEP_SAMPLE).all()
    assert choose_k(sweep) == 6


def test_small_sweeps_use_every_user(blobs):
    points, _ = blobs
    sweep = k_sweep(points, range(2, 8), sample_size=None)
    assert sweep.attrs["sample_size"] == len(points)
    assert choose_k(sweep) == 5


def test_count_distinct_points_fast_path_is_exact():
    rng = np.random.default_rng(0)
    unique_rows = rng.normal(size=(500, 6))
    assert count_distinct_points(unique_rows) == 500
    repeated = np.vstack([unique_rows[:40]] * 3)
    assert count_distinct_points(repeated) == 40


def test_cluster_means_match_a_plain_loop(blobs):
    points, labels = blobs
    labels = labels.copy()
    labels[::7] = -1  # noise is left out
    means = cluster_means(points, labels)
    for segment in range(5):
        assert np.allclose(means[segment], points[labels == segment].mean(axis=0), atol=1e-5)


def test_cluster_threads_setting(monkeypatch):
    monkeypatch.delenv("SEGKIT_CLUSTER_THREADS", raising=False)
    assert cluster_threads() == 1
    monkeypatch.setenv("SEGKIT_CLUSTER_THREADS", "0")
    assert cluster_threads() is None
    monkeypatch.setenv("SEGKIT_CLUSTER_THREADS", "3")
    assert cluster_threads() == 3


def test_umap_warmth_is_tracked_per_neighbour_path(monkeypatch):
    import threading

    import segkit.reduce.map2d as map2d

    small, large = threading.Event(), threading.Event()
    monkeypatch.setattr(map2d, "_umap_ready", small)
    monkeypatch.setattr(map2d, "_umap_large_ready", large)
    assert not map2d.umap_is_warm(100)
    small.set()  # the warm-up's first half: exact neighbours only
    assert map2d.umap_is_warm(100) and map2d.umap_is_warm(map2d.UMAP_APPROXIMATE_FROM - 1)
    assert not map2d.umap_is_warm(20_000)  # a big upload would still compile pynndescent
    large.set()
    assert map2d.umap_is_warm(20_000)
    assert map2d.warm_up_umap() is None  # both paths compiled: nothing left to start
