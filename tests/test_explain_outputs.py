"""Rules and separability where people read them: the HTML report, card fragments, summary CSV, CLI."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

from segkit.edits import summary_export
from segkit.explain.features import build_features
from segkit.explain.rules import fit_rules, segment_rules
from segkit.explain.separability import segment_separability
from segkit.export.explain_columns import with_explain_columns
from segkit.export.explain_html import rules_html, separability_html
from segkit.export.report import segment_report_html
from tests import test_explain
from tests.conftest import make_reviews

# The same 150-user, K = 3 run as tests/test_explain.py: its module fixture, shared.
run = test_explain.run


def test_report_shows_rules_and_classifier_per_segment(run):
    rules = segment_rules(run)
    html_text = segment_report_html(run, stability={"per_segment": {}, "overall": None}, rules=rules)
    assert html_text.count("Rules that pick out this segment") == 3
    assert html_text.count("How well a classifier tells this segment apart") == 3
    first = rules.rules[0][0]
    assert html.escape(first.line(), quote=True) in html_text
    assert "cross-validated" in html_text
    zh = segment_report_html(run, stability={"per_segment": {}, "overall": None}, rules=rules, lang="zh")
    assert "识别本细分的规则" in zh and "精确率" in zh


def test_card_fragments_escape_uploaded_values():
    users = pd.DataFrame({"tier": ["<b>vip</b>"] * 50 + ["none", "silver"] * 25})  # one split: "is vip"
    labels = np.array([0] * 50 + [1] * 50)
    rules, _ = fit_rules(build_features(users, [""] * 100, (), ["tier"]), labels)
    fragment = rules_html(rules, 0)
    assert "&lt;b&gt;vip&lt;/b&gt;" in fragment and "<b>vip" not in fragment
    assert "100% precision" in fragment


def test_segment_without_a_rule_says_so():
    users = pd.DataFrame({"spend": np.full(200, 5.0)})  # nothing tells the segments apart
    labels = np.array([0] * 180 + [1] * 20)
    rules, _ = fit_rules(build_features(users, [""] * 200, ["spend"]), labels)
    assert rules.rules[1] == () and rules.set_coverage[1] == 0.0
    assert "No rule of up to 3 conditions picks out this segment with at least 50% precision" in rules_html(rules, 1)
    (everyone,) = rules.rules[0]  # the big segment is 90% of everyone: "every user", 90% precision
    assert everyone.text() == "every user" and everyone.precision == pytest.approx(0.9)


def test_separability_fragment_flags_a_hard_pair(run):
    from dataclasses import replace

    from segkit.explain.separability import HardPair

    result = segment_separability(run)
    flagged = replace(result, hard={0: HardPair(0, 1, 0.4)})
    fragment = separability_html(flagged, 0, {1: "Gadget fans"})
    assert "hard to tell from Gadget fans: consider merging" in fragment
    assert "F1" in separability_html(result, 1)


def test_summary_csv_gains_rule_and_classifier_columns(run):
    rules, separability = segment_rules(run), segment_separability(run)
    table = with_explain_columns(run.summary.table, rules, separability, run.summary.names)
    assert {"rules", "rules_coverage", "rules_precision", "classifier_f1", "hard_to_tell_from"} <= set(table.columns)
    assert table["rules"].str.contains("precision").all()
    assert table["classifier_f1"].between(0, 1).all()
    exported = summary_export(run, None, rules=rules, separability=separability)
    assert "rules" in exported.columns and "noise_policy" in exported.columns
    assert "rules" not in summary_export(run).columns  # without them, the export is as before


def test_cli_explain_prints_rules_and_scores(tmp_path, capsys):
    from segkit.cli import main

    data = tmp_path / "reviews.csv"
    make_reviews(n_users=90, seed=2).to_csv(data, index=False)
    summary = tmp_path / "summary.csv"
    code = main(["segment", str(data), "--text-col", "review", "--user-col", "user_id", "--numeric-cols", "age,spend",
                 "--embedder", "tfidf", "--k", "3", "--no-map", "--quiet", "--no-cache", "--explain",
                 "--summary", str(summary)])
    out = capsys.readouterr().out
    assert code == 0
    assert "segment rules (one depth-3 tree per segment, 90 users)" in out
    assert "of this segment's users" in out and "5-fold cross-validation on 90 users" in out
    assert {"rules", "classifier_f1"} <= set(pd.read_csv(summary).columns)
