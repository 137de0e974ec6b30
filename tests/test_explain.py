"""Segment rules, separability (cross-validated classifiers) and the words they are shown with."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd
import pytest

from segkit.config import RunConfig
from segkit.errors import SegkitInputError
from segkit.explain.features import (
    LEVEL,
    TERM,
    TRAIT,
    Feature,
    build_features,
    term_presence,
)
from segkit.explain.rules import Condition, fit_rules, segment_rules
from segkit.explain.sampling import stratified_sample
from segkit.explain.separability import cross_validate, hard_pairs, segment_separability
from segkit.explain.words import tr
from segkit.i18n import messages
from segkit.io.roles import ColumnRoles
from segkit.pipeline import run_segmentation
from tests.conftest import make_reviews

EN = {k: v for k, v in messages("en").items() if k.startswith("explain.")}
ZH = {k: v for k, v in messages("zh").items() if k.startswith("explain.")}

ROLES = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age", "spend"),
                    categorical_cols=("tier",), label_col="true_segment")


@pytest.fixture(scope="module")
def run():
    config = RunConfig(roles=ROLES, algorithm="kmeans", algorithm_params={"k": 3},
                       embedder="tfidf", embedder_params={"n_components": 16})
    return run_segmentation(make_reviews(n_users=150, seed=1), config, with_map=False)


def test_rule_recovers_a_planted_threshold():
    rng = np.random.default_rng(0)
    spend = rng.uniform(0, 1000, 600)
    users = pd.DataFrame({"spend": spend, "tier": rng.choice(["gold", "none"], 600)})
    labels = (spend > 400).astype(int)
    features = build_features(users, [""] * 600, ["spend"], ["tier"])
    rules, _ = fit_rules(features, labels)
    assert rules.agreement == 1.0
    (rule,) = rules.rules[1]
    assert rule.coverage == 1.0 and rule.precision == 1.0
    (condition,) = rule.conditions
    assert condition.feature.name == "spend" and condition.high is None
    assert 390 < condition.low < 410
    assert rule.text().startswith("spend > ")
    assert rule.line().endswith("→ 100% of this segment's users, 100% precision")


def test_rule_reads_terms_and_levels_and_counts_coverage_and_precision():
    texts = ["I love my strings and pedals"] * 40 + ["strings again"] * 10 + ["battery charger"] * 50
    users = pd.DataFrame({"tier": ["gold"] * 30 + ["none"] * 70})
    labels = np.array([0] * 45 + [1] * 55)  # 5 "strings again" users are in segment 1
    features = build_features(users, texts, (), ["tier"], ["strings", "battery"])
    rules, _ = fit_rules(features, labels)
    best = rules.rules[0][0]
    assert best.text() == "mentions “strings”"
    assert best.n_covered == 50 and best.n_hits == 45
    assert best.coverage == pytest.approx(1.0) and best.precision == pytest.approx(0.9)
    assert "提到“strings”" in best.line("zh")
    assert Condition(Feature(LEVEL, "tier", "gold"), high=0.5).text() == "tier is not gold"


def test_integer_traits_read_as_whole_numbers():
    age = Feature(TRAIT, "age", integer=True)
    assert Condition(age, low=39.5).text() == "age ≥ 40"
    assert Condition(age, high=39.5).text() == "age ≤ 39"
    assert Condition(age, low=29.5, high=39.5).text() == "age 30–39"
    assert Condition(age, low=29.5, high=30.5).text() == "age = 30"
    assert Condition(Feature(TRAIT, "spend"), low=1.25, high=2.5).text() == "1.25 < spend ≤ 2.5"


def test_term_presence_matches_words_and_phrases():
    present = term_presence(["Customer service was slow", "the service desk", ""], ["service", "customer service"])
    assert present.tolist() == [[1.0, 1.0], [1.0, 0.0], [0.0, 0.0]]


def test_missing_traits_count_as_the_median():
    users = pd.DataFrame({"spend": [1.0, np.nan, 3.0, 5.0]})
    features = build_features(users, [""] * 4, ["spend"])
    assert features.features[0].fill == 3.0
    assert features.matrix[:, 0].tolist() == [1.0, 3.0, 3.0, 5.0]


def test_run_rules_describe_every_segment(run):
    rules = segment_rules(run)
    assert set(rules.rules) == set(int(s) for s in np.unique(run.labels))
    assert rules.n_users == len(run.labels) and not rules.sampled
    assert rules.agreement >= 0.9  # three well separated topics
    for segment, found in rules.rules.items():
        assert found, f"segment {segment} has no rule"
        assert found[0].precision >= 0.5 and 0 < found[0].coverage <= 1
        assert rules.set_coverage[segment] >= found[0].coverage
    kinds = {c.feature.kind for found in rules.rules.values() for r in found for c in r.conditions}
    assert kinds & {TRAIT, TERM, LEVEL}


def test_rules_leave_unassigned_users_out(run):
    from dataclasses import replace

    labels = np.array(run.labels).copy()
    labels[:10] = -1
    edited = replace(run, result=replace(run.result, labels=labels))
    rules = segment_rules(edited)
    assert rules.n_unassigned == 10 and rules.n_users == len(labels) - 10
    assert -1 not in rules.rules


def test_stratified_sample_keeps_every_segment():
    labels = np.array([0] * 990 + [1] * 10)
    picked = stratified_sample(labels, np.arange(1000), 100, seed=3)
    assert len(picked) == 100 and (labels[picked] == 1).sum() == 1
    assert np.array_equal(stratified_sample(labels, np.arange(1000), 5000), np.arange(1000))


def test_separability_tells_blobs_apart_and_flags_a_split_blob(blobs):
    points, labels = blobs
    clear = cross_validate(points, labels)
    assert clear.linear.macro_f1 > 0.95 and not clear.hard
    assert clear.linear.confusion.to_numpy().sum() == len(labels)
    # Blob 2 cut in two at random: nothing tells the halves apart.
    rng = np.random.default_rng(1)
    split = labels.copy()
    split[(labels == 2) & (rng.random(len(labels)) < 0.5)] = 3
    mixed = cross_validate(points, split)
    assert mixed.hard[2].other == 3 and mixed.hard[3].other == 2
    assert mixed.f1(0) > 0.9 and mixed.f1(2) < 0.8
    assert mixed.hard[2].text({3: "Hikers"}) == "hard to tell from Hikers: consider merging"


def test_segments_smaller_than_the_folds_are_left_out(blobs):
    points, labels = blobs
    labels = labels.copy()
    labels[:3] = 7  # three users: too few for 5 folds
    result = cross_validate(points, labels)
    assert result.too_small == (7,) and 7 not in result.linear.per_segment.index
    assert result.n_users == len(labels) - 3
    with pytest.raises(SegkitInputError, match="at least two segments"):
        cross_validate(points[:45], np.array([0] * 42 + [1] * 3))


def test_hard_pairs_reads_the_largest_off_diagonal_share():
    confusion = pd.DataFrame([[70, 30, 0], [5, 95, 0], [0, 10, 90]], index=[0, 1, 2], columns=[0, 1, 2])
    flagged = hard_pairs(confusion)
    assert set(flagged) == {0} and flagged[0].other == 1 and flagged[0].share == pytest.approx(0.3)


def test_run_separability_scores_both_classifiers(run):
    result = segment_separability(run)
    assert result.linear.macro_f1 > 0.9 and result.tree is not None and result.tree.accuracy > 0.8
    table = result.segment_table(run.summary.names)
    assert list(table.columns) == ["segment_id", "segment_name", "precision", "recall", "f1", "tree_f1",
                                   "users", "flag"]
    assert table["users"].sum() == result.n_users


def test_words_have_both_languages_with_the_same_placeholders():
    import re

    assert set(EN) == set(ZH) and len(EN) >= 30
    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
    for key in EN:
        assert fields(EN[key]) == fields(ZH[key]), key
        if re.search("[A-Za-z]", re.sub(r"\{\w+\}", "", EN[key])):  # English words: translated
            assert ZH[key] != EN[key], key
    assert tr("explain.mentions", "zh", term="x") == "提到“x”"


def test_why_this_user_splits_the_margin_exactly(run):
    from segkit.explain.why import TEXT_PULL, explain_users, nearest_segments

    rules = segment_rules(run)
    positions = [0, 5, 77]
    explained = explain_users(run, positions, rules)
    fused = np.asarray(run.space.fused.matrix, dtype=np.float64)
    labels = np.asarray(run.labels)
    for item in explained:
        assert item.segment == labels[item.position] and item.second != item.segment
        x = fused[item.position]
        own = fused[labels == item.segment].mean(axis=0)
        second = fused[labels == item.second].mean(axis=0)
        margin = ((x - second) ** 2).sum() - ((x - own) ** 2).sum()
        assert item.margin == pytest.approx(margin, rel=1e-4)
        assert sum(p.amount for p in item.pulls) == pytest.approx(margin, rel=1e-4)
        assert {p.name for p in item.pulls} == {TEXT_PULL, "age", "spend", "tier"}
        assert item.nearest[0][1] <= item.nearest[-1][1]
        keywords = [t for t, _ in run.summary.keywords[item.segment]]
        assert all(t in keywords for t in item.terms)
        if item.rule is not None:
            assert item.rule.segment == item.segment
        lines = item.lines(run.summary.names)
        assert lines[0].startswith("Nearest segments: ")
        assert item.lines(run.summary.names, "zh")[0].startswith("最近的细分")
    table = nearest_segments(run)
    assert len(table) == len(labels)
    assert (table["second_segment"] != table["segment_id"]).all()
    row = table.iloc[5]
    own = fused[labels == row["segment_id"]].mean(axis=0)
    assert row["distance_to_own"] == pytest.approx(np.linalg.norm(fused[5] - own), rel=1e-4)


def test_rule_found_for_a_user_is_one_that_covers_them(run):
    from segkit.explain.features import features_for_run, features_like
    from segkit.explain.why import explain_users

    rules = segment_rules(run)
    features = features_for_run(run)
    again = features_like(rules.features, run.table.users.iloc[run.embeddings.user_index].reset_index(drop=True),
                          [run.table.user_texts()[i] for i in run.embeddings.user_index])
    assert np.array_equal(again.matrix, features.matrix)  # one user or all: the same columns
    covered = [i for i in range(len(run.labels)) if rules.rule_for(int(run.labels[i]), features, i) is not None]
    assert len(covered) >= 0.8 * len(run.labels)
    item = explain_users(run, [covered[0]], rules)[0]
    assert item.rule is not None and item.rule.covers(
        type(features)(features.features, features.matrix[covered[0]:covered[0] + 1]))[0]


def test_confusion_with_names_draws(run):
    from segkit.plots import confusion_figure

    result = segment_separability(run)
    named = result.confusion_named(run.summary.names)
    assert list(named.index) == [run.summary.names[s] for s in result.linear.confusion.index]
    assert named.to_numpy().sum() == result.n_users
    assert confusion_figure(named).data[0].z.shape == (3, 3)


def test_why_an_unassigned_user_names_the_nearest_segments(run):
    from dataclasses import replace

    from segkit.explain.why import explain_users, nearest_segments

    labels = np.array(run.labels).copy()
    labels[3] = -1
    edited = replace(run, result=replace(run.result, labels=labels))
    (item,) = explain_users(edited, [3], segment_rules(edited))
    assert item.segment == -1 and item.pulls == () and item.rule is None and item.terms == ()
    assert item.second == item.nearest[0][0]
    assert item.lines()[0].startswith("Nearest segments: ")
    table = nearest_segments(edited)
    assert np.isnan(table["distance_to_own"].iloc[3]) and table["second_segment"].iloc[3] == item.second


def test_pull_phrase_shares_add_up_over_what_pulls_toward():
    from segkit.explain.why import Pull, pull_phrase

    pulls = (Pull("text", 3.0, 1.5), Pull("spend", 1.0, 0.5), Pull("age", -2.0, -1.0))
    assert pull_phrase(pulls) == "what they wrote (75%), spend (25%); against: age"
    assert pull_phrase(pulls, "zh") == "所写内容 (75%), spend (25%)；反向因素：age"
    assert pull_phrase((Pull("age", -1.0, 1.0),)) == ""
