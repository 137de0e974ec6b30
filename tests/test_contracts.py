"""Contracts every registered component keeps, in the spirit of scikit-learn's
parametrize_with_checks: one parametrised check per entry of every registry, so a new
algorithm is tested by registering it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit.cluster.registry import CLUSTERERS, get_clusterer
from segkit.config import RunConfig
from segkit.embed.registry import EMBEDDERS, get_embedder
from segkit.errors import SegkitInputError
from segkit.io.prepare import prepare_users
from segkit.io.roles import ColumnRoles
from segkit.metrics.external import external_metrics
from segkit.metrics.internal import internal_metrics
from segkit.pipeline import build_space, cluster_space, embed_users
from segkit.reduce.registry import REDUCERS, get_reducer
from segkit.registry import Registry
from segkit.sentiment.registry import SCORERS, get_scorer
from tests.conftest import make_reviews

ROOT = Path(__file__).resolve().parents[1]
# Small working parameters per clusterer (the defaults suit thousands of users).
SMALL = {"kmeans": {"k": 3}, "minibatch_kmeans": {"k": 3, "batch_size": 64}, "agglomerative": {"k": 3},
         "gmm": {"k": 3}, "hdbscan": {"min_cluster_size": 10, "min_samples": 5}, "dbscan": {"eps": 3.0, "min_samples": 5}}


def _blobs():
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0, 0, 0], [9, 9, 0, 0], [0, 9, 9, 0]], dtype=float)
    labels = np.repeat(np.arange(3), 40)
    return (centres[labels] + rng.normal(0, 1.0, size=(120, 4))).astype(np.float32), labels


def test_every_clusterer_has_small_parameters_here():
    assert set(SMALL) == set(CLUSTERERS)


@pytest.mark.parametrize("name", list(CLUSTERERS))
def test_same_seed_gives_the_same_labels(name):
    points, _ = _blobs()
    first = get_clusterer(name, **SMALL[name]).fit(points, seed=7)
    again = get_clusterer(name, **SMALL[name]).fit(points.copy(), seed=7)
    assert np.array_equal(first.labels, again.labels)
    assert first.n_clusters >= 2
    if CLUSTERERS.flag(name, "deterministic"):  # a seed changes nothing: the flag is true
        assert np.array_equal(get_clusterer(name, **SMALL[name]).fit(points, seed=99).labels, first.labels)


@pytest.mark.parametrize("name", list(CLUSTERERS))
def test_metrics_do_not_depend_on_the_label_numbers(name):
    points, truth = _blobs()
    labels = get_clusterer(name, **SMALL[name]).fit(points, seed=0).labels
    segments = np.unique(labels[labels >= 0])
    assert len(segments) >= 2
    permutation = dict(zip(segments.tolist(), np.roll(segments, 1).tolist(), strict=True))  # no id keeps its number
    renamed = np.array([permutation.get(int(v), int(v)) for v in labels])
    assert (renamed[labels >= 0] != labels[labels >= 0]).all()
    internal, internal_renamed = (internal_metrics(points, ls, seed=0) for ls in (labels, renamed))
    for key in ("silhouette", "calinski_harabasz", "davies_bouldin", "n_segments", "noise_share"):
        assert internal[key] == pytest.approx(internal_renamed[key]), key
    external, external_renamed = (external_metrics(ls, pd.Series(truth)) for ls in (labels, renamed))
    for key in ("ari", "nmi"):
        assert external[key] == pytest.approx(external_renamed[key]), key


@pytest.mark.parametrize("registry,get", [(CLUSTERERS, get_clusterer), (REDUCERS, get_reducer),
                                          (EMBEDDERS, get_embedder), (SCORERS, get_scorer)],
                         ids=["clusterers", "reducers", "embedders", "scorers"])
def test_an_unknown_name_is_a_clear_error(registry, get):
    assert isinstance(registry, Registry)
    with pytest.raises(SegkitInputError, match=rf"Unknown {registry.kind} 'nope'\. Choose one of: "
                                               rf"{re.escape(', '.join(registry))}\."):
        get("nope")


@pytest.mark.parametrize("name", list(CLUSTERERS))
def test_bad_clusterer_parameters_are_clear_errors(name):
    with pytest.raises(SegkitInputError, match=r"no_such_param"):
        get_clusterer(name, no_such_param=1)
    spec = CLUSTERERS.load(name).params_spec[0]
    bad = "many" if spec.kind in (int, float) else 12345
    with pytest.raises(SegkitInputError, match=re.escape(spec.label or spec.name)):
        get_clusterer(name, **{spec.name: bad})


@pytest.mark.parametrize("name", list(REDUCERS))
def test_bad_reducer_parameters_are_clear_errors(name):
    with pytest.raises(SegkitInputError, match=r"no_such_param"):
        get_reducer(name, no_such_param=1)


@pytest.fixture(scope="module")
def small_users():
    frame = make_reviews(n_users=60, reviews_per_user=2, seed=4)
    roles = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age", "spend"),
                        categorical_cols=("tier",))
    table = prepare_users(frame, roles)
    return table, embed_users(table, "tfidf")


@pytest.mark.parametrize("reducer", list(REDUCERS))
@pytest.mark.parametrize("algorithm", list(CLUSTERERS))
def test_each_clusterer_runs_on_each_reducers_space(small_users, algorithm, reducer):
    table, embeddings = small_users
    params = {**SMALL[algorithm], **({"eps": 0.8} if algorithm == "dbscan" else {})}
    reducer_params = {"n_components": 3} if reducer != "none" else {}
    config = RunConfig(roles=table.roles, embedder="tfidf", algorithm=algorithm, algorithm_params=params,
                       reducer=reducer, reducer_params=reducer_params, noise_policy="reassign")
    space = build_space(table, embeddings, config)
    assert space.reducer == reducer and space.matrix.shape[0] == len(embeddings.user_index)
    result, _ = cluster_space(space, config)
    assert len(result.labels) == space.matrix.shape[0]
    allowed = set(range(result.n_clusters)) | ({-1} if CLUSTERERS.flag(algorithm, "density_based") else set())
    assert set(np.unique(result.labels).tolist()) <= allowed
    assert ((result.confidence >= 0) & (result.confidence <= 1)).all()


def test_capability_flags_replace_lists_of_names():
    assert CLUSTERERS.names(deterministic=True) == ["hdbscan", "dbscan", "agglomerative"]
    assert CLUSTERERS.names(uses_k=True) == ["kmeans", "minibatch_kmeans", "agglomerative", "gmm"]
    assert CLUSTERERS.names(density_based=True) == ["hdbscan", "dbscan"]
    assert {n: CLUSTERERS.flag(n, "assign_rule") for n in CLUSTERERS} == {
        "kmeans": "centroid", "minibatch_kmeans": "centroid", "hdbscan": "density", "dbscan": "density",
        "agglomerative": "centroid", "gmm": "gaussian"}
    assert EMBEDDERS.flag("tfidf", "corpus_fitted") and not EMBEDDERS.flag("precomputed", "corpus_fitted")


def test_the_pages_app_registers_are_the_pages_the_tests_visit():
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    registered = set(re.findall(r'"(pages/[a-z_]+\.py)"', app))
    visited = set()
    for test in (ROOT / "tests").glob("test_*.py"):
        if test.name != Path(__file__).name:
            visited |= set(re.findall(r'"(pages/[a-z_]+\.py)"', test.read_text(encoding="utf-8")))
    on_disk = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert registered == on_disk  # no page file left out of the navigation, none registered that is missing
    assert registered == visited
