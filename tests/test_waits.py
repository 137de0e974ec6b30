"""Honest waiting (segkit.waits): the time-left rule on a fake clock, the per-machine speeds,
the plans, and the library's progress hooks (reading, the K sweep, sentiment, UMAP's rounds)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from segkit import waits
from segkit.waits import Phase, Wait, costs, plans


@pytest.fixture(autouse=True)
def _own_speeds(monkeypatch, tmp_path):
    """Each test starts from the cost model alone: what other tests' waits taught the
    process's speeds file (tests/conftest.py) would change the expected seconds."""
    monkeypatch.setenv(costs.SPEEDS_ENV, str(tmp_path / "own-speeds.json"))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_before_any_progress_the_plan_counts_down():
    clock = Clock()
    wait = Wait([Phase("a", 10.0), Phase("b", 5.0)], clock=clock)
    assert wait.status().left == 15.0 and wait.status().fraction == 0.0
    wait.start()
    clock.now = 4.0
    status = wait.status()
    assert status.left == pytest.approx(11.0) and status.phase == "a"
    assert status.fraction == pytest.approx(4 / 15)


def test_a_phase_that_reports_progress_is_timed_by_its_own_rate():
    clock = Clock()
    wait = Wait([Phase("load", 1.0), Phase("rounds", 10.0)], clock=clock)
    wait.start()
    clock.now = 1.0
    wait.enter("rounds")
    clock.now = 3.0
    wait.progress(0, 30)  # setup before the first round is not part of the rate
    clock.now = 5.0
    wait.progress(10, 30)  # 10 rounds in 2 s: 20 more take 4 s, not the plan's 6.7
    assert wait.status().left == pytest.approx(4.0)
    clock.now = 6.0  # a second later, no report: the time left keeps counting down
    assert wait.status().left == pytest.approx(3.0)


def test_a_slow_start_fades_out_of_the_rate():
    clock = Clock()
    wait = Wait([Phase("embed", 10.0)], clock=clock)
    wait.start()
    for at, share in ((0.0, 0.0), (2.0, 0.05), (3.0, 0.15), (4.0, 0.25)):  # a pipeline filling, then steady
        clock.now = at
        wait.progress(share * 100, 100)
    # From the last report at or before a quarter of the progress (0.05 at 2 s): 0.2 in 2 s, 0.75 left
    # (from the first report it would be 12 s).
    assert wait.status().left == pytest.approx(7.5)


def test_later_phases_follow_the_speed_measured_so_far():
    clock = Clock()
    wait = Wait([Phase("a", 10.0), Phase("b", 10.0)], clock=clock)
    wait.start()
    clock.now = 20.0  # a took twice its estimate
    wait.enter("b")
    speed = (0.5 * 2.0 + waits.PRIOR_WEIGHT) / (0.5 + waits.PRIOR_WEIGHT)  # shrunk towards the model
    assert wait.status().left == pytest.approx(10.0 * speed)


def test_an_overrunning_phase_never_shows_zero_and_cached_phases_do_not_set_the_speed():
    clock = Clock()
    wait = Wait([Phase("tree", 2.0), Phase("words", 8.0), Phase("names", 1.0)], clock=clock)
    wait.start()
    clock.now = 10.0  # the tree overran its 2 s
    assert wait.status().left == pytest.approx(waits.OVERRUN_SHARE * 10.0 + 9.0)
    wait.enter("words")
    clock.now = 10.1  # the word counts were kept: done in a moment
    wait.enter("names")
    assert 1 in wait.skipped and 0 not in wait.skipped
    clock.now = 10.6
    wait.finish()
    assert wait.status().done and wait.status().left == 0.0
    assert set(wait.measured()) == {"tree", "names"}


