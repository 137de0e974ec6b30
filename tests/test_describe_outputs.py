"""Real-unit profile, sentiment, persona and bootstrap stability in the summary, CSV and report (issue 13)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from segkit.config import RunConfig
from segkit.edits import Edits, summary_export
from segkit.export.report import segment_report_html, segment_stability
from segkit.io import infer_roles, prepare_users
from segkit.pipeline import build_space, embed_users, segment_embedded
from tests.conftest import make_reviews


def _run(frame, **changes):
    config = RunConfig(roles=infer_roles(frame), algorithm_params={"k": 3}, map_method="pca").with_changes(**changes)
    table = prepare_users(frame, config.roles)
    embeddings = embed_users(table, config.embedder, {}, None)
    return segment_embedded(table, embeddings, config, map_method="pca")


@pytest.fixture(scope="module")
def frame():
    frame = make_reviews(n_users=45, reviews_per_user=2)
    # Beauty users write happily, tech users angrily: the sentiment shows it per segment.
    frame.loc[frame["true_segment"] == "beauty", "review"] += " I absolutely love it, wonderful!"
    frame.loc[frame["true_segment"] == "tech", "review"] += " Terrible, it broke, I hate it."
    return frame


@pytest.fixture(scope="module")
def run(frame):
    return _run(frame)


def test_summary_table_has_real_units_lift_sentiment_and_persona(run):
    table = run.summary.table
    for column in ("z_spend", "mean_spend", "median_spend", "all_mean_spend", "diff_spend", "lift_spend",
                   "p_spend", "sig_spend", "top_over_tier", "top_under_tier", "sentiment_mean",
                   "sentiment_positive", "sentiment_neutral", "sentiment_negative", "persona"):
        assert column in table.columns, column
    all_mean = float(run.table.users["spend"].mean())
    assert np.allclose(table["all_mean_spend"], round(all_mean, 4))
    assert np.allclose(table["diff_spend"], table["mean_spend"] - table["all_mean_spend"], atol=1e-3)
    shares = table[["sentiment_positive", "sentiment_neutral", "sentiment_negative"]].sum(axis=1)
    assert np.allclose(shares, 1.0, atol=1e-3)
    # The tech segment (highest spend) is the angry one, beauty (lowest spend) the happy one.
    tech = table.loc[table["mean_spend"].idxmax()]
    beauty = table.loc[table["mean_spend"].idxmin()]
    assert tech["sentiment_mean"] < 0 < beauty["sentiment_mean"]
    assert "gold" in tech["top_over_tier"] and "×" in tech["top_over_tier"]
    assert all(p.endswith("of users.") for p in table["persona"])
    assert "mostly negative" in tech["persona"] and "mostly positive" in beauty["persona"]


def test_summary_export_keeps_the_new_columns(run):
    out = summary_export(run, segment_stability(run))
    assert {"persona", "mean_spend", "top_over_tier", "sentiment_mean", "stability"} <= set(out.columns)


def test_persona_in_the_other_language_on_demand(run):
    assert run.summary.persona_lang == "en"
    assert run.summary.persona(0, "zh").endswith("。")
    assert run.summary.persona(0) == run.summary.personas[0]


def test_report_shows_persona_units_over_under_and_sentiment(run):
    document = segment_report_html(run)
    assert run.summary.personas[0].split(";")[0].replace("'", "&#x27;") in document
    assert "In real units" in document and "Welch" in document
    assert "More common here" in document and "two-proportion z-test" in document
    assert "Sentiment of its reviews" in document and "VADER" in document
    zh = segment_report_html(run, lang="zh")
    assert "真实单位" in zh and "评论情感" in zh


def test_merges_recompute_sentiment_and_personas(run):
    edited = Edits.of(merges=[[0, 1]]).apply(run)
    assert set(edited.summary.personas) == {0, 2}
    assert edited.summary.sentiment is not None and set(edited.summary.sentiment.index) == {0, 2}


def test_deterministic_methods_get_bootstrap_stability_not_100_by_construction(frame):
    run = _run(frame, algorithm="agglomerative")
    stability = segment_stability(run)
    assert stability["deterministic"] and stability["method"] == "bootstrap"
    assert stability["repeats"] == 4 and set(stability["per_segment"]) == {0, 1, 2}
    assert all(0.0 <= v <= 1.0 for v in stability["per_segment"].values())
    merged = segment_stability(Edits.of(merges=[[0, 1]]).apply(run))
    sizes = {s: int((run.result.labels == s).sum()) for s in (0, 1)}
    expected = sum(stability["per_segment"][s] * sizes[s] for s in (0, 1)) / sum(sizes.values())
    assert merged["per_segment"][0] == pytest.approx(expected)
    # Noise: the same method on random points is far from "100% stable".
    rng = np.random.default_rng(0)
    noisy = frame.copy()
    noisy["review"] = [" ".join(rng.choice(["alpha", "beta", "gamma", "delta", "omega", "zeta"], 8))
                       for _ in range(len(frame))]
    noisy_run = _run(noisy, algorithm="agglomerative", algorithm_params={"k": 5})
    assert segment_stability(noisy_run)["overall"] < 0.95


def test_sentiment_trait_is_off_by_default_and_fuses_when_on(frame):
    config = RunConfig(roles=infer_roles(frame), algorithm_params={"k": 3})
    assert config.sentiment_trait is False
    old = json.loads(config.to_json())
    old.pop("sentiment_trait")
    assert RunConfig.from_dict(old).sentiment_trait is False  # configs saved before the field still load
    table = prepare_users(frame, config.roles)
    embeddings = embed_users(table, config.embedder, {}, None)
    off = build_space(table, embeddings, config)
    on = build_space(table, embeddings, config.with_changes(sentiment_trait=True))
    assert "sentiment" not in off.fused.numeric_cols
    assert "sentiment" in on.fused.numeric_cols
    assert on.fused.matrix.shape[1] == off.fused.matrix.shape[1] + 1


@pytest.mark.slow
def test_segments_page_cards_show_persona_units_sentiment_and_bootstrap_badge(monkeypatch, tmp_path):
    from tests.test_app import _app, _no_errors

    monkeypatch.setenv("SEGKIT_MAP_METHOD", "pca")
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path))
    settings = {"algorithm": "agglomerative", "params": {"agglomerative": {"k": 3}}, "auto_k": False}
    at = _app(make_reviews(n_users=45, reviews_per_user=2), settings)
    at.run()
    at.switch_page("pages/segments.py").run()
    _no_errors(at)
    markdown = " ".join(m.value for m in at.markdown)
    assert "of users" in markdown and "Writes about" in markdown  # the persona line
    html = " ".join(str(h.proto.body) for h in at.get("html"))
    assert "Welch" in html and "Lift" in html  # the real-unit table
    assert "positive" in html and "VADER" in html  # the sentiment bar
    assert "Jaccard" in html  # the stability badge is the bootstrap's, and says so
