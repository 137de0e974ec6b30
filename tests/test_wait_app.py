"""The dashboard's waits (dashboard/waiting.py): a progress bar with what is being done and the
time left while a step takes a while, through app.py; and the background map's time left."""

from __future__ import annotations

import time
import uuid

import numpy as np
import pytest

from tests.conftest import make_reviews
from tests.test_app import _app, _no_errors

pytest.importorskip("streamlit")


@pytest.fixture(autouse=True)
def _fast_env(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("SEGKIT_MAP_METHOD", "pca")  # no UMAP compiling beside the steps
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "segkit-cache"))


@pytest.fixture
def drawn(monkeypatch):
    """Every progress bar the app draws, as (value, text), whichever thread draws it."""
    from streamlit.delta_generator import DeltaGenerator

    seen: list[tuple[float, str]] = []
    original = DeltaGenerator.progress

    def progress(self, value, text=None, **kwargs):
        seen.append((float(value), text or ""))
        return original(self, value, text=text, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "progress", progress)
    return seen


def _slowed(monkeypatch, module, name: str, seconds: float = 1.5) -> None:
    original = getattr(module, name)

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


def _fresh_frame(n_users: int = 45):
    frame = make_reviews(n_users, 2)
    frame["review"] = frame["review"] + f" {uuid.uuid4().hex[:10]}"  # nothing cached from other tests
    return frame


def _bars(seen, start: str) -> list[tuple[float, str]]:
    return [(value, text) for value, text in seen if text.startswith(start)]


def test_the_space_step_shows_a_bar_with_the_time_left(monkeypatch, drawn):
    import dashboard.compute as compute

    _slowed(monkeypatch, compute, "build_space")
    at = _app(_fresh_frame())
    at.run()
    _no_errors(at)
    bars = _bars(drawn, "Building the feature space")
    assert bars, [t for _, t in drawn]
    assert all(0.0 <= value < 1.0 for value, _ in bars)
    assert any(" left" in text and "about" in text or "under a second" in text for _, text in bars)


def test_the_cluster_step_says_which_phase_runs(monkeypatch, drawn):
    import segkit.pipeline as pipeline

    _slowed(monkeypatch, pipeline, "table_sentiment")
    at = _app(_fresh_frame())
    at.run()
    _no_errors(at)
    bars = _bars(drawn, "Choosing the number of segments")
    assert any("scoring sentiment" in text and " left" in text for _, text in bars), [t for _, t in drawn]


def test_the_bar_speaks_chinese_too(monkeypatch, drawn):
    import dashboard.compute as compute

    _slowed(monkeypatch, compute, "build_space")
    at = _app(_fresh_frame())
    at.session_state["sk_lang"] = "zh"
    at.run()
    _no_errors(at)
    assert any("还需" in text for _, text in drawn), [t for _, t in drawn]


def test_reading_an_upload_shows_a_bar_with_the_time_left(monkeypatch, drawn):
    import dashboard.state as state

    _slowed(monkeypatch, state, "read_table")
    at = _app()
    at.run()
    at.switch_page("pages/data.py").run()
    data = _fresh_frame(30).to_csv(index=False).encode()
    at.file_uploader(key="data_upload").set_value(("slow_reviews.csv", data, "text/csv")).run()
    _no_errors(at)
    assert at.session_state["sk_dataset"].name == "slow_reviews.csv"
    bars = _bars(drawn, "Reading slow")
    assert any("reading rows" in text and " left" in text for _, text in bars), [t for _, t in drawn]


def test_the_background_map_reports_its_progress_and_time_left(monkeypatch):
    import dashboard.resources as resources
    from segkit import waits

    def fake_project(matrix, method="umap", seed=0):
        waits.phase("map.umap.graph")
        time.sleep(0.3)
        waits.phase("map.umap.layout")
        for done in range(0, 11):
            waits.progress(done, 10)
            time.sleep(0.1)
        return np.zeros((matrix.shape[0], 2), dtype=np.float32)

    monkeypatch.setattr(resources, "project_2d", fake_project)
    jobs = resources.MapJobs()
    key = f"test-map-{uuid.uuid4().hex}"
    assert jobs.status(key) is None
    future = jobs.get(key, np.zeros((50, 3), dtype=np.float32), 0, owner="t")
    seen = []
    while not future.done():
        status = jobs.status(key)
        if status.phase == "map.umap.layout" and status.elapsed > 0.6:
            seen.append(status)
        time.sleep(0.05)
    assert seen and all(s.left > 0 and 0 < s.fraction < 1 for s in seen)
    assert jobs.status(key).done


class _Upload:
    """What st.file_uploader hands over, as far as dashboard/upload.py reads it."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name, self._data, self.file_id = name, data, uuid.uuid4().hex

    def getvalue(self) -> bytes:
        return self._data


def _path_of(at, key: str) -> tuple | None:
    """Where the element with `key` sits in the page (Streamlit's delta path)."""
    def walk(node, path):
        for index, child in getattr(node, "children", {}).items():
            if getattr(child, "key", None) == key:
                return (*path, index)
            found = walk(child, (*path, index))
            if found:
                return found
        return None

    return walk(at.main, ())


def test_reading_an_upload_moves_nothing_on_the_page(monkeypatch):
    """The bar of a wait that runs on one run only must not shift the elements below it:
    Streamlit places them by index, and a file uploader that moves forgets its file (a
    second upload was lost in the browser about one time in eight)."""
    from dashboard import upload

    _slowed(monkeypatch, upload, "dataset_from_upload", 0.6)  # the bar shows after 0.4 s
    at = _app()
    at.switch_page("pages/data.py").run()
    _no_errors(at)
    before = _path_of(at, "data_use_sample")
    assert before is not None
    frame = _fresh_frame()
    at.session_state["sk_pending_upload"] = _Upload("new.csv", frame.to_csv(index=False).encode())
    at.run()
    _no_errors(at)
    assert at.session_state["sk_dataset"].name == "new.csv"
    reading = _path_of(at, "data_use_sample")
    at.run()
    assert before == reading == _path_of(at, "data_use_sample")


def test_the_recommend_pages_evaluation_and_k_sweep_show_bars_with_the_time_left(monkeypatch, drawn):
    """Both re-segment and score recommenders (3-8 s on real data): a bar with the phase and time left."""
    import segkit.recommend.k_sweep as k_sweep
    import segkit.recommend.leakage_free as leakage_free

    _slowed(monkeypatch, leakage_free, "evaluate_cold_start")
    _slowed(monkeypatch, k_sweep, "evaluate_cold_start", seconds=0.3)  # per K
    frame = _fresh_frame(60)
    rng = np.random.default_rng(0)
    frame["item_id"] = [f"i{rng.integers(0, 30)}" for _ in range(len(frame))]  # each review is of an item
    at = _app(frame, {"auto_k": False, "params": {"kmeans": {"k": 3}}})
    at.switch_page("pages/recommend.py").run()
    interactions = frame[["user_id", "item_id"]].to_csv(index=False).encode()
    at.file_uploader(key="rec_interactions").set_value(("interactions.csv", interactions, "text/csv")).run()
    _no_errors(at)
    bars = _bars(drawn, "Re-segmenting on training-period text")
    assert any("scoring the recommenders" in text and " left" in text for _, text in bars), [t for _, t in drawn]
    assert all(0.0 <= value < 1.0 for value, _ in bars)

    at.toggle(key="rec_k_sweep").set_value(True).run()
    _no_errors(at)
    bars = _bars(drawn, "Re-fitting and evaluating each K")
    assert any("re-fitting and scoring each K" in text and " left" in text for _, text in bars), [t for _, t in drawn]
