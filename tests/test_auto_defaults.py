"""The defaults a new user gets: the embedder rule, the automatic K rule, background jobs."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from segkit.embed.background import EmbeddingCancelled, EmbedJob, EmbedJobs
from segkit.embed.choice import choose_embedder, expected_seconds
from segkit.metrics.sweep import NO_STRUCTURE_EXCESS, READABLE_K, auto_k, k_sweep

# ------------------------------------------------------------------ automatic K


def _blobs(centres: np.ndarray, n: int, spread: float = 1.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(centres), n)
    return (centres[pick] + rng.normal(0, spread, (n, centres.shape[1]))).astype(np.float32)


def test_two_clear_groups_give_two():
    centres = np.zeros((2, 10))
    centres[0, 0] = 6.0
    chosen = auto_k(_blobs(centres, 3000))
    assert chosen.k == 2
    assert chosen.strength == "clear"


def test_unbalanced_varied_groups_are_not_two():
    # Six overlapping groups of very different sizes (40% .. 4%): today's plain arg-max
    # silhouette picks K = 2 here; the reference-corrected rule finds the six.
    rng = np.random.default_rng(1)
    centres = rng.normal(0, 1.5, (6, 10))
    pick = rng.choice(6, 3000, p=[.4, .25, .15, .1, .06, .04])
    users = (centres[pick] + rng.normal(0, 1.0, (3000, 10))).astype(np.float32)
    chosen = auto_k(users)
    sweep = chosen.sweep
    assert int(sweep.loc[sweep["silhouette"].idxmax(), "k"]) == 2
    assert chosen.k == 6


def test_an_elongated_cloud_without_groups_says_so():
    rng = np.random.default_rng(1)
    cloud = (rng.standard_normal((4000, 10)) * np.linspace(4, 0.5, 10)).astype(np.float32)
    sweep = k_sweep(cloud, range(2, 16))
    # Plain silhouette prefers K = 2 here: the long axis splits "nicely".
    assert int(sweep.loc[sweep["silhouette"].idxmax(), "k"]) == 2
    assert sweep["silhouette_excess"].max() < NO_STRUCTURE_EXCESS
    chosen = auto_k(cloud)
    assert chosen.k == READABLE_K
    assert chosen.strength == "none"
    assert "No grouping" in chosen.note


def test_two_segments_need_a_clear_grouping():
    # Two overlapping groups 3.5 SD apart: K = 2 has the largest excess, but its silhouette
    # is below 0.25, so the rule looks for more structure instead of a weak 2-way split.
    rng = np.random.default_rng(0)
    first = rng.standard_normal((1500, 10))
    first[:, 0] += 3.5
    users = np.vstack([first, rng.standard_normal((1500, 10))]).astype(np.float32)
    chosen = auto_k(users)
    sweep = chosen.sweep
    assert int(sweep.loc[sweep["silhouette_excess"].idxmax(), "k"]) == 2
    assert float(sweep.loc[sweep["k"] == 2, "silhouette"].iloc[0]) < 0.25
    assert chosen.k > 2 and chosen.strength == "weak"


def test_weak_structure_is_named_in_the_note():
    centres = np.zeros((4, 10))
    centres[np.arange(4), np.arange(4)] = 2.2  # four groups that touch
    chosen = auto_k(_blobs(centres, 3000, seed=2))
    assert chosen.strength in ("weak", "clear")
    if chosen.silhouette < 0.25:
        assert chosen.strength == "weak" and "No strong grouping" in chosen.note


def test_sweep_records_reference_columns_only_for_kmeans():
    data = _blobs(np.eye(3, 5) * 5, 300)
    assert {"reference_silhouette", "silhouette_excess"} <= set(k_sweep(data, range(2, 5)).columns)
    assert "silhouette_excess" not in k_sweep(data, range(2, 5), algorithm="gmm").columns


# ------------------------------------------------------------------ default embedder


def test_english_gets_minilm_and_a_reason(monkeypatch):
    monkeypatch.delenv("SEGKIT_EMBEDDER", raising=False)
    texts = ["The strings sound bright and stay in tune for weeks."] * 500
    choice = choose_embedder(texts, available=["tfidf", "minilm", "static", "multilingual"])
    assert choice.name == "minilm"
    assert "MiniLM" in choice.reason and choice.expected_seconds > 0


def test_chinese_gets_multilingual(monkeypatch):
    monkeypatch.delenv("SEGKIT_EMBEDDER", raising=False)
    texts = ["这把吉他音色很好，琴弦也不错，物流很快。"] * 300
    choice = choose_embedder(texts, available=["tfidf", "minilm", "static", "multilingual"])
    assert choice.name == "multilingual"


def test_past_the_budget_english_gets_static(monkeypatch):
    monkeypatch.delenv("SEGKIT_EMBEDDER", raising=False)
    texts = ["A long review of the pedal board and the cables that came with it. " * 6] * 20_000
    seconds = expected_seconds("minilm", len(texts), len(texts[0]))
    choice = choose_embedder(texts, budget_s=seconds / 2, available=["tfidf", "minilm", "static"])
    assert choice.name == "static"
    assert "budget" in choice.reason
    assert choose_embedder(texts, budget_s=seconds * 2, available=["tfidf", "minilm", "static"]).name == "minilm"


def test_missing_model_falls_back_to_tfidf(monkeypatch):
    monkeypatch.delenv("SEGKIT_EMBEDDER", raising=False)
    choice = choose_embedder(["plain english words here"] * 10, available=["tfidf"])
    assert choice.name == "tfidf" and "not installed" in choice.reason


def test_environment_can_name_the_default(monkeypatch):
    monkeypatch.setenv("SEGKIT_EMBEDDER", "static")
    assert choose_embedder(["x y z"], available=["tfidf", "static"]).name == "static"
    monkeypatch.setenv("SEGKIT_EMBEDDER", "nonsense")
    from segkit.errors import SegkitInputError

    with pytest.raises(SegkitInputError, match="SEGKIT_EMBEDDER=nonsense"):
        choose_embedder(["x y z"], available=["tfidf", "static"])


# ------------------------------------------------------------------ background jobs


def _slow_work(steps: int = 50, pause: float = 0.02, fail_at: int | None = None):
    def work(progress):
        for i in range(1, steps + 1):
            if fail_at == i:
                raise MemoryError("planted")
            time.sleep(pause)
            progress(i * 10, steps * 10)
        return "vectors"
    return work


def _wait(job, states=("done", "failed", "cancelled"), timeout=20.0):
    deadline = time.time() + timeout
    while job.status().state not in states and time.time() < deadline:
        time.sleep(0.02)
    return job.status()


def test_job_reports_progress_and_finishes():
    jobs = EmbedJobs()
    job = jobs.start("k", "session-a", _slow_work(), estimate_s=1.0)
    seen = []
    while job.status().state != "done":
        seen.append(job.status())
        time.sleep(0.05)
    assert job.future.result() == "vectors"
    running = [s for s in seen if s.state == "running" and s.done]
    assert running and all(0 < s.fraction <= 1 for s in running)
    assert any(s.eta_s is not None for s in running)


def test_same_content_shares_one_job_and_cancel_needs_everyone():
    jobs = EmbedJobs()
    first = jobs.start("k", "a", _slow_work(steps=200))
    second = jobs.start("k", "b", _slow_work(steps=200))
    assert first is second
    jobs.cancel("k", "a")
    time.sleep(0.1)
    assert first.status().state == "running"  # b still waits for it
    jobs.cancel("k", "b")
    assert _wait(first).state == "cancelled"
    assert isinstance(first.future.exception(), EmbeddingCancelled)


def test_failed_job_is_reported_and_not_retried_for_the_same_session():
    jobs = EmbedJobs()
    job = jobs.start("k", "a", _slow_work(fail_at=3))
    status = _wait(job)
    assert status.state == "failed" and "MemoryError: planted" in status.error
    assert jobs.start("k", "a", _slow_work()) is job  # no retry loop on every rerun
    again = jobs.start("k", "new-session", _slow_work(steps=2))
    assert again is not job and _wait(again).state == "done"


def test_one_worker_thread_runs_jobs_in_turn():
    jobs = EmbedJobs()
    active, peak = [0], [0]
    lock = threading.Lock()

    def work(progress):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        return 1

    started = [jobs.start(f"k{i}", "a", work) for i in range(3)]
    for job in started:
        _wait(job)
    assert peak[0] == 1


def test_a_job_shows_the_time_left_of_its_wait():
    from segkit.waits import Phase, Wait

    clock = [0.0]
    wait = Wait([Phase("embed.fake", 100.0)], clock=lambda: clock[0])
    job = EmbedJob(wait)
    assert job.status().eta_s == 100.0  # queued: the estimate
    wait.start()
    job.started = 1.0
    clock[0] = 4.0
    job.progress(0, 1000)  # the model is loaded: the first report
    clock[0] = 6.0
    job.progress(500, 1000)  # half in 2 s: 2 s more, whatever the estimate said
    assert job.status().state == "running"
    assert job.status().eta_s == pytest.approx(2.0)
    assert EmbedJob(None, None).status().eta_s is None  # no estimate, no rate: unknown


def test_the_time_estimate_grows_with_text_length_up_to_the_model_window():
    from segkit.embed.minilm import MiniLMEmbedder
    from segkit.embed.multilingual import MultilingualEmbedder
    from segkit.embed.tfidf import TfidfSvdEmbedder

    minilm = MiniLMEmbedder()
    at_reference = minilm.expected_seconds(1000, minilm.reference_chars)
    assert minilm.expected_seconds(1000, 800) == pytest.approx(2 * at_reference)
    assert minilm.expected_seconds(1000, 50_000) == minilm.expected_seconds(1000, minilm.window_chars)
    assert minilm.expected_seconds(1000, 10) == pytest.approx(at_reference / 2)  # a floor: per-text costs
    tfidf = TfidfSvdEmbedder()
    assert tfidf.expected_seconds(1000, 4000) > 2 * tfidf.expected_seconds(1000, 400)
    e5 = MultilingualEmbedder()  # measured as fast on titles as on reviews: no length scaling
    assert e5.expected_seconds(1000, 30) == e5.expected_seconds(1000, 900) == e5.expected_seconds(1000)


def test_the_workload_counts_each_distinct_text_once():
    from segkit.embed.choice import text_workload

    assert text_workload(["abcd", "abcd", "", None, "ab"]) == (2, 3.0)
    assert text_workload([]) == (0, 0.0)
