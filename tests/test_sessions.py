"""Two dashboard sessions must not undo each other: background maps, thread limits,
uploads; and an upload's file name is shown as text."""

from __future__ import annotations

import threading

import numpy as np
import pytest

pytest.importorskip("streamlit")


# ----------------------------------------------------------------- background maps

@pytest.fixture
def jobs(monkeypatch):
    """A MapJobs whose worker is held busy until released, so later jobs stay queued."""
    import dashboard.resources as common

    release = threading.Event()
    started = threading.Event()

    def fake_umap(matrix, seed, wait=None):
        if seed == -1:
            started.set()
            release.wait(30)
        return np.zeros((len(matrix), 2))

    monkeypatch.setattr(common, "_umap_map", fake_umap)
    mj = common.MapJobs()
    blocker = mj.get("busy", np.zeros((3, 2)), -1, owner="nobody")
    assert started.wait(10)
    yield mj
    release.set()
    blocker.result(timeout=30)
    mj.pool.shutdown(wait=True)


def test_one_session_never_cancels_another_sessions_map(jobs):
    matrix = np.zeros((4, 3))
    a1 = jobs.get("a1", matrix, 1, owner="session-a")
    b1 = jobs.get("b1", matrix, 1, owner="session-b")
    a2 = jobs.get("a2", matrix, 1, owner="session-a")  # A moves its slider: its own old job goes
    assert a1.cancelled()
    assert not b1.cancelled(), "session A cancelled session B's queued map"
    b2 = jobs.get("b1", matrix, 1, owner="session-b")  # B polls its map: still the same job
    assert b2 is b1 and not a2.cancelled()


def test_a_job_two_sessions_wait_for_survives_one_of_them_moving_on(jobs):
    matrix = np.zeros((4, 3))
    shared = jobs.get("same-data", matrix, 1, owner="session-a")
    assert jobs.get("same-data", matrix, 1, owner="session-b") is shared
    jobs.get("a-next", matrix, 1, owner="session-a")
    assert not shared.cancelled()
    jobs.get("b-next", matrix, 1, owner="session-b")
    assert shared.cancelled()  # nobody wants it any more


# ----------------------------------------------------------------- thread limits

OVERLAP = """
import json, threading
import sklearn.cluster  # loads the OpenMP runtime, as a session would
from threadpoolctl import threadpool_info
from segkit.threads import limited_threads

def sizes():
    return [(pool["user_api"], pool["num_threads"]) for pool in threadpool_info()]

before = sizes()
steps = [threading.Event() for _ in range(4)]
inside = {}

def session(name, enter_after, entered, leave_after, left):
    if enter_after >= 0:
        steps[enter_after].wait(10)
    with limited_threads():
        inside[name] = sizes()
        steps[entered].set()
        steps[leave_after].wait(10)
    steps[left].set()

a = threading.Thread(target=session, args=("a", -1, 0, 1, 2))
b = threading.Thread(target=session, args=("b", 0, 1, 2, 3))
a.start(); b.start(); a.join(20); b.join(20)
after = sizes()
with limited_threads():
    again = sizes()
print(json.dumps({"before": before, "inside": inside, "after": after, "again": again, "final": sizes()}))
"""


def test_overlapping_sessions_restore_the_thread_pools():
    """Session A enters, B enters, A leaves, B leaves: the pools end as they began.

    In a fresh interpreter: OpenBLAS ignores thread counts set from a worker thread once
    the main thread has set one, which earlier tests in this process may have done.
    """
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "SEGKIT_CLUSTER_THREADS": "1", "PYTHONPATH": str(root)}
    env.pop("OMP_NUM_THREADS", None)
    env.pop("OPENBLAS_NUM_THREADS", None)
    proc = subprocess.run([sys.executable, "-c", OVERLAP], capture_output=True, text=True, env=env, cwd=root,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    before = [tuple(x) for x in out["before"]]
    if not any(api == "blas" and n > 1 for api, n in before):
        pytest.skip(f"no multi-threaded BLAS pool to observe ({before})")
    for name in ("a", "b"):
        assert all(n == 1 for _, n in out["inside"][name]), out["inside"]
    assert [tuple(x) for x in out["after"]] == before, f"pools left at {out['after']} after two overlapping sessions"
    assert all(n == 1 for _, n in out["again"]) and [tuple(x) for x in out["final"]] == before


# ----------------------------------------------------------------- uploads

def _upload_app():
    from streamlit.testing.v1 import AppTest

    from tests.test_app import APP, TIMEOUT

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception
    return at


def _csv() -> bytes:
    from tests.conftest import make_reviews

    return make_reviews(12, 2).to_csv(index=False).encode("utf-8")


@pytest.fixture
def fast_env(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("SEGKIT_MAP_METHOD", "pca")
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "segkit-cache"))


def test_an_upload_survives_leaving_the_data_page_at_once(fast_env):
    """Drop a file, click another page before the Data page has read it: the file is used."""
    at = _upload_app()
    at.file_uploader(key="data_upload").set_value(("mine.csv", _csv(), "text/csv"))
    at.switch_page("pages/segment.py").run()  # one run: the upload and the page change together
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["sk_dataset"].name == "mine.csv"
    assert not at.session_state["sk_dataset"].is_sample


def test_a_bad_upload_after_leaving_is_reported_on_the_data_page(fast_env):
    at = _upload_app()
    at.file_uploader(key="data_upload").set_value(("bad.parquet", b"not parquet", "application/octet-stream"))
    at.switch_page("pages/overview.py").run()
    assert at.session_state["sk_dataset"].is_sample
    at.switch_page("pages/data.py").run()
    assert any("bad.parquet cannot be used" in e.value.replace("\\", "") for e in at.error), \
        [e.value for e in at.error]


def test_the_reading_bar_escapes_the_file_name(fast_env, monkeypatch):
    """`[x](https:evil.example).csv` must not render as a link while it is read (the
    progress bar's text is markdown; dashboard/waiting.py draws it for a read that takes a while)."""
    import time

    from streamlit.delta_generator import DeltaGenerator

    import dashboard.state as state

    shown: list[str] = []
    original_progress, original_read = DeltaGenerator.progress, state.read_table

    def progress(self, value, text=None, **kwargs):
        shown.append(text or "")
        return original_progress(self, value, text=text, **kwargs)

    def slow_read(*args, **kwargs):
        time.sleep(1.0)
        return original_read(*args, **kwargs)

    at = _upload_app()
    monkeypatch.setattr(DeltaGenerator, "progress", progress)
    monkeypatch.setattr(state, "read_table", slow_read)
    name = "[x](https:evil.example).csv"
    at.file_uploader(key="data_upload").set_value((name, _csv(), "text/csv")).run()
    assert not at.exception
    labels = [text for text in shown if "evil" in text]
    assert labels, shown
    for text in labels:
        assert "](" not in text and "[x]" not in text, text
        assert "\\[x\\]\\(https\\:evil\\.example\\)\\.csv" in text
    assert at.session_state["sk_dataset"].name == name