def test_a_long_overrun_says_so_instead_of_a_number():
    from segkit.waits.words import status_line

    clock = Clock()
    wait = Wait([Phase("map.umap.graph", 2.0), Phase("map.umap.layout", 3.0)], clock=clock)
    wait.start()
    clock.now = 2.5
    assert not wait.status().overrun
    assert status_line("UMAP map", wait.status()) == "UMAP map · finding neighbours · about 3 s left"
    clock.now = 60.0  # far past the estimate, nothing reported
    status = wait.status()
    assert status.overrun and "longer than expected" in status_line("UMAP map", status)
    assert "比预计的久" in status_line("UMAP 地图", status, "zh")


def test_phases_the_library_skips_or_does_not_know_are_handled():
    clock = Clock()
    wait = Wait([Phase("a", 1.0), Phase("b", 1.0), Phase("c", 1.0)], clock=clock)
    wait.start()
    wait.enter("unknown")  # not in the plan: ignored
    assert wait.current == 0
    clock.now = 1.0
    wait.enter("c")  # b never ran
    assert wait.current == 2 and 1 in wait.skipped
    wait.enter("a")  # no going back
    assert wait.current == 2
    family = Wait([Phase("prepare", 1.0), Phase("embed.x.load", 1.0, until_progress=True), Phase("embed.x", 1.0)])
    family.start()
    family.enter("embed")  # the first of the family
    assert family.current == 1
    family.progress(0, 10)  # the first batch: loading is over, even though "embed.x.load" starts with "embed.x"
    assert family.current == 2


def test_waiting_sets_the_open_wait_for_library_calls_and_learns_only_on_success(tmp_path, monkeypatch):
    monkeypatch.setenv(costs.SPEEDS_ENV, str(tmp_path / "speeds.json"))
    seen = []
    wait = Wait([Phase("x", 1.0, raw=1.0)], on_finish=seen.append)
    waits.progress(1, 2)  # no open wait: nothing happens
    with waits.waiting(wait):
        assert waits.current() is wait
        waits.progress(1, 2)
        assert wait._last is not None
    assert waits.current() is None and seen == [wait]
    failing = Wait([Phase("x", 1.0, raw=1.0)], on_finish=seen.append)
    with pytest.raises(ValueError), waits.waiting(failing):
        raise ValueError("boom")
    assert seen == [wait] and failing.status().done


def test_speeds_learn_per_machine_and_survive_a_restart(tmp_path, monkeypatch):
    path = tmp_path / "speeds.json"
    monkeypatch.setenv(costs.SPEEDS_ENV, str(path))
    store = costs.Speeds(path)
    assert store.factor("embed.minilm.openvino") == 1.0
    store.learn("embed.minilm.openvino", raw=10.0, actual=4.0)  # 2.5x faster than the model
    assert store.factor("embed.minilm.openvino") == pytest.approx(0.4 ** costs.LEARN_WEIGHT)
    store.learn("embed.minilm.openvino", raw=10.0, actual=4.0)
    assert store.factor("embed.minilm.openvino") == pytest.approx(0.4 ** 0.75)
    store.learn("tiny", raw=0.01, actual=0.02)  # timer noise teaches nothing
    store.learn("wild", raw=1.0, actual=100.0)  # clipped
    again = costs.Speeds(path)
    assert again.factor("embed.minilm.openvino") == pytest.approx(0.4 ** 0.75)
    assert again.factor("tiny") == 1.0 and again.factor("wild") == costs.FACTOR_RANGE[1]
    path.write_text("not json")
    assert costs.Speeds(path).factor("embed.minilm.openvino") == 1.0  # a broken file is ignored
    path.write_text(json.dumps({"factors": {"a": "fast", "b": 1e9}}))
    assert costs.Speeds(path).factor("a") == costs.Speeds(path).factor("b") == 1.0


