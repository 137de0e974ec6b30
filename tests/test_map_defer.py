"""Beyond DEFER_UMAP_FROM users the background UMAP map starts only after the first view
of the segments has been drawn (its numba code holds the GIL and slowed a 200,000-user
first view); below it, at once. Driven with AppTest, UMAP replaced by a recorder."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.conftest import make_reviews
from tests.test_app import _app, _no_errors

pytest.importorskip("streamlit")


@pytest.fixture()
def umap_calls(monkeypatch, tmp_path):
    import dashboard.resources as resources

    calls: list[int] = []

    def fake_umap(matrix, seed, wait=None):
        calls.append(len(matrix))
        return np.zeros((len(matrix), 2), dtype=np.float32)

    monkeypatch.setattr(resources, "_umap_map", fake_umap)
    monkeypatch.setattr(resources, "start_umap_warmup", lambda: False)  # no real numba compile
    monkeypatch.setenv("SEGKIT_MAP_METHOD", "umap")
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path / "cache"))
    return calls


def _wait_for(calls, n, timeout=10.0):
    deadline = time.time() + timeout
    while len(calls) < n and time.time() < deadline:
        time.sleep(0.05)
    return len(calls)


@pytest.mark.parametrize("defer_from, started_at_once", [(10, False), (10_000, True)])
def test_the_umap_map_waits_for_the_first_view_only_on_large_data(monkeypatch, umap_calls, defer_from, started_at_once):
    import dashboard.maps as maps

    monkeypatch.setattr(maps, "DEFER_UMAP_FROM", defer_from)
    at = _app(make_reviews(n_users=60 + defer_from % 7, reviews_per_user=2, seed=defer_from))
    at.run()
    _no_errors(at)
    assert (_wait_for(umap_calls, 1, timeout=3.0 if started_at_once else 1.0) == 1) is started_at_once
    if not started_at_once:  # the PCA map is shown meanwhile, with the promise of UMAP
        assert any("UMAP map is being computed" in c.value for c in at.caption)
    time.sleep(maps.DEFER_S + 0.1)
    at.run()  # what the refresher's poll does a moment later
    _no_errors(at)
    assert _wait_for(umap_calls, 1) == 1
    assert umap_calls[0] == 60 + defer_from % 7


def test_the_overview_hover_labels_name_the_drawn_users(monkeypatch, tmp_path):
    monkeypatch.setenv("SEGKIT_MAP_METHOD", "pca")
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path / "cache"))
    at = _app(make_reviews(n_users=50, reviews_per_user=2, seed=5))
    at.run()
    _no_errors(at)
    memo = at.session_state["sk_memo"]
    labels = next(v for k, v in memo.items() if k.startswith("hover|"))
    assert len(labels) == 50 and all(isinstance(v, str) and v.startswith("<b>user ") for v in labels)
