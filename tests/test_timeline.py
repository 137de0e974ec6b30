"""Segments over time: periods, a planted 10% -> 30% shift, movers, the new-segment warning, `segkit drift`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit.errors import SegkitInputError
from segkit.timeline import (
    assign_by_period,
    choose_freq,
    drift_report,
    guess_time_col,
    movers,
    parse_times,
    period_of,
    sizes_for_run,
    sizes_of,
)

TOPICS = {
    "sport": "running trail shoes marathon training grip knee pace miles hiking boots",
    "tech": "battery charger laptop screen bluetooth firmware app pairing usb speaker",
    "beauty": "skin serum cream moisturiser shade lipstick routine fragrance oily glow",
    "gaming": "console controller multiplayer level quest graphics joystick headset arcade boss",
    "cooking": "recipe oven pan garlic simmer knife spatula dough bake skillet",
}


def _rows(rng, user: str, topic: str, when: pd.Timestamp, n: int = 3) -> list[dict]:
    words = TOPICS[topic].split()
    return [{"user_id": user, "review": "I bought this and " + " ".join(rng.choice(words, size=6)) + " overall good",
             "ts": int((when + pd.Timedelta(days=int(rng.integers(0, 25)))).timestamp()), "topic": topic}
            for _ in range(n)]


def planted(seed: int = 0, n: int = 400, new_topic_share: float = 0.0) -> pd.DataFrame:
    """January: gaming is 10% of users; December: 30% (half the extra from sport users who switched)."""
    rng = np.random.default_rng(seed)
    jan, dec = pd.Timestamp("2020-01-02"), pd.Timestamp("2020-12-02")
    rows = []
    a_topics = ["gaming"] * (n // 10) + ["sport", "tech", "beauty"] * (n * 3 // 10)
    for u, topic in enumerate(a_topics[:n]):
        rows += _rows(rng, f"A{u:04d}", topic, jan)
    b_counts = {"gaming": int(n * 0.3)}
    b_counts["cooking"] = int(n * new_topic_share)
    rest = n - sum(b_counts.values())
    b_topics = ["gaming"] * b_counts["gaming"] + ["cooking"] * b_counts["cooking"] + \
        ["sport", "tech", "beauty"] * (rest // 3 + 1)
    b_topics = b_topics[:n]
    # 50 January sport users come back in December writing about games: they moved.
    sport_a = [f"A{u:04d}" for u, t in enumerate(a_topics) if t == "sport"][:50]
    ids = sport_a + [f"B{u:04d}" for u in range(n - len(sport_a))]
    order = [i for i, t in enumerate(b_topics) if t == "gaming"][:50]
    others = [i for i in range(n) if i not in set(order)]
    for user, index in zip(ids, order + others, strict=True):
        rows += _rows(rng, user, b_topics[index], dec)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def model():
    from segkit.config import RunConfig
    from segkit.io import infer_roles
    from segkit.model.segment_model import fit_model
    from segkit.pipeline import run_segmentation

    frame = planted()
    january = frame[frame["ts"] < pd.Timestamp("2020-06-01").timestamp()].reset_index(drop=True)
    roles = infer_roles(january[["user_id", "review"]])
    config = RunConfig(roles=roles, embedder="tfidf", algorithm="kmeans", algorithm_params={"k": 4},
                       map_method="pca", reducer="none")
    run = run_segmentation(january[["user_id", "review"]], config)
    return fit_model(run, january[["user_id", "review"]]), run, january


def test_periods_follow_the_span():
    day = pd.Series(pd.to_datetime(["2020-01-01", "2020-01-20"]))
    assert choose_freq(day) == "day"
    assert choose_freq(pd.Series(pd.to_datetime(["2020-01-01", "2020-04-01"]))) == "week"
    assert choose_freq(pd.Series(pd.to_datetime(["2020-01-01", "2022-06-01"]))) == "month"
    assert choose_freq(pd.Series(pd.to_datetime(["2004-01-01", "2014-06-01"]))) == "quarter"
    unix = parse_times(pd.Series([1_393_545_600, 1_363_392_000]), "unixReviewTime")
    assert unix.dt.year.tolist() == [2014, 2013]
    assert parse_times(pd.Series([1_393_545_600_000]), "ms").dt.year.tolist() == [2014]
    periods, freq = period_of(parse_times(pd.Series(["2014-03-05", "2013-01-30T10:00:00Z"]), "date"))
    assert freq == "month" and periods.tolist() == ["2014-03", "2013-01"]
    with pytest.raises(SegkitInputError, match="does not hold dates"):
        parse_times(pd.Series(["great", "awful", "ok"]), "review")
    assert guess_time_col(pd.DataFrame({"review": ["a"], "unixReviewTime": [1_393_545_600]})) == "unixReviewTime"
    assert guess_time_col(pd.DataFrame({"review": ["a"], "update": ["soon"]})) is None


def test_planted_growth_from_10_to_30_percent_is_detected(model):
    seg_model, _run, _january = model
    frame = planted()
    assigned, freq = assign_by_period(seg_model, frame, "ts")
    assert freq == "month"
    sizes = sizes_of(assigned, seg_model.names)
    assert sorted(sizes["period"].unique()) == ["2020-01", "2020-12"]
    report = drift_report(assigned, sizes, "2020-01", "2020-12")
    grew = report.changed[report.changed["status"] == "grew"]
    assert len(grew) == 1, report.shifts
    row = grew.iloc[0]
    assert 0.07 <= row["share_a"] <= 0.13 and 0.26 <= row["share_b"] <= 0.34
    # The grown segment is the gamers' one.
    gamer = assigned[(assigned["period"] == "2020-01") & assigned["user_id"].isin(
        frame[(frame["topic"] == "gaming") & frame["user_id"].str.startswith("A")
              & (frame["ts"] < pd.Timestamp("2020-06-01").timestamp())]["user_id"])]["segment_id"].mode()[0]
    assert row["segment_id"] == gamer
    assert any("grew" in line and "threshold 10% points" in line for line in report.lines())
    assert report.new_segment_warning is None

    moves = movers(assigned, "2020-01", "2020-12", seg_model.names)
    assert moves.n_both == 50 and moves.n_moved >= 45
    top = moves.flows.iloc[0]
    assert top["moved"] and top["to_segment_id"] == gamer and top["users"] >= 45
    assert top["example_users"].startswith("A0")


def test_unchanged_periods_raise_no_shift(model):
    seg_model, _run, january = model
    later = january.assign(ts=january["ts"] + 86400 * 366, user_id="L" + january["user_id"])
    assigned, _ = assign_by_period(seg_model, pd.concat([january, later]), "ts")
    periods = sorted(assigned["period"].unique())
    report = drift_report(assigned, sizes_of(assigned, seg_model.names), periods[0], periods[-1])
    assert report.changed.empty and report.new_segment_warning is None


def test_new_segment_warning(model):
    seg_model, _run, _january = model
    frame = planted(new_topic_share=0.3)
    assigned, _ = assign_by_period(seg_model, frame, "ts")
    report = drift_report(assigned, sizes_of(assigned, seg_model.names), "2020-01", "2020-12")
    assert report.outlier_share_a < 0.05 and report.outlier_share_b >= 0.2
    assert report.new_segment_warning and "fit no segment" in report.new_segment_warning


def test_sizes_and_traits_for_a_run(model):
    from segkit.timeline.periods import sentiment_by_period, trait_by_period

    _model, run, january = model
    sizes, freq = sizes_for_run(run, january, "ts")
    assert freq == "day" and sizes.groupby("period")["share"].sum().round(3).eq(1.0).all()
    periods, _ = period_of(parse_times(january["ts"]), "week")
    mood = sentiment_by_period(run.table, periods, run.user_labels())
    assert len(mood) >= 4 * 3 and mood["sentiment"].between(-1, 1).all()
    lengths = trait_by_period(january["review"].str.len(), periods, run.table.row_user, run.user_labels(), "chars")
    assert set(lengths["segment_id"]) == set(range(4)) and (lengths["chars"] > 20).all()
    with pytest.raises(SegkitInputError, match="No column 'when'"):
        sizes_for_run(run, january, "when")


def test_drift_cli(model, tmp_path, capsys):
    from segkit.cli import main
    from segkit.model.segment_model import save_model

    seg_model, _run, _january = model
    save_model(seg_model, tmp_path / "model")
    data = tmp_path / "both.csv"
    planted().drop(columns="topic").to_csv(data, index=False)
    out, sizes = tmp_path / "moves.csv", tmp_path / "sizes.csv"
    assert main(["drift", str(tmp_path / "model"), str(data), "--time-col", "ts", "--out", str(out),
                 "--sizes-out", str(sizes)]) == 0
    printed = capsys.readouterr().out
    assert "2 periods of a month" in printed and "grew" in printed and "in both: 50" in printed
    flows = pd.read_csv(out, encoding="utf-8-sig")
    assert {"from_segment", "to_segment", "users", "share_of_from", "example_users"} <= set(flows.columns)
    assert len(pd.read_csv(sizes, encoding="utf-8-sig")) >= 8
    # Guessed time column, and bad input as one line.
    assert main(["drift", str(tmp_path / "model"), str(data)]) == 0
    assert "time column: ts" in capsys.readouterr().out
    assert main(["drift", str(tmp_path / "model"), str(data), "--time-col", "review"]) == 2
    assert "does not hold dates" in capsys.readouterr().err


def test_linear_map_when_pca_is_not_reproduced():
    """The dashboard's spaces can differ from a refitted PCA; the solved affine map must still fit
    (it raised 'Incompatible dimensions' before, so the Over-time tab could not fit its model)."""
    from segkit.model.segment_model import _fit_linear_map

    rng = np.random.default_rng(0)
    fused = rng.normal(size=(200, 12))
    reduced = fused @ rng.normal(size=(12, 4)) + 3.0  # not a PCA: forces the least-squares branch
    mean, components = _fit_linear_map(fused, reduced, {}, 0)
    assert np.abs((fused - mean) @ components.T - reduced).max() < 1e-8


def test_time_charts_order_periods():
    from segkit.timeline.figures import sizes_over_time_figure, trait_over_time_figure

    traits = pd.DataFrame({"period": ["2013", "2014", "2004", "2005"], "segment_id": [0, 0, 1, 1],
                           "rating": [4.0, 4.5, 3.0, 3.5]})
    fig = trait_over_time_figure(traits, "rating", {0: "A", 1: "B"})
    assert list(fig.layout.xaxis.categoryarray) == ["2004", "2005", "2013", "2014"]
    sizes = pd.DataFrame({"period": ["2014", "2013", "2014", "2013"], "segment_id": [0, 0, 1, 1],
                          "segment_name": ["A", "A", "B", "B"], "users": [1, 3, 3, 1], "share": [.25, .75, .75, .25]})
    fig = sizes_over_time_figure(sizes)
    assert [list(t.y) for t in fig.data] == [[0.75, 0.25], [0.25, 0.75]] and list(fig.data[0].x) == ["2013", "2014"]


def test_new_segment_warning_thresholds():
    from segkit.timeline.drift import OUTLIER_WARN, new_segment_warning, outlier_share

    def table(n_out_a: int, n_out_b: int) -> pd.DataFrame:
        rows = [("A", i < n_out_a) for i in range(100)] + [("B", i < n_out_b) for i in range(100)]
        return pd.DataFrame({"period": [p for p, _ in rows], "segment_id": 0, "outlier": [o for _, o in rows]})

    assert OUTLIER_WARN == 0.10
    for out_a, out_b, fires in [(1, 15, True), (1, 9, False), (10, 15, False), (5, 10, True)]:
        assigned = table(out_a, out_b)
        share_a, share_b = outlier_share(assigned, "A"), outlier_share(assigned, "B")
        assert (new_segment_warning(share_a, share_b, "A", "B") is not None) is fires, (out_a, out_b)


def test_drift_cli_with_two_files(model, tmp_path, capsys):
    from segkit.cli import main
    from segkit.model.segment_model import save_model

    seg_model, _run, january = model
    save_model(seg_model, tmp_path / "model")
    frame = planted().drop(columns="topic")
    before, after = tmp_path / "jan.csv", tmp_path / "dec.csv"
    cut = pd.Timestamp("2020-06-01").timestamp()
    frame[frame["ts"] < cut].drop(columns="ts").to_csv(before, index=False)
    frame[frame["ts"] >= cut].drop(columns="ts").to_csv(after, index=False)
    out = tmp_path / "moves.csv"
    assert main(["drift", str(tmp_path / "model"), str(after), "--before", str(before), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "in both: 50" in printed and "grew" in printed
    assert main(["drift", str(tmp_path / "model"), str(after), "--before", str(after), "--out", str(after)]) == 2
    assert main(["drift", str(tmp_path / "model"), str(after)]) == 2  # no time column, no --before
    assert "No time column" in capsys.readouterr().err
