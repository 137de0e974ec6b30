"""Segment-aware recommendation: splits, metrics, the baseline comparison, the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit.errors import SegkitInputError
from segkit.recommend import (
    InteractionColumns,
    evaluate_recommendations,
    global_top_items,
    infer_interaction_columns,
    paired_bootstrap,
    prepare_interactions,
    recommend,
    segment_top_items,
    segment_vs_global,
    segments_from_labeled,
    split_interactions,
)


def make_interactions(n_users: int = 300, n_items: int = 60, per_user: int = 8, n_segments: int = 3,
                      tastes: bool = True, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Users in segments; with `tastes` each segment mostly picks from its own block of items,
    without, every user draws from the same popularity curve (segments mean nothing)."""
    rng = np.random.default_rng(seed)
    segment = np.arange(n_users) % n_segments
    block = n_items // n_segments
    zipf = 1.0 / np.arange(1, n_items + 1) ** 0.8
    rows = []
    for u in range(n_users):
        if tastes:
            p = np.full(n_items, 0.1 / n_items)
            own = np.arange(segment[u] * block, (segment[u] + 1) * block)
            p[own] += 0.9 * zipf[:block] / zipf[:block].sum()
        else:
            p = zipf.copy()
        p = p / p.sum()
        items = rng.choice(n_items, size=per_user, replace=False, p=p)
        for t, item in enumerate(items):
            rows.append({"user_id": f"u{u:04d}", "item_id": f"i{item:03d}", "rating": int(rng.integers(1, 6)),
                         "timestamp": 1_600_000_000 + 86_400 * t + u})
    frame = pd.DataFrame(rows)
    segments = pd.Series(segment, index=[f"u{u:04d}" for u in range(n_users)], name="segment")
    return frame, segments


def test_columns_are_inferred_and_checked():
    frame, _ = make_interactions(n_users=12)
    columns = infer_interaction_columns(frame)
    assert columns == InteractionColumns("user_id", "item_id", "rating", "timestamp")
    with pytest.raises(SegkitInputError, match="item id column 'sku' is not in the interactions file"):
        infer_interaction_columns(frame, item_col="sku")
    with pytest.raises(SegkitInputError, match="No item id column found"):
        infer_interaction_columns(frame[["user_id", "rating"]])
    bad_time = frame.assign(timestamp="not a date")
    with pytest.raises(SegkitInputError, match="time column 'timestamp' could not be read"):
        prepare_interactions(bad_time)


def test_ids_match_across_numeric_and_text_and_duplicates_merge():
    frame = pd.DataFrame({"user_id": [1.0, 1.0, 2.0, 2.0], "item_id": ["a", "a", "b", "c"],
                          "date": ["2020-01-02", "2020-01-01", "2021-05-01", "2021-04-01"]})
    inter = prepare_interactions(frame)
    assert set(inter.frame["user"]) == {"1", "2"}
    assert len(inter.frame) == 3  # (1, a) twice -> once
    assert inter.has_time
    assert any("merged" in note for note in inter.notes)


def test_time_split_holds_out_each_users_last_item():
    frame, _ = make_interactions(n_users=20, per_user=5)
    inter = prepare_interactions(frame)
    split = split_interactions(inter, n_test=1)
    last = frame.sort_values("timestamp").groupby("user_id")["item_id"].last()
    held = split.test.set_index("user")["item"]
    assert held.to_dict() == last.to_dict()
    assert len(split.train) == len(frame) - 20
    assert "by time" in split.method


def test_random_split_is_seeded_and_per_user():
    frame, _ = make_interactions(n_users=20, per_user=5)
    inter = prepare_interactions(frame.drop(columns=["timestamp"]))
    a = split_interactions(inter, n_test=2, seed=3)
    b = split_interactions(inter, n_test=2, seed=3)
    c = split_interactions(inter, n_test=2, seed=4)
    assert a.test.equals(b.test) and not a.test.equals(c.test)
    assert (a.test.groupby("user").size() == 2).all()
    assert "random" in a.method


def test_recommendations_exclude_seen_items_and_follow_the_segment():
    # Segment 0 (30 users) likes x and y; segment 1 (40 users) likes z and w; z is the most popular overall.
    users, items, segments = [], [], {}
    for u in range(30):
        users += [f"a{u}"] * 2
        items += ["x", "y"] if u else ["x", "q"]
        segments[f"a{u}"] = 0
    for u in range(40):
        users += [f"b{u}"] * 2
        items += ["z", "w"] if u else ["z", "q"]
        segments[f"b{u}"] = 1
    train = pd.DataFrame({"user": users, "item": items})
    segments = pd.Series(segments)
    recs = recommend(train, ["a0", "b0", "new"], k=2, method="segment_popularity", segments=segments)
    by_user = recs.groupby("user")["item"].apply(list)
    assert by_user["a0"][0] == "y"  # the segment's item, not the globally more popular z/w
    assert by_user["b0"][0] == "w"
    assert "x" not in by_user["a0"] and "q" not in by_user["b0"]  # seen items are never recommended
    assert by_user["new"] == ["z", "w"]  # no segment, no history: global popularity
    glob = recommend(train, ["a0"], k=2, method="global_popularity")
    assert list(glob["item"]) == ["z", "w"]


