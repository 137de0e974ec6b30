import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segkit.cluster import CLUSTERERS, NOISE, apply_noise_policy, get_clusterer
from segkit.errors import SegkitInputError
from segkit.metrics import external_metrics, internal_metrics, seed_stability
from segkit.metrics.sweep import choose_k, k_sweep, min_cluster_size_sweep

PARAMS = {
    "kmeans": {"k": 3}, "minibatch_kmeans": {"k": 3, "batch_size": 64}, "agglomerative": {"k": 3},
    "gmm": {"k": 3}, "hdbscan": {"min_cluster_size": 10}, "dbscan": {"eps": 2.5, "min_samples": 5},
}


def test_every_registered_clusterer_has_test_params():
    assert set(PARAMS) == set(CLUSTERERS)


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_recovers_separated_blobs(name, blobs):
    points, truth = blobs
    result = get_clusterer(name, **PARAMS[name]).fit(points, seed=0)
    assert result.labels.shape == (120,)
    assert external_metrics(result.labels, truth.astype(str))["ari"] >= 0.9
    assert ((result.confidence >= 0) & (result.confidence <= 1)).all()
    sizes = np.bincount(result.labels[result.labels >= 0])
    assert (np.diff(sizes) <= 0).all()  # segment 0 is the largest, then 1, ...: stable ids for any algorithm


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_same_seed_same_labels(name, blobs):
    points, _ = blobs
    a = get_clusterer(name, **PARAMS[name]).fit(points, seed=3)
    b = get_clusterer(name, **PARAMS[name]).fit(points, seed=3)
    assert np.array_equal(a.labels, b.labels)


def test_segment_zero_is_largest(blobs):
    points, _ = blobs
    extra = np.vstack([points, points[:40] + 0.01])
    labels = get_clusterer("kmeans", k=3).fit(extra).labels
    sizes = np.bincount(labels)
    assert list(sizes) == sorted(sizes, reverse=True)


@pytest.mark.parametrize("name,params,message", [
    ("kmeans", {"k": 500}, "K \\(number of segments\\) must be between 2 and the 120 users"),
    ("kmeans", {"k": 1}, "at least 2"),
    ("kmeans", {"k": "many"}, "must be a int"),
    ("kmeans", {"clusters": 3}, "has no parameter clusters"),
    ("hdbscan", {"min_cluster_size": 1000}, "larger than the 120 users"),
    ("agglomerative", {"k": 3, "linkage": "single"}, "must be one of ward, average, complete"),
    ("spectral", {}, "Unknown algorithm 'spectral'"),
])
def test_bad_parameters_explained(name, params, message, blobs):
    points, _ = blobs
    with pytest.raises(SegkitInputError, match=message):
        get_clusterer(name, **params).fit(points)


def test_agglomerative_refuses_too_many_users():
    clusterer = get_clusterer("agglomerative", k=3)
    with pytest.raises(SegkitInputError, match="limited to 20,000 users"):
        clusterer.check_data(50_000)


def test_noise_policy_reassign_leaves_no_noise(blobs):
    points, _ = blobs
    noisy = np.vstack([points, np.array([[30, 30, 30, 30, 30], [-30, 0, 0, 0, 30]], dtype=np.float32)])
    result = get_clusterer("hdbscan", min_cluster_size=10).fit(noisy)
    assert (result.labels == NOISE).any()
    kept = apply_noise_policy(result, noisy, "keep")
    assert np.array_equal(kept.labels, result.labels)
    moved = apply_noise_policy(result, noisy, "reassign")
    assert not (moved.labels == NOISE).any()
    assert (moved.confidence[result.labels == NOISE] == 0).all()
    with pytest.raises(SegkitInputError, match="Noise policy"):
        apply_noise_policy(result, noisy, "drop")


def test_internal_metrics_exclude_noise_and_sample(blobs):
    points, truth = blobs
    labels = truth.copy()
    labels[:5] = NOISE
    metrics = internal_metrics(points, labels)
    assert metrics["noise_share"] == pytest.approx(5 / 120)
    assert metrics["silhouette"] > 0.5 and metrics["silhouette_sample_size"] == 115
    sampled = internal_metrics(points, labels, silhouette_sample=50, seed=1)
    assert sampled["silhouette_sample_size"] == 50 and sampled["silhouette_seed"] == 1


def test_internal_metrics_single_segment_is_none(blobs):
    points, _ = blobs
    assert internal_metrics(points, np.zeros(120, dtype=int))["silhouette"] is None


@settings(max_examples=25, deadline=None)
@given(st.permutations([0, 1, 2]))
def test_metrics_invariant_to_label_permutation(permutation):
    rng = np.random.default_rng(0)
    points = rng.normal(size=(60, 4)).astype(np.float32)
    labels = np.repeat([0, 1, 2], 20)
    points[labels == 1] += 4
    permuted = np.array(permutation)[labels]
    a, b = internal_metrics(points, labels), internal_metrics(points, permuted)
    for key in ("silhouette", "calinski_harabasz", "davies_bouldin"):
        assert a[key] == pytest.approx(b[key])
    assert external_metrics(permuted, labels.astype(str))["ari"] == pytest.approx(1.0)


def test_k_sweep_suggests_true_k(blobs):
    points, _ = blobs
    sweep = k_sweep(points, range(2, 7))
    assert list(sweep["k"]) == [2, 3, 4, 5, 6]
    assert choose_k(sweep) == 3


