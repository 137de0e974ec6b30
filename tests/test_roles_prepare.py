import numpy as np
import pandas as pd
import pytest

from segkit.errors import SegkitInputError
from segkit.io.prepare import prepare_users
from segkit.io.roles import ColumnRoles, infer_roles, validate_roles


def test_infers_sensible_defaults(reviews):
    roles = infer_roles(reviews)
    assert roles.text_cols == ("review",)
    assert roles.user_col == "user_id"
    assert set(roles.numeric_cols) == {"age", "spend"}
    assert roles.categorical_cols == ("tier",)
    assert roles.label_col == "true_segment"


def test_overrides_replace_inferred(reviews):
    roles = infer_roles(reviews).with_overrides(numeric_cols=["age"], user_col="user_id")
    assert roles.numeric_cols == ("age",)


def test_no_repeating_id_means_each_row_is_a_user():
    frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "text": ["x" * 40, "y" * 41, "z" * 42]})
    assert infer_roles(frame).user_col is None


@pytest.mark.parametrize("roles,message", [
    (ColumnRoles(text_cols=("nope",)), "text column 'nope' is not in the file"),
    (ColumnRoles(text_cols=()), "No text column"),
    (ColumnRoles(text_cols=("review",), numeric_cols=("review",)), "both as text and as numeric"),
    (ColumnRoles(text_cols=("review",), label_col="tier", categorical_cols=("tier",)), "segments would be built from the answer"),
])
def test_invalid_roles_are_explained(reviews, roles, message):
    with pytest.raises(SegkitInputError, match=message):
        validate_roles(reviews, roles)


def test_aggregates_reviews_to_users(reviews):
    table = prepare_users(reviews, infer_roles(reviews))
    assert table.n_users == 60 and table.n_rows == 180
    assert (table.users["n_reviews"] == 3).all()
    first = reviews[reviews.user_id == "U000"]
    assert table.users.loc[0, "age"] == pytest.approx(first["age"].mean())
    assert table.users.loc[0, "tier"] == first["tier"].mode()[0]


def test_numeric_mean_and_categorical_mode_with_conflicts():
    frame = pd.DataFrame({
        "user_id": ["a", "a", "a", "b"],
        "text": ["one review here", "two review here", "three", "four"],
        "age": [20, 30, np.nan, 50],
        "city": ["x", "y", "y", "z"],
    })
    roles = ColumnRoles(text_cols=("text",), user_col="user_id", numeric_cols=("age",), categorical_cols=("city",))
    table = prepare_users(frame, roles)
    assert table.users["age"].tolist() == [25.0, 50.0]
    assert table.users["city"].tolist() == ["y", "z"]


def test_conflicting_user_level_traits_are_reported():
    # 20 users with one home city each, one of them listed with two cities.
    frame = pd.DataFrame({
        "user_id": [f"u{i}" for i in range(20) for _ in range(2)],
        "text": ["some words here"] * 40,
        "city": [f"c{i}" for i in range(20) for _ in range(2)],
    })
    frame.loc[1, "city"] = "elsewhere"
    roles = ColumnRoles(text_cols=("text",), user_col="user_id", categorical_cols=("city",))
    notes = prepare_users(frame, roles).notes
    assert any(n.startswith("1 user(s) have different trait values") for n in notes)


def test_text_and_inf_in_numeric_column_reported():
    frame = pd.DataFrame({"text": ["a b c", "d e f", "g h i"], "spend": ["10", "inf", "lots"]})
    roles = ColumnRoles(text_cols=("text",), numeric_cols=("spend",))
    table = prepare_users(frame, roles)
    assert table.users["spend"].tolist()[0] == 10.0
    assert table.users["spend"].isna().sum() == 2
    assert any("2 cell(s) were not numbers (or were infinite or beyond ±1e100)" in n for n in table.notes)


def test_empty_texts_and_missing_ids_are_marked_not_dropped():
    frame = pd.DataFrame({"uid": ["a", "a", None, "b"], "text": ["good", "", "orphan", None]})
    table = prepare_users(frame, ColumnRoles(text_cols=("text",), user_col="uid"))
    assert table.n_rows == 4
    assert list(table.row_status) == ["", "empty text", "missing user id", "empty text"]
    assert table.row_user.tolist() == [0, 0, -1, 1]
    assert table.user_has_text().tolist() == [True, False]


def test_all_texts_empty_is_an_error():
    frame = pd.DataFrame({"text": ["", None, "  "]})
    with pytest.raises(SegkitInputError, match="Every row's text is empty"):
        prepare_users(frame, ColumnRoles(text_cols=("text",)))


def test_multiple_text_columns_joined():
    frame = pd.DataFrame({"title": ["Great", ""], "body": ["fits well", "runs small"]})
    table = prepare_users(frame, ColumnRoles(text_cols=("title", "body")))
    assert table.row_texts == ["Great\nfits well", "runs small"]
