"""The segment dictionary (segkit.export.report), the edits it applies and the charts behind it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from segkit.config import RunConfig
from segkit.edits import Edits, labeled_export, summary_export
from segkit.export.report import segment_report_html, segment_stability
from segkit.io import infer_roles, prepare_users
from segkit.pipeline import embed_users, segment_embedded
from tests.conftest import make_reviews

PAYLOAD = "<script>alert('x')</script> ![img](http://127.0.0.1:9/p.png) <b onclick=x>bold</b> & co"


def _run(frame: pd.DataFrame, **changes):
    roles = infer_roles(frame)
    config = RunConfig(roles=roles, algorithm_params={"k": 3}, map_method="pca").with_changes(**changes)
    table = prepare_users(frame, config.roles)
    embeddings = embed_users(table, config.embedder, {}, None)
    return segment_embedded(table, embeddings, config, map_method="pca")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    frame = make_reviews(n_users=45, reviews_per_user=2)
    frame.loc[0, "review"] = PAYLOAD + " " + frame.loc[0, "review"]
    frame.loc[1, "tier"] = "<img src=x onerror=alert(1)>"
    return frame


@pytest.fixture(scope="module")
def run(frame):
    return _run(frame)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(document: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(document)
    return parser.tags


def test_report_has_a_card_per_segment_with_the_parts_a_marketer_needs(run):
    document = segment_report_html(run)
    assert document.startswith("<!DOCTYPE html>")
    tags = _tags(document)
    cards = [attrs for tag, attrs in tags if tag == "article"]
    assert len(cards) == run.result.n_clusters == 3
    for name in run.summary.names.values():
        assert name.replace("&", "&amp;") in document
    for part in ("Keywords", "Example reviews", "Profile vs all users", "users"):
        assert document.count(part) >= 3, part
    # Stability: a heading on every card whose segment has a number (all three here), plus the table's column.
    assert sorted(segment_stability(run)["per_segment"]) == [0, 1, 2]
    assert document.count("<h3>Stability</h3>") == 3
    assert sum(1 for tag, _ in tags if tag == "svg") >= 3  # a profile chart per card
    assert "segkit segment --config" in document


def test_report_is_self_contained_and_escapes_uploaded_text(run):
    document = segment_report_html(Edits.of({0: "<i>Sporty</i> & \"co\"", 1: "<script>alert(1)</script>"}).apply(run))
    tags = _tags(document)
    names = {tag for tag, _ in tags}
    assert not names & {"script", "img", "link", "iframe", "object", "embed", "base", "frame"}
    for tag, attrs in tags:
        for key, value in attrs.items():
            assert not key.startswith("on"), (tag, key)
            if key in ("src", "href", "action", "xlink:href"):
                assert (value or "").startswith("#"), (tag, key, value)  # only in-page anchors
    assert "@import" not in document and "url(" not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert "<script" not in document and "<img" not in document and "<b onclick" not in document
    assert "&lt;i&gt;Sporty&lt;/i&gt; &amp; &quot;co&quot;" in document
    assert not re.search(r"<[^>]+\s(src|href)\s*=\s*[\"']?https?:", document)


def test_report_applies_merges_and_names(run):
    edited = Edits.of({1: "Tech and beauty"}, [[1, 2]]).apply(run)
    document = segment_report_html(edited)
    cards = [attrs for tag, attrs in _tags(document) if tag == "article"]
    assert len(cards) == 2
    assert "Tech and beauty" in document
    assert edited.summary.names[1] == "Tech and beauty"
    assert set(edited.labels.tolist()) == {0, 1}
    assert edited.unedited is run and set(run.labels.tolist()) == {0, 1, 2}  # the run itself is untouched
    # Applying edits to an edited run starts again from the original, never edits twice.
    assert Edits.of({0: "Solo"}).apply(edited).summary.names == {0: "Solo", 1: run.summary.names[1],
                                                               2: run.summary.names[2]}
    assert edited.metrics["n_segments"] == 2
    assert run.result.n_clusters == 3  # the original run is untouched


def test_segment_stability_is_a_share_per_segment(run):
    stability = segment_stability(run)
    assert set(stability["per_segment"]) == {0, 1, 2}
    assert all(0.0 <= v <= 1.0 for v in stability["per_segment"].values())
    assert stability["overall"] > 0.9  # three well separated topics come back with every seed
    merged_stability = segment_stability(Edits.of(merges=[[0, 2]]).apply(run))
    assert set(merged_stability["per_segment"]) == {0, 1}
    assert merged_stability["per_segment"][0] > 0.9  # the parts of a merge map back onto it


def test_density_runs_show_noise_and_policy(frame):
    run = _run(frame, algorithm="hdbscan", algorithm_params={"min_cluster_size": 5}, reducer="pca",
               reducer_params={"n_components": 5})
    stability = segment_stability(run)
    assert stability["deterministic"]
    document = segment_report_html(run, stability=stability)
    assert "noise policy" in document
    exported = labeled_export(frame, run)
    assert len(exported) == len(frame)
    summary = summary_export(run, stability)
    assert (summary["noise_policy"] == "keep").all()
    reassigned = _run(frame, algorithm="dbscan", algorithm_params={"eps": 0.9, "min_samples": 3}, reducer="pca",
                      reducer_params={"n_components": 5}, noise_policy="reassign")
    rows = labeled_export(frame, reassigned)
    assert len(rows) == len(frame)
    if reassigned.result.extra.get("reassigned"):
        assert rows["segkit_status"].str.contains("reassigned").any()


def test_cli_writes_the_report(tmp_path, frame):
    from segkit.cli import main

    source = tmp_path / "reviews.csv"
    frame.to_csv(source, index=False)
    report = tmp_path / "dictionary.html"
    assert main(["segment", str(source), "--k", "3", "--report", str(report), "--quiet", "--no-map",
                 "--no-cache"]) == 0
    document = report.read_text(encoding="utf-8")
    assert len([1 for tag, _ in _tags(document) if tag == "article"]) == 3
    assert "reviews.csv" in document


def test_charts_escape_uploaded_text(run):
    from segkit.plots import map_figure, profile_figure, sizes_figure
    from segkit.plots.svg import diverging_bars_svg, paired_share_bars_svg

    texts = [PAYLOAD] * len(run.labels)
    fig = map_figure(run.map2d, run.labels, {0: "<b>x</b>"}, hover_texts=texts,
                     user_ids=["<script>u</script>"] * len(run.labels))
    hover = " ".join(str(t) for trace in fig.data for t in trace.text)
    assert "<script>" not in hover and "&lt;script&gt;" in hover
    assert all(trace.type == "scattergl" for trace in fig.data)  # WebGL: 50,000 points stay smooth
    assert "&lt;b&gt;x&lt;/b&gt;" in " ".join(trace.name for trace in fig.data)
    assert sizes_figure(run.summary.table).data
    assert profile_figure(run.summary.numeric, 0) is not None
    svg = diverging_bars_svg([("<script>", 1.2, "x")]) + paired_share_bars_svg([("<img>", 0.5, 0.2)], "#000")
    assert "<script>" not in svg and "<img>" not in svg


def test_map_colours_by_numeric_and_categorical_columns(run):
    from segkit.plots import map_figure

    n = len(run.labels)
    numeric = map_figure(run.map2d, run.labels, color_by="age", color_values=np.arange(n, dtype=float))
    assert len(numeric.data) == 1 and numeric.data[0].marker.showscale
    categorical = map_figure(run.map2d, run.labels, color_by="tier", color_values=["a", "b", "c"] * (n // 3)
                             + ["a"] * (n % 3))
    assert len(categorical.data) == 3


def test_the_report_states_the_text_weight_fusion_used(frame):
    """A text-only upload is segmented on its text alone, whatever weight was asked for."""
    text_only = _run(frame.drop(columns=["age", "spend", "tier"]), text_weight=0.7)
    assert text_only.config.text_weight == 0.7 and text_only.effective_text_weight == 1.0
    assert "text weight 100%, behaviour 0%" in segment_report_html(text_only)
    with_traits = _run(frame, text_weight=0.7)
    assert with_traits.effective_text_weight == 0.7
    assert "text weight 70%, behaviour 30%" in segment_report_html(with_traits)
