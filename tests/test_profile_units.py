"""Profiles in real units (issue 13): lift arithmetic, significance flags, personas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ttest_ind

from segkit.describe.persona import persona_line, rating_column
from segkit.describe.profile import categorical_lift, numeric_lift, over_under, share_phrase


def tiny():
    # segment 0: spend 10, 20, 30 (mean 20); segment 1: spend 50, 70 (mean 60); all: mean 36.
    users = pd.DataFrame({"spend": [10.0, 20.0, 30.0, 50.0, 70.0],
                          "temp": [-5.0, 0.0, 5.0, 10.0, 20.0],
                          "cat": ["Beauty", "Beauty", "Toys", "Toys", "Toys"]})
    return users, np.array([0, 0, 0, 1, 1])


def test_numeric_lift_by_hand():
    users, labels = tiny()
    table = numeric_lift(users, labels, ["spend", "temp"]).set_index(["segment", "trait"])
    row = table.loc[(0, "spend")]
    assert row["mean"] == pytest.approx(20.0)
    assert row["median"] == pytest.approx(20.0)
    assert row["all_mean"] == pytest.approx(36.0)
    assert row["all_median"] == pytest.approx(30.0)
    assert row["diff"] == pytest.approx(-16.0)
    assert row["lift"] == pytest.approx(20 / 36)
    assert table.loc[(1, "spend"), "lift"] == pytest.approx(60 / 36)
    assert np.isnan(table.loc[(0, "temp"), "lift"])  # a trait that can be negative has no ratio
    assert table.loc[(0, "temp"), "diff"] == pytest.approx(0.0 - 6.0)
    # The t statistic and p value are Welch's, segment vs the rest (checked against scipy).
    expected = ttest_ind([10, 20, 30], [50, 70], equal_var=False)
    assert row["t"] == pytest.approx(expected.statistic)
    assert row["p"] == pytest.approx(expected.pvalue)
    assert row["p_adj"] == pytest.approx(min(1.0, expected.pvalue * 4))  # Bonferroni over 4 tests


def test_categorical_lift_by_hand():
    users, labels = tiny()
    table = categorical_lift(users, labels, "cat").set_index(["segment", "value"])
    beauty = table.loc[(0, "Beauty")]
    assert beauty["count"] == 2
    assert beauty["share"] == pytest.approx(2 / 3)
    assert beauty["all_share"] == pytest.approx(2 / 5)
    assert beauty["lift"] == pytest.approx((2 / 3) / (2 / 5))
    assert table.loc[(1, "Beauty"), "lift"] == pytest.approx(0.0)
    # two-proportion z: p1 = 2/3 (n=3), p2 = 0/2, pooled 2/5
    z = (2 / 3 - 0) / np.sqrt(0.4 * 0.6 * (1 / 3 + 1 / 2))
    assert beauty["z"] == pytest.approx(z)
    assert share_phrase(beauty.rename({"share": "share"}).to_dict() | {"value": "Beauty"}) == "Beauty: 67% vs 40%, ×1.7"


def planted(shift: float, n: int = 400, seed: int = 0):
    rng = np.random.default_rng(seed)
    labels = np.repeat([0, 1], n // 2)
    rating = rng.normal(3.5, 1.0, n) + shift * (labels == 1)
    cats = np.where(rng.random(n) < np.where(labels == 1, 0.5 if shift else 0.2, 0.2), "Beauty", "Other")
    return pd.DataFrame({"rating": rating, "cat": cats}), labels


def test_welch_flag_on_planted_difference_and_off_without():
    users, labels = planted(shift=1.0)
    table = numeric_lift(users, labels, ["rating"]).set_index("segment")
    assert bool(table.loc[1, "significant"]) and table.loc[1, "diff"] > 0.3  # half the planted shift: "all" includes it
    users, labels = planted(shift=0.0)
    table = numeric_lift(users, labels, ["rating"])
    assert not table["significant"].any()


def test_categorical_flag_on_planted_and_off_without():
    users, labels = planted(shift=1.0)
    over, under = over_under(categorical_lift(users, labels, "cat"), 1)
    assert list(over["value"]) == ["Beauty"] and list(under["value"]) == ["Other"]
    users, labels = planted(shift=0.0)
    assert not categorical_lift(users, labels, "cat")["significant"].any()


def test_persona_says_what_was_measured():
    users, labels = planted(shift=1.0)
    numeric = numeric_lift(users, labels, ["rating"])
    categorical = {"cat": categorical_lift(users, labels, "cat")}
    line = persona_line(1, ["strings", "pedals", "tuner", "cable"], 0.22, numeric, categorical,
                        {"positive": 0.8, "negative": 0.1})
    assert line.startswith("Writes about strings, pedals and tuner;")
    assert "above average" in line and "rates" in line
    assert "cat Beauty" in line
    assert "mostly positive (80% of reviews)" in line
    assert line.endswith("22% of users.")
    assert "cable" not in line
    zh = persona_line(1, ["琴弦", "效果器"], 0.22, numeric, categorical, {"positive": 0.1, "negative": 0.7}, lang="zh")
    assert zh.startswith("常写琴弦和效果器；") and "评分比平均高" in zh and "多为负面评价" in zh and zh.endswith("占用户 22%。")
    # No significant difference: no claim of one.
    users, labels = planted(shift=0.0)
    flat = persona_line(1, ["a"], 0.5, numeric_lift(users, labels, ["rating"]))
    assert "about average" in flat and "above" not in flat and "below" not in flat


def test_rating_column_by_name():
    assert rating_column(["age", "overall", "spend"]) == "overall"
    assert rating_column(["age", "Stars"]) == "Stars"
    assert rating_column(["age", "spend"]) is None