def test_a_finished_wait_corrects_the_next_estimate(tmp_path, monkeypatch):
    monkeypatch.setenv(costs.SPEEDS_ENV, str(tmp_path / "speeds.json"))
    first = plans.embed_wait("static", 10.0)
    assert first.expected_s == pytest.approx(10.0)
    clock = Clock()
    first.clock = clock
    with waits.waiting(first):
        clock.now = 1.0
        waits.progress(0, 100)
        clock.now = 2.0
        waits.progress(100, 100)  # 2 s in all where the model said 10
    assert costs.speeds().factor(plans.embed_key("static")) == pytest.approx(0.2 ** costs.LEARN_WEIGHT)
    assert plans.embed_wait("static", 10.0).expected_s == pytest.approx(10.0 * 0.2 ** costs.LEARN_WEIGHT)
    from segkit.embed.choice import expected_seconds
    from segkit.embed.static import StaticEmbedder

    raw = StaticEmbedder().expected_seconds(5000, 300)
    assert expected_seconds("static", 5000, 300) == pytest.approx(raw * 0.2 ** costs.LEARN_WEIGHT)


def test_loading_lasts_until_the_first_batch_and_minilm_time_follows_text_length(monkeypatch):
    monkeypatch.setenv("SEGKIT_MINILM_ENGINE", "openvino")
    clock = Clock()
    wait = plans.embed_wait("minilm", 99.0, n_texts=1000, mean_chars=400)
    assert [p.name for p in wait.phases] == ["embed.minilm.openvino.load", "embed.minilm.openvino"]
    wait.clock = clock
    wait.start()
    clock.now = 2.0  # loading takes longer than expected: no rate yet
    wait.progress(0, 1000)  # the first batch goes in: loading is over
    assert wait.current == 1 and wait.actual[0] == 2.0
    longer = plans.embed_wait("minilm", 99.0, n_texts=1000, mean_chars=800).expected_s
    shorter = plans.embed_wait("minilm", 99.0, n_texts=1000, mean_chars=200).expected_s
    assert shorter < wait.expected_s < longer < 2 * wait.expected_s  # not proportional to characters
    assert plans.embed_wait("minilm", 99.0, 1000, 5000).expected_s == plans.embed_wait("minilm", 99.0, 1000,
                                                                                        1100).expected_s


def test_the_minilm_speed_is_kept_per_engine(monkeypatch):
    monkeypatch.setenv("SEGKIT_MINILM_ENGINE", "torch")
    assert plans.embed_key("minilm") == "embed.minilm.torch"
    monkeypatch.setenv("SEGKIT_MINILM_ENGINE", "openvino")
    assert plans.embed_key("minilm") == "embed.minilm.openvino"
    assert plans.embed_key("tfidf") == "embed.tfidf"


def test_plans_name_the_phases_the_library_announces():
    names = lambda wait: [p.name for p in wait.phases]  # noqa: E731
    assert names(plans.upload_wait(10 * plans.MB)) == ["read.parse", "read.columns", "roles"]
    assert names(plans.space_wait(20_000, 129, "umap", {"n_components": 5, "n_epochs": 30})) == [
        "space.fuse", "space.umap.graph", "space.umap.layout"]
    assert names(plans.space_wait(20_000, 129, "pca", {})) == ["space.fuse", "space.pca"]
    hdb = plans.cluster_wait(20_000, "hdbscan", False, 20_000, 400)
    assert names(hdb) == ["cluster.fit.hdbscan", "cluster.metrics", "describe.sentiment", "describe.keywords",
                          "describe.keyword_scores", "describe.rest"]
    kmeans = plans.cluster_wait(20_000, "kmeans", True, 20_000, 400, described=True)
    assert names(kmeans) == ["cluster.auto_k", "cluster.fit.kmeans", "cluster.metrics", "describe.keyword_scores",
                             "describe.rest"]
    assert names(plans.map_wait(20_000, compiling_for=10.0))[0] == "map.umap.compile"
    # More work, more time: the layout's rounds and the users both count.
    assert plans.space_wait(20_000, 129, "umap", {"n_epochs": 60}).expected_s > \
        plans.space_wait(20_000, 129, "umap", {"n_epochs": 30}).expected_s
    assert plans.map_wait(50_000).expected_s > plans.map_wait(20_000).expected_s


def test_keyword_scores_are_revised_with_segments_and_terms():
    wait = plans.cluster_wait(20_000, "hdbscan", False, 20_000, 400, described=True)
    with waits.waiting(wait):
        waits.phase("describe.keyword_scores", segments=100, terms=120_000)  # as segkit.describe.keywords says it
        assert wait.phases[wait.current].seconds == pytest.approx(costs.COSTS["describe.keyword_scores"][1] * 12)