def test_segment_aware_beats_global_popularity_when_tastes_differ():
    frame, segments = make_interactions(tastes=True)
    report = evaluate_recommendations(prepare_interactions(frame), {"true": segments}, k=10,
                                      methods=("segment_popularity", "segment_item_knn"), n_boot=500)
    table = report.table.set_index(["segmentation", "method"])
    base = table.loc[("-", "Global popularity")]
    seg = table.loc[("true", "Segment popularity")]
    assert seg["hit_rate@10"] > base["hit_rate@10"] + 0.1
    assert seg["ndcg@10"] > base["ndcg@10"]
    assert seg["verdict"] == "better" and seg["ndcg_ci_low"] > 0
    assert seg["coverage"] > base["coverage"]
    # The shuffled control carries no taste information and must not show the gain.
    control = table.loc[("true (shuffled)", "Segment popularity")]
    assert control["ndcg_ci_low"] <= 0 <= control["ndcg_ci_high"] or control["ndcg_gain"] < 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_gain_is_claimed_when_segments_carry_no_taste(seed):
    # Everybody shares one taste: per-segment counts are only noisier estimates of it, so
    # segment popularity can be a little worse, never reliably better.
    frame, segments = make_interactions(tastes=False, seed=seed)
    report = evaluate_recommendations(prepare_interactions(frame), {"arbitrary": segments}, k=10, n_boot=500,
                                      seed=seed)
    row = report.table.set_index(["segmentation", "method"]).loc[("arbitrary", "Segment popularity")]
    assert row["ndcg_ci_low"] <= 0 and row["hit_rate_ci_low"] <= 0
    assert row["verdict"] != "better"
    assert abs(row["ndcg_gain"]) < 0.03


def test_paired_bootstrap_interval():
    rng = np.random.default_rng(0)
    base = rng.random(400)
    gain, low, high = paired_bootstrap(base + 0.05, base, n_boot=200)
    assert gain == pytest.approx(0.05) and low == pytest.approx(0.05) and high == pytest.approx(0.05)
    noise = base + rng.normal(0, 0.2, size=400)
    gain, low, high = paired_bootstrap(noise, base, n_boot=500)
    assert low < gain < high and low < 0.05 and high > -0.05


def test_metrics_on_a_hand_made_case():
    # u1's held-out item is the most popular unseen one (hit at rank 1); u2's is never recommended.
    frame = pd.DataFrame({
        "user_id": ["u1", "u1", "u2", "u2", "u3", "u3", "u4", "u4"],
        "item_id": ["a", "b", "a", "q", "b", "c", "b", "c"],
        "timestamp": [1, 2, 1, 9, 1, 2, 1, 2],
    })
    inter = prepare_interactions(frame)
    report = evaluate_recommendations(inter, {"s": pd.Series({"u1": 0, "u2": 0, "u3": 1, "u4": 1})}, k=1,
                                      n_boot=50, shuffled_control=False)
    base = report.table.iloc[0]
    # held out: u1->b, u2->q (unseen in training), u3->c, u4->c. Train: u1 a, u2 a, u3 b, u4 b.
    # Global popularity (a=2, b=2; ties by id -> a, then b): u1 gets b (hit), u3/u4 get a (miss).
    assert base["hit_rate@1"] == pytest.approx(1 / 4)
    assert base["ndcg@1"] == pytest.approx(1 / 4)
    assert any("never seen in training" in note for note in report.notes)


def test_top_items_per_segment_and_lift():
    frame, segments = make_interactions(tastes=True, n_users=90)
    inter = prepare_interactions(frame)
    top = segment_top_items(inter, segments, n=5)
    assert set(top["segment_id"]) == {0, 1, 2}
    seg0 = top[top["segment_id"] == 0]
    # Segment 0 prefers items i000..i019; its top items come from that block with lift > 1.
    assert seg0["item"].str[1:].astype(int).lt(20).all()
    assert (seg0["lift"] > 1.5).all()
    assert np.allclose(seg0["lift"], seg0["share_in_segment"] / seg0["share_overall"])
    glob = global_top_items(inter, n=5)
    assert list(glob["rank"]) == [1, 2, 3, 4, 5]
    wide = segment_vs_global(inter, segments, 0, n=5, item_info=pd.DataFrame({"title": ["T0"]}, index=["i000"]))
    assert {"segment_item", "segment_lift", "global_item", "global_share", "segment_title"} <= set(wide.columns)


def test_segments_from_labeled_export():
    labeled = pd.DataFrame({"review_id": [1, 2, 3, 4], "user_id": ["a", "a", "b", "c"],
                            "segment_id": pd.array([0, 0, 1, pd.NA], dtype="Int64")})
    segments = segments_from_labeled(labeled)
    assert segments.to_dict() == {"a": 0, "b": 1}
    with pytest.raises(SegkitInputError, match="no 'segment_id' column"):
        segments_from_labeled(labeled.drop(columns=["segment_id"]))


def test_cli_recommend(tmp_path, capsys):
    from segkit.cli import main

    frame, segments = make_interactions(n_users=120, tastes=True)
    frame.to_csv(tmp_path / "inter.csv", index=False)
    labeled = pd.DataFrame({"user_id": segments.index, "segment_id": segments.to_numpy()})
    labeled.to_csv(tmp_path / "labeled.csv", index=False)
    code = main(["recommend", "--interactions", str(tmp_path / "inter.csv"), "--segments", str(tmp_path / "labeled.csv"),
                 "--k", "10", "--out", str(tmp_path / "eval.csv")])
    out = capsys.readouterr().out
    assert code == 0
    assert "Global popularity" in out and "Segment popularity" in out and "HR@10" in out
    assert "lift" in out
    table = pd.read_csv(tmp_path / "eval.csv")
    assert len(table) == 3  # global, segments, shuffled control
    code = main(["recommend", "--interactions", str(tmp_path / "inter.csv"), "--segments",
                 str(tmp_path / "labeled.csv"), "--item-col", "nope"])
    assert code == 2
    assert "item id column 'nope'" in capsys.readouterr().err
