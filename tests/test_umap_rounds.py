"""The automatic UMAP space for density methods caps its layout rounds by a budget
(segkit.pipeline.layout_rounds): a 20,000-user HDBSCAN fit went from ~11.5 s to ~3.5 s."""

from __future__ import annotations

import numpy as np
import pytest

import segkit.pipeline as pipeline
from segkit.config import RunConfig
from segkit.errors import SegkitInputError
from segkit.io.prepare import prepare_users
from segkit.io.roles import ColumnRoles
from segkit.pipeline import UserEmbeddings, build_space, layout_rounds, resolve_reducer
from segkit.reduce.umap_reducer import UmapReducer

ROLES = ColumnRoles(text_cols=("text",), user_col="user_id", numeric_cols=("age",))


def test_rounds_fall_with_users_down_to_a_floor():
    assert layout_rounds(100) == layout_rounds(3_000) == pipeline.MAX_LAYOUT_ROUNDS == 200
    sizes = [1_000, 3_000, 4_000, 8_000, 12_000, 20_000, 40_000]
    rounds = [layout_rounds(n) for n in sizes]
    assert rounds == sorted(rounds, reverse=True) and rounds[-1] < rounds[1]
    assert rounds[2:5] == [150, 75, 50]
    falling = [(n, r) for n, r in zip(sizes, rounds, strict=True) if pipeline.MIN_LAYOUT_ROUNDS < r < 200]
    assert falling and all(n * r <= pipeline.DENSITY_UMAP_ROUND_BUDGET for n, r in falling)
    assert layout_rounds(20_000) == layout_rounds(10_000_000) == pipeline.MIN_LAYOUT_ROUNDS == 30
    assert layout_rounds(0) == 200  # no division by zero


def test_only_the_automatic_density_space_gets_the_budget():
    hdb = RunConfig(roles=ROLES, algorithm="hdbscan")
    assert resolve_reducer(hdb, n_users=8_000) == ("umap", {"n_components": 5, "n_epochs": 75})
    # Without a size (stage keys): the rounds follow from the data, so they are not in the key.
    assert resolve_reducer(hdb) == ("umap", {"n_components": 5})
    # Rounds someone chose are kept, on the automatic and on an explicit UMAP reducer.
    mine = hdb.with_changes(reducer_params={"n_epochs": 500})
    assert resolve_reducer(mine, n_users=20_000)[1]["n_epochs"] == 500
    explicit = hdb.with_changes(reducer="umap", reducer_params={"n_components": 5, "n_epochs": 0})
    assert resolve_reducer(explicit, n_users=20_000) == ("umap", {"n_components": 5, "n_epochs": 0})
    assert resolve_reducer(RunConfig(roles=ROLES, algorithm="kmeans"), n_users=20_000)[0] == "pca"


def test_n_epochs_param_validates():
    assert UmapReducer().params["n_epochs"] == 0  # UMAP's own default
    assert UmapReducer(n_epochs="40").params["n_epochs"] == 40
    for bad in (-1, 1.5, "many", 10_000):
        with pytest.raises(SegkitInputError, match="n_epochs"):
            UmapReducer(n_epochs=bad)


def _table(n_users: int = 60, seed: int = 0):
    import pandas as pd

    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"user_id": [f"u{i}" for i in range(n_users)], "text": ["a review"] * n_users,
                          "age": rng.integers(18, 70, n_users)})
    table = prepare_users(frame, ROLES)
    vectors = rng.normal(size=(table.n_users, 24)).astype(np.float32)
    vectors[: n_users // 2] += 3.0  # two groups
    return table, UserEmbeddings(vectors, np.arange(table.n_users), "test", 0.0)


class _SpyUMAP:
    """Stands in for umap.UMAP: records its arguments, returns a fixed projection."""

    calls: list[dict] = []

    def __init__(self, **kwargs) -> None:
        _SpyUMAP.calls.append(kwargs)
        self.n_components = kwargs["n_components"]

    def fit_transform(self, matrix):
        return np.asarray(matrix)[:, : self.n_components]


def test_build_space_passes_the_budget_to_umap(monkeypatch):
    import umap

    monkeypatch.setattr(umap, "UMAP", _SpyUMAP)
    _SpyUMAP.calls = []
    table, embeddings = _table(60)
    config = RunConfig(roles=ROLES, algorithm="hdbscan", embedder="test")
    space = build_space(table, embeddings, config)
    assert _SpyUMAP.calls[-1]["n_epochs"] == layout_rounds(60) == 200
    assert _SpyUMAP.calls[-1]["force_approximation_algorithm"] is True
    assert space.reducer_params["n_epochs"] == 200  # the run records what was used
    # A smaller budget reaches UMAP too (60 users x 50 rounds = 3,000).
    monkeypatch.setattr(pipeline, "DENSITY_UMAP_ROUND_BUDGET", 3_000)
    build_space(table, embeddings, config)
    assert _SpyUMAP.calls[-1]["n_epochs"] == 50
    # 0 on an explicit reducer means UMAP's default (None), not the budget.
    build_space(table, embeddings, config.with_changes(reducer="umap", reducer_params={"n_epochs": 0}))
    assert _SpyUMAP.calls[-1]["n_epochs"] is None


@pytest.mark.slow  # a real UMAP fit: numba compiles it first (~1 min on 2 busy cores)
def test_umap_space_is_the_same_for_the_same_seed():
    rng = np.random.default_rng(1)
    matrix = np.vstack([rng.normal(0, 1, (80, 8)), rng.normal(4, 1, (80, 8))]).astype(np.float32)
    reducer = UmapReducer(n_components=3, n_epochs=30)
    first = reducer.fit_transform(matrix, seed=3)
    assert first.shape == (160, 3) and first.dtype == np.float32
    np.testing.assert_array_equal(first, reducer.fit_transform(matrix, seed=3))
    assert not np.array_equal(first, reducer.fit_transform(matrix, seed=4))


def test_large_maps_start_umap_from_pca_and_clustering_spaces_stay_spectral(monkeypatch):
    """ARPACK's spectral start took 25 of a 44 s 2-D map at 50,000 users; beyond the limit the
    map starts from the principal components. The clustering space keeps the spectral start
    (a PCA start left far more users unassigned by HDBSCAN after its 30 layout rounds)."""
    import umap

    from segkit.reduce import map2d

    assert map2d.map_init(map2d.MAP_SPECTRAL_INIT_MAX_POINTS) == "spectral"
    assert map2d.map_init(map2d.MAP_SPECTRAL_INIT_MAX_POINTS + 1) == "pca"
    monkeypatch.setattr(umap, "UMAP", _SpyUMAP)
    monkeypatch.setattr(map2d, "MAP_SPECTRAL_INIT_MAX_POINTS", 50)  # small frames stand in
    matrix = np.random.default_rng(0).normal(size=(60, 8)).astype(np.float32)
    for n, expected in ((50, "spectral"), (60, "pca")):
        _SpyUMAP.calls = []
        map2d.project_2d(matrix[:n], method="umap")
        UmapReducer(n_components=3).fit_transform(matrix[:n])
        assert _SpyUMAP.calls[0]["init"] == expected
        assert _SpyUMAP.calls[1].get("init", "spectral") == "spectral"  # UMAP's default