def test_a_phase_is_revised_when_the_library_knows_its_size():
    clock = Clock()
    wait = plans.cluster_wait(20_000, "kmeans", False, 20_000, 400, described=True, k=5)
    wait.clock = clock
    before = wait.phases[-1].seconds
    with waits.waiting(wait):
        waits.phase("describe.rest", segments=50)  # as segkit.describe.summary says it
        assert wait.phases[-1].seconds == pytest.approx(10 * before - 9 * costs.COSTS["describe.rest"][0])


def test_reading_a_csv_reports_its_bytes_then_its_columns(tmp_path):
    from segkit.io import read

    monkey_chunk = read._CHUNK_BYTES
    read._CHUNK_BYTES = 4096  # several chunks from a small file
    try:
        frame = pd.DataFrame({"user_id": [f"u{i}" for i in range(3000)], "review": ["good value"] * 3000,
                              "age": np.arange(3000) % 70})
        path = tmp_path / "r.csv"
        frame.to_csv(path, index=False)
        reports, entered = [], []

        class Spy(Wait):
            def progress(self, done, total):
                reports.append((self.phases[self.current].name, done, total))

            def enter(self, name, seconds=None, raw=None):
                entered.append(name)
                super().enter(name, seconds, raw)

        with waits.waiting(Spy(plans.upload_wait(path.stat().st_size).phases)):
            read.read_table(path)
    finally:
        read._CHUNK_BYTES = monkey_chunk
    parsed = [done for name, done, _ in reports if name == "read.parse"]
    assert len(parsed) > 3 and parsed == sorted(parsed) and parsed[-1] == path.stat().st_size
    assert entered == ["read.columns"]


def test_the_k_sweep_and_sentiment_report_progress():
    from segkit.metrics.sweep import k_sweep
    from segkit.sentiment import SCORE_CHUNK, score_texts

    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(300, 4)).astype(np.float32)
    seen = []

    class Spy(Wait):
        def progress(self, done, total):
            seen.append(done / total)

    with waits.waiting(Spy([Phase("cluster.auto_k", 1.0)])):
        k_sweep(matrix, range(2, 7), reference=False)
    assert len(seen) == 5 and seen == sorted(seen) and seen[-1] == 1.0
    assert seen[0] == pytest.approx(2 / sum(range(2, 7)))  # weighted by K
    seen.clear()
    texts = [f"great, I love it ({i})" if i % 2 else f"awful and broken ({i})" for i in range(SCORE_CHUNK + 500)]
    with waits.waiting(Spy([Phase("describe.sentiment", 1.0)])):
        scores, _ = score_texts(texts, backend="vader")
    assert len(seen) >= 2 and seen[-1] == 1.0
    assert scores[1] > 0 > scores[0]


def test_umap_rounds_become_progress_of_the_layout_phase():
    from segkit.reduce.umap_progress import layout_tqdm_kwds

    assert layout_tqdm_kwds("space.umap") == {"disable": True}  # no open wait: UMAP's default
    wait = Wait([Phase("space.umap.graph", 1.0), Phase("space.umap.layout", 1.0)])
    with waits.waiting(wait):
        kwds = layout_tqdm_kwds("space.umap")
        sink = kwds["file"]
        sink.write("\r0/30")
        assert wait.current == 1
        sink.write("\r12/30")  # the first two rounds are nearly free: work counts from round 2
        assert wait._last[1] == pytest.approx(10 / 28)
        sink.write("\r30/30")
        assert wait._last[1] == 1.0


