"""The faster live step (issue #16, target 4) gives the results the plain formulas give:
the fused space, the distinct-point count, the external scores and the GMM labels."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import logsumexp
from sklearn import metrics as skm
from sklearn.mixture import GaussianMixture

from segkit.cluster.gmm import GaussianMixtureClusterer, _GaussianMixture, logsumexp_rows
from segkit.embed.base import l2_normalise
from segkit.fuse.fusion import Fusion, fuse_features
from segkit.metrics.external import contingency_scores, external_metrics
from segkit.pipeline import ClusterSpace, count_distinct_points


def _users(n=500, seed=0):
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, 24)).astype(np.float32)
    vectors[:5] = 0.0  # texts with no known word embed to zeros
    users = pd.DataFrame({"age": rng.integers(18, 80, n).astype(float), "spend": rng.exponential(50, n),
                          "plan": rng.choice(["a", "b", None], n)})
    users.loc[3, "age"] = np.nan
    return vectors, users


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.7, 1.0])
def test_fused_space_is_the_plain_formula(weight):
    vectors, users = _users()
    fused = fuse_features(vectors, users, ("age", "spend"), ("plan",), weight)
    fitted = fused.fitted
    # The formula written out with float64 temporaries (the code before the float32 rewrite).
    blocks = []
    if fitted.has_text:
        blocks.append((l2_normalise(vectors) - fitted.text_mean) * fitted.text_scale)
    if fitted.has_traits:
        blocks.append((fitted._trait_values(users) - fitted.trait_mean) * fitted.trait_scale)
    if len(blocks) == 2:
        blocks = [blocks[0] * np.sqrt(fitted.text_weight), blocks[1] * np.sqrt(1 - fitted.text_weight)]
    expected = np.hstack(blocks).astype(np.float32)
    assert fused.matrix.dtype == np.float32 and fused.matrix.flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(fused.matrix, expected, rtol=0, atol=1e-6)
    # fit_transform (one normalisation) == fit then transform, bit for bit; so do new users.
    np.testing.assert_array_equal(fitted.transform(vectors, users), fused.matrix)
    again = Fusion(("age", "spend"), ("plan",), weight).fit(vectors, users).transform(vectors[:7], users[:7])
    np.testing.assert_array_equal(again, fused.matrix[:7])


def test_count_distinct_points_is_exact_with_duplicates():
    rng = np.random.default_rng(1)
    for _ in range(50):
        n, d = int(rng.integers(2, 400)), int(rng.integers(1, 6))
        matrix = rng.integers(0, 3, size=(n, d)).astype(np.float32) + rng.normal(0, 1e-9, (n, d)).astype(np.float32)
        scale = np.abs(matrix).max()
        assert count_distinct_points(matrix) == np.unique(np.round(matrix / scale, 5), axis=0).shape[0]
    spread = rng.normal(size=(300, 4)).astype(np.float32)
    spread[100:110] = spread[0]  # ten copies of one user among distinct ones
    assert count_distinct_points(spread) == 290


def test_space_counts_distinct_points_once():
    matrix = np.repeat(np.eye(3, dtype=np.float32), 4, axis=0)
    space = ClusterSpace(fused=None, matrix=matrix, reducer="pca", reducer_params={})
    assert space.n_distinct == 3
    space.matrix[:] = 0  # cached: not recounted
    assert space.n_distinct == 3


def test_external_scores_are_scikit_learns():
    rng = np.random.default_rng(2)
    for case in range(120):
        n = int(rng.integers(2, 300))
        truth = rng.integers(0, int(rng.integers(1, 5)), n)
        labels = truth.copy() if case % 6 == 0 else rng.integers(-1, int(rng.integers(1, 7)), n)
        got = contingency_scores(pd.factorize(truth)[0], pd.factorize(labels)[0])
        assert got["ari"] == pytest.approx(skm.adjusted_rand_score(truth, labels), abs=1e-12)
        assert got["nmi"] == pytest.approx(skm.normalized_mutual_info_score(truth, labels), abs=1e-12)
        assert got["homogeneity"] == pytest.approx(skm.homogeneity_score(truth, labels), abs=1e-12)
        assert got["completeness"] == pytest.approx(skm.completeness_score(truth, labels), abs=1e-12)
    scores = external_metrics(np.array([0, 0, 1, 1, 2]), pd.Series(["x", "x", "y", None, "y"]))
    assert scores["n_labelled"] == 4 and scores["ari"] == pytest.approx(
        skm.adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]))


def test_logsumexp_rows_matches_scipy():
    rng = np.random.default_rng(3)
    values = rng.normal(0, 50, size=(200, 6))
    values[0] = -np.inf
    values[1, :3] = -np.inf
    with np.errstate(divide="ignore"):
        expected = logsumexp(values, axis=1)
    np.testing.assert_allclose(logsumexp_rows(values), expected, rtol=1e-12)
    np.testing.assert_allclose(logsumexp_rows(values.astype(np.float32)), expected, rtol=1e-5)


def _blobs(seed):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 3, size=(4, 8))
    return (centres[rng.integers(0, 4, 1200)] + rng.normal(size=(1200, 8))).astype(np.float32)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gmm_fit_is_scikit_learns(seed):
    matrix = _blobs(seed)
    for k in (3, 5):
        settings = dict(n_components=k, covariance_type="diag", random_state=seed, reg_covar=1e-4, n_init=1)
        stock, ours = GaussianMixture(**settings).fit(matrix), _GaussianMixture(**settings).fit(matrix)
        assert ours.n_iter_ == stock.n_iter_
        np.testing.assert_array_equal(ours.predict(matrix), stock.predict(matrix))
        np.testing.assert_allclose(ours.predict_proba(matrix), stock.predict_proba(matrix), atol=1e-3)  # float32 EM
        assert ours.lower_bound_ == pytest.approx(stock.lower_bound_, rel=1e-5)
    result = GaussianMixtureClusterer(k=4).fit(matrix, seed=seed)
    assert result.n_clusters == 4 and 0.0 <= result.confidence.min() <= result.confidence.max() <= 1.0