def test_min_cluster_size_sweep_shows_segments(blobs):
    points, _ = blobs
    sweep = min_cluster_size_sweep(points, [5, 10, 30, 100])
    assert sweep.loc[sweep.min_cluster_size == 10, "n_segments"].item() == 3
    assert {"noise_share", "silhouette"} <= set(sweep.columns)


def test_seed_stability_is_high_for_clear_blobs(blobs):
    points, _ = blobs
    stability = seed_stability(points, "kmeans", {"k": 3}, seeds=(0, 1, 2))
    assert stability["stability_ari_mean"] == pytest.approx(1.0)
    unstable = seed_stability(np.random.default_rng(0).normal(size=(120, 5)), "kmeans", {"k": 6, "n_init": 1})
    assert unstable["stability_ari_mean"] < 0.9


@pytest.mark.parametrize("linkage", ["ward", "average", "complete"])
def test_agglomerative_matches_scikit_learn_at_every_k(blobs, linkage):
    from sklearn.cluster import AgglomerativeClustering

    points, _ = blobs
    for k in (2, 3, 5, 9):
        ours = get_clusterer("agglomerative", k=k, linkage=linkage).fit(points).labels
        theirs = AgglomerativeClustering(n_clusters=k, linkage=linkage).fit_predict(points)
        assert len(np.unique(ours)) == k
        assert external_metrics(ours, theirs.astype(str))["ari"] == pytest.approx(1.0)


def test_agglomerative_cut_is_exact_with_tied_heights():
    from segkit.cluster.agglomerative import cut_into, merge_tree

    points = np.repeat(np.eye(4, dtype=np.float32), 5, axis=0)  # 4 groups of identical points
    tree = merge_tree(points, "ward")
    for k in range(1, 21):
        assert len(np.unique(cut_into(tree, 20, k))) == k


def _clumpy_points(n=600, seed=5):
    """Blobs of unequal size and spread plus scattered users: HDBSCAN finds a different
    number of segments and noise share at different min_cluster_size values."""
    rng = np.random.default_rng(seed)
    sizes = [250, 150, 80, 40, 20]
    blobs = [rng.normal(loc=rng.uniform(-12, 12, 3), scale=s, size=(m, 3))
             for m, s in zip(sizes, [1.0, 0.6, 0.8, 0.4, 0.3], strict=True)]
    scatter = rng.uniform(-15, 15, size=(n - sum(sizes), 3))
    return np.vstack([*blobs, scatter]).astype(np.float32)


@pytest.mark.parametrize("params", [
    {"min_cluster_size": 15}, {"min_cluster_size": 60}, {"min_cluster_size": 15, "min_samples": 3},
    {"min_cluster_size": 25, "min_samples": 0}, {"min_cluster_size": 15, "cluster_selection_method": "leaf"},
    {"min_cluster_size": 15, "cluster_selection_epsilon": 2.0},
])
def test_hdbscan_from_cached_tree_equals_a_plain_fit(params):
    import hdbscan

    from segkit.cluster.base import _relabel_by_size
    from segkit.derived_cache import Memory

    points = _clumpy_points()
    memory = Memory()
    ours = get_clusterer("hdbscan", min_cluster_size=40).fit(points, memory=memory)  # builds the tree (min_samples 10)
    ours = get_clusterer("hdbscan", **params).fit(points, memory=memory)  # re-reads it (or builds for its min_samples)
    full = dict({"min_samples": 10}, **params)
    full["min_samples"] = full["min_samples"] or full["min_cluster_size"]
    theirs = hdbscan.HDBSCAN(**full).fit(points.astype(np.float64))
    assert np.array_equal(ours.labels, _relabel_by_size(theirs.labels_))
    assert np.allclose(ours.confidence, theirs.probabilities_)
    assert ours.n_clusters >= 2


def test_hdbscan_min_cluster_size_change_reuses_the_tree(monkeypatch):
    import segkit.cluster.density as density
    from segkit.derived_cache import Memory

    points = _clumpy_points()
    memory = Memory()
    builds = []
    plain = density._hdbscan_model
    monkeypatch.setattr(density, "_hdbscan_model", lambda *a, **k: builds.append(k) or plain(*a, **k))
    segments = {size: get_clusterer("hdbscan", min_cluster_size=size).fit(points, memory=memory).n_clusters
                for size in (10, 30, 100)}
    assert len(builds) == 1
    assert len(set(segments.values())) > 1  # the re-reads really differ
    get_clusterer("hdbscan", min_cluster_size=30, min_samples=4).fit(points, memory=memory)  # another tree
    assert len(builds) == 2
    get_clusterer("hdbscan", min_cluster_size=30).fit(points + 1.0, memory=memory)  # other data, another tree
    assert len(builds) == 3
    get_clusterer("hdbscan", min_cluster_size=30).fit(points)  # no memory: nothing kept, a fresh fit
    get_clusterer("hdbscan", min_cluster_size=30).fit(points, memory=Memory())  # another memory: its own tree
    assert len(builds) == 5


def test_hdbscan_without_the_split_api_fits_whole(monkeypatch):
    import segkit.cluster.density as density

    points = _clumpy_points()
    cached = get_clusterer("hdbscan", min_cluster_size=30).fit(points)
    monkeypatch.setattr(density, "_tree_to_labels", lambda: None)
    whole = get_clusterer("hdbscan", min_cluster_size=30).fit(points)
    assert np.array_equal(cached.labels, whole.labels)