@pytest.mark.slow
def test_a_real_umap_fit_reports_its_rounds():
    from segkit.reduce.umap_reducer import UmapReducer

    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(400, 8)).astype(np.float32)
    wait = plans.space_wait(400, 8, "umap", {"n_epochs": 20})
    rounds = []
    original = wait.progress
    wait.progress = lambda done, total: (rounds.append((done, total)), original(done, total))
    with waits.waiting(wait):
        waits.phase("space.umap.graph")
        UmapReducer(n_components=2, n_epochs=20).fit_transform(matrix)
    assert rounds[-1] == (18, 18) and len(rounds) >= 10  # rounds 2..20 (umap_progress.RAMP_ROUNDS)
    assert "space.umap.layout" in wait.measured()


def test_the_cli_draws_what_runs_and_the_time_left(tmp_path, capsys, monkeypatch, reviews):
    import time

    import segkit.pipeline as pipeline
    from segkit.cli import main

    original = pipeline.table_sentiment

    def slow(*args, **kwargs):
        time.sleep(1.5)
        return original(*args, **kwargs)

    monkeypatch.setattr(pipeline, "table_sentiment", slow)
    path = tmp_path / "reviews.csv"
    reviews.to_csv(path, index=False)
    assert main(["segment", str(path), "--embedder", "tfidf", "--no-cache", "--out", str(tmp_path / "o.csv")]) == 0
    err = capsys.readouterr().err
    assert "segmenting · scoring sentiment · " in err and " left" in err


def test_stability_refits_report_progress_to_a_wait_that_expects_them():
    from segkit.metrics.stability import bootstrap_stability, seed_stability

    rng = np.random.default_rng(0)
    matrix = np.vstack([rng.normal(c, 0.3, size=(100, 4)) for c in (0.0, 3.0, 6.0)]).astype(np.float32)
    for name, work, wait in (
        ("seeds", lambda: seed_stability(matrix, "kmeans", {"k": 3}), plans.refits_wait(300, "kmeans", 5)),
        ("bootstrap", lambda: bootstrap_stability(matrix, np.repeat([0, 1, 2], 100), "kmeans", {"k": 3}, repeats=4),
         plans.refits_wait(300, "kmeans", 4, 0.8)),
    ):
        seen = []
        report = wait.progress
        wait.progress = lambda done, total, report=report, seen=seen: (seen.append((done, total)), report(done, total))
        with waits.waiting(wait):
            work()
        assert seen and all(total == seen[0][1] for _, total in seen), name
        assert [done for done, _ in seen] == sorted(done for done, _ in seen), name
        assert seen[0][1] == (5 if name == "seeds" else 4) and len(seen) >= 3, (name, seen)
    # Five fits cost five times one fit; a bootstrap refit costs what a fit on its users
    # does (K-means grows with the users, HDBSCAN faster: (thousand users) ** 1.5).
    one = plans.refits_wait(20_000, "kmeans", 1).expected_s
    assert plans.refits_wait(20_000, "kmeans", 5).expected_s == pytest.approx(5 * one)
    assert plans.refits_wait(20_000, "kmeans", 4, 0.8).expected_s == pytest.approx(4 * 0.8 * one)
    one = plans.refits_wait(20_000, "hdbscan", 1).expected_s
    assert plans.refits_wait(20_000, "hdbscan", 4, 0.8).expected_s == pytest.approx(4 * 0.8 ** 1.5 * one)
    assert plans.refits_wait(40_000, "hdbscan", 1).expected_s == pytest.approx(2 ** 1.5 * one)


def test_equal_steps_count_from_the_phase_start():
    """Refits report after each whole fit: the first fit's time is the rate, not a warm-up."""
    for from_start, expected_left in ((True, 12.0), (False, None)):
        clock = Clock()
        wait = Wait([Phase("fits", 10.0, steps_from_start=from_start)], clock=clock)
        wait.start()
        clock.now = 4.0
        wait.progress(1, 4)
        left = wait.status().left
        if expected_left is not None:
            assert left == pytest.approx(expected_left)
        else:  # one report and no rate yet: the plan's 10 s less what a quarter of it took
            assert left == pytest.approx(10.0 * 0.75)
        clock.now = 8.0
        wait.progress(2, 4)
        assert wait.status().left == pytest.approx(8.0, rel=0.05 if from_start else 0.3)
