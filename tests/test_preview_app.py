"""The dashboard's first impression: TF-IDF preview at once, the better embedder in the
background, then the swap (or a cancel, or a failure that leaves the preview in place)."""

from __future__ import annotations

import time
import uuid

import numpy as np
import pytest

from tests.conftest import make_reviews
from tests.test_app import _app, _no_errors

pytest.importorskip("streamlit")


@pytest.fixture(autouse=True)
def _auto_embedder(monkeypatch, tmp_path):
    monkeypatch.delenv("SEGKIT_EMBEDDER", raising=False)  # the real default rule
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path / "cache"))  # nothing embedded yet


def _fresh_frame(seed: int):
    frame = make_reviews(60, 3, seed=seed)
    # Content no earlier run embedded: the dashboard's disk cache is one per process (and the
    # machine's ~/.cache/segkit may hold an earlier run's vectors), so a cache hit would skip the preview.
    frame["review"] = frame["review"] + f" batch{seed} {uuid.uuid4().hex[:12]}"
    return frame


def _run_until(at, predicate, timeout: float = 120.0):
    deadline = time.time() + timeout
    at.run()
    while not predicate(at) and time.time() < deadline:
        time.sleep(0.5)
        at.run()
    return predicate(at)


def _infos(at) -> str:
    return " ".join(i.value for i in at.info)


def _fake_minilm(monkeypatch, *, fail: bool = False, pause: float = 0.0):
    """MiniLM's embed replaced by a fast stand-in (the AppTest runs in this process)."""
    from segkit.embed.minilm import MiniLMEmbedder

    def embed(self, texts, progress=None):
        for i in range(1, 41):
            if fail and i == 5:
                raise MemoryError("planted failure")
            time.sleep(pause)
            if progress is not None:
                progress(int(len(texts) * i / 40), len(texts))
        rng = np.random.default_rng(len(texts))
        vectors = rng.normal(size=(len(texts), 16)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    monkeypatch.setattr(MiniLMEmbedder, "embed", embed)


@pytest.mark.slow
def test_preview_then_minilm_segments_without_a_click(monkeypatch):
    # The real model, started a little late: on OpenVINO it embeds these 180 texts in about a
    # second, which could finish before the first page run does and skip the preview.
    from segkit.embed.minilm import MiniLMEmbedder

    real_embed = MiniLMEmbedder.embed

    def late_embed(self, texts, progress=None):
        time.sleep(3.0)
        return real_embed(self, texts, progress)

    monkeypatch.setattr(MiniLMEmbedder, "embed", late_embed)
    at = _app(_fresh_frame(101))
    at.run()
    _no_errors(at)
    assert at.session_state["sk_last"]["embedder"] == "tfidf"
    assert "preview segments" in _infos(at)
    assert _run_until(at, lambda a: a.session_state["sk_last"]["embedder"] == "minilm")
    _no_errors(at)
    assert "preview segments" not in _infos(at)
    assert any("Segments now use **MiniLM**" in s.value for s in at.success)


def test_failed_background_embedding_keeps_the_preview(monkeypatch):
    _fake_minilm(monkeypatch, fail=True)
    at = _app(_fresh_frame(102))
    assert _run_until(at, lambda a: any("could not finish" in w.value for w in a.warning), timeout=30)
    warning = next(w.value for w in at.warning if "could not finish" in w.value)
    assert "MemoryError" in warning and "planted failure" in warning and "preview segments stay" in warning
    assert at.session_state["sk_last"]["embedder"] == "tfidf"
    assert not at.exception


def test_cancel_keeps_the_preview_and_stops_the_job(monkeypatch):
    _fake_minilm(monkeypatch, pause=0.25)  # ~10 s: time to press the button
    at = _app(_fresh_frame(103))
    at.run()
    assert "preview segments" in _infos(at)
    stop = next(b for b in at.button if b.key == "sk_preview_keep")
    stop.click().run()
    _no_errors(at)
    assert at.session_state["sk_settings"]["embedder"] == "tfidf"
    assert "preview segments" not in _infos(at)
    from dashboard.resources import embed_jobs

    job = list(embed_jobs().jobs.values())[-1]  # the newest: this test's dataset
    deadline = time.time() + 15
    while job.status().state == "running" and time.time() < deadline:
        time.sleep(0.1)
    assert job.status().state == "cancelled"
    at.run()  # stays on the preview embedder, no new job
    assert at.session_state["sk_last"]["embedder"] == "tfidf"


def test_the_preview_banner_moves_nothing_below_it(monkeypatch):
    """The banner is there during the preview and gone once it is stopped (or a note after a
    swap); what is below it keeps its place, so a file in the Recommend page's uploader survives."""
    from tests.test_wait_app import _path_of

    _fake_minilm(monkeypatch, pause=0.25)  # ~10 s: time to press the button
    at = _app(_fresh_frame(104))
    at.switch_page("pages/recommend.py").run()
    _no_errors(at)
    assert "preview segments" in _infos(at)
    during = _path_of(at, "rec_interactions")
    assert during is not None
    next(b for b in at.button if b.key == "sk_preview_keep").click().run()
    _no_errors(at)
    assert "preview segments" not in _infos(at) and not at.success  # no banner, no note
    assert _path_of(at, "rec_interactions") == during
