"""Inferred roles that mislead (issue #15 item 5), on a frame shaped like the Amazon export
(reviewerID, reviewText, summary, overall, unixReviewTime, reviewTime, a sparse vote count,
a near-constant dataset_version, the product category)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit.io.roles import ColumnRoles, infer_roles

WORDS = "strings tuner pedal cable amp strap picks capo stand bridge frets neck volume tone hum".split()


def amazon_like(n_rows: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    users = [f"A{u:04d}X" for u in rng.integers(0, 80, n_rows)]
    unix = rng.integers(1_300_000_000, 1_405_000_000, n_rows)
    return pd.DataFrame({
        "reviewerID": users,
        "reviewerName": [f"Name {u[1:5]}" for u in users],  # the same on all of a user's rows
        "reviewText": [" ".join(rng.choice(WORDS, 12)) + f" review {i}" for i in range(n_rows)],
        "summary": [" ".join(rng.choice(WORDS, 3)).capitalize() for _ in range(n_rows)],
        "overall": rng.integers(1, 6, n_rows),
        "unixReviewTime": unix,
        "reviewTime": pd.to_datetime(unix, unit="s").strftime("%m %d, %Y"),
        "vote": np.where(rng.random(n_rows) < 0.12, rng.integers(2, 40, n_rows), np.nan),
        "dataset_version": np.where(np.arange(n_rows) == 7, "v2", "v1"),
        "category": rng.choice(["Guitars", "Amplifiers", "Accessories"], n_rows),
    })


@pytest.fixture(scope="module")
def roles() -> ColumnRoles:
    return infer_roles(amazon_like())


def test_timestamps_and_dates_get_the_time_role_never_a_trait(roles):
    assert roles.time_col == "unixReviewTime"
    assert "unixReviewTime" not in roles.numeric_cols and "reviewTime" not in roles.categorical_cols
    assert roles.ignored["reviewTime"] == "a date or time (the time column is 'unixReviewTime')"


def test_near_constant_and_mostly_empty_columns_are_ignored_with_the_reason(roles):
    assert "vote" not in roles.numeric_cols and "dataset_version" not in roles.categorical_cols
    assert roles.ignored["vote"].startswith("mostly empty (8") and "of rows have no value" in roles.ignored["vote"]
    assert roles.ignored["dataset_version"] == "nearly the same value in every row (99.8% of rows hold one value)"
    assert roles.numeric_cols == ("overall",)


def test_a_review_title_is_offered_as_extra_text_and_a_name_is_not(roles):
    assert roles.text_cols == ("reviewText", "summary")
    assert "reviewerName" not in roles.text_cols


def test_a_column_named_like_a_label_is_the_label_when_it_holds_categories(roles):
    assert roles.label_col == "category" and "category" not in roles.categorical_cols


@pytest.mark.parametrize("name", ["label", "class", "segment", "true_group", "product_category"])
def test_label_names(name):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"review": [" ".join(rng.choice(WORDS, 10)) for _ in range(60)],
                          name: rng.choice(["a", "b", "c"], 60), "age": rng.integers(20, 60, 60)})
    assert infer_roles(frame).label_col == name


def test_a_numeric_column_named_like_a_segment_is_neither_label_nor_trait():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"review": [" ".join(rng.choice(WORDS, 10)) for _ in range(60)],
                          "segment": rng.integers(0, 4, 60), "age": rng.integers(20, 60, 60)})
    roles = infer_roles(frame)
    assert roles.label_col is None and "segment" not in roles.numeric_cols
    assert "named like a label but holds numbers" in roles.ignored["segment"]


def test_times_with_other_names_and_what_is_not_a_time():
    rng = np.random.default_rng(3)
    n = 120
    frame = pd.DataFrame({
        "review": [" ".join(rng.choice(WORDS, 10)) for _ in range(n)],
        "created_at": pd.date_range("2023-01-01", periods=n, freq="D").strftime("%Y-%m-%d %H:%M"),
        "lifetime_value": rng.uniform(10, 900, n).round(2),  # "time" in the name, but money
        "age": rng.integers(18, 70, n),
    })
    roles = infer_roles(frame)
    assert roles.time_col == "created_at"
    assert roles.numeric_cols == ("lifetime_value", "age")


def test_roles_round_trip_with_time_amount_and_derived_traits():
    roles = ColumnRoles(text_cols=(), user_col="u", numeric_cols=("amount",), time_col="day", amount_col="amount",
                        derived_traits=("recency_days", "frequency", "monetary"))
    assert ColumnRoles.from_dict(roles.to_dict()) == roles


def test_a_reviewer_name_is_no_text_and_no_trait(roles):
    assert "named like text" not in roles.ignored.get("reviewerName", "")
    assert "reviewerName" not in roles.categorical_cols + roles.text_cols


def yelp_like(n_rows: int = 300, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "user_id": [f"u{u}" for u in rng.integers(0, 120, n_rows)],
        "text": [" ".join(rng.choice(WORDS, 15)) + f" visit {i}" for i in range(n_rows)],
        "stars": rng.integers(1, 6, n_rows),
        "cool": rng.poisson(0.9, n_rows), "useful": rng.poisson(1.3, n_rows), "funny": rng.poisson(0.7, n_rows),
        "Positive Feedback Count": rng.poisson(2.0, n_rows),
        "age": rng.integers(18, 70, n_rows),
    })


def test_votes_other_readers_gave_a_review_are_no_traits_but_the_writers_own_numbers_are():
    roles = infer_roles(yelp_like())
    for votes in ("cool", "useful", "funny", "Positive Feedback Count"):
        assert votes not in roles.numeric_cols
        assert "votes other readers gave" in roles.ignored[votes]
    assert set(roles.numeric_cols) == {"stars", "age"}


def test_a_vote_column_chosen_by_hand_is_a_trait():
    from segkit.io.prepare import prepare_users

    frame = yelp_like()
    chosen = ColumnRoles(text_cols=("text",), user_col="user_id", numeric_cols=("stars", "useful"))
    table = prepare_users(frame, chosen)
    per_user = frame.groupby("user_id")["useful"].mean()
    assert np.allclose(table.users.set_index("user_id")["useful"].sort_index(), per_user.sort_index())
