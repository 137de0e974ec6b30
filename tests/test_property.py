"""Property-based tests: messy frames never crash segkit and never lose a row.

Whatever hypothesis generates (empty/None/emoji/CJK/huge texts, numeric columns with
NaN, inf and words, repeated and missing ids), segkit either raises SegkitInputError
(a message for a person) or returns an export with exactly one row per input row, in
input order.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segkit.config import RunConfig
from segkit.errors import SegkitInputError
from segkit.export import STATUS_COLUMN, labeled_rows, to_safe_csv
from segkit.io.read import read_table
from segkit.io.roles import ColumnRoles, infer_roles
from segkit.pipeline import run_segmentation

pytestmark = pytest.mark.usefixtures("fake_embedder")

WORDS = ["shoes", "battery", "serum", "running", "charger", "cream", "跑步", "电池", "面霜", "😀", "🔥",
         "=SUM(A1)", "+1", "-x", "@me", "naïve", "crème"]

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)
texts = st.one_of(
    words, words, words, words,  # mostly usable text, so most examples reach the export
    st.none(),
    st.just(""),
    st.just("   "),
    st.text(max_size=40),  # any unicode, control characters included
    st.text(alphabet="😀🔥👍🎉", min_size=1, max_size=6),  # emoji only
    st.just("这个 laptop 很好, battery 不错 😀"),
    st.integers(min_value=20_001, max_value=60_000).map(lambda n: ("word " * n)[:n]),  # huge
)
numbers = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-1000, 1000),
    st.sampled_from(["abc", "", "NaN", "inf", "-inf", "1,5", " 7 "]),
)
user_ids = st.one_of(st.sampled_from([f"u{i}" for i in range(12)]),
                     st.none(), st.sampled_from(["", " ", "😀", "用户", "007", "7"]))
categories = st.one_of(st.none(), st.sampled_from(["gold", "silver", "", "金", "=cmd"]))

rows = st.fixed_dictionaries({"user": user_ids, "text": texts, "num": numbers, "cat": categories})


def _frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=["user", "text", "num", "cat"])
    frame.insert(0, "row_no", np.arange(len(frame)))
    return frame


def _check_export(frame: pd.DataFrame, config: RunConfig) -> None:
    try:
        run = run_segmentation(frame, config, with_map=False)
    except SegkitInputError as exc:
        message = str(exc)
        assert message and "\n" not in message  # one line, for a person
        return
    out = labeled_rows(frame, run)
    assert len(out) == len(frame)
    assert out["row_no"].tolist() == list(range(len(frame)))
    pd.testing.assert_series_equal(out["text"], frame["text"].reset_index(drop=True), check_names=False)
    assert out[STATUS_COLUMN].map(lambda s: isinstance(s, str) and s != "").all()
    ok = out[STATUS_COLUMN].eq("ok")
    assert out.loc[ok, "segment_id"].notna().all()
    not_segmented = out[STATUS_COLUMN].str.startswith("not segmented")
    assert out.loc[not_segmented, "segment_id"].isna().all()
    # The safe CSV writes the same rows back.
    assert len(pd.read_csv(pd.io.common.StringIO(to_safe_csv(out)), dtype=str, keep_default_na=False)) == len(frame)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(records=st.lists(rows, min_size=4, max_size=30), with_user=st.booleans(), k=st.integers(2, 4))
def test_messy_frames_give_an_answer_and_keep_every_row(records, with_user, k):
    frame = _frame(records)
    roles = ColumnRoles(text_cols=("text",), user_col="user" if with_user else None,
                        numeric_cols=("num",), categorical_cols=("cat",))
    config = RunConfig(roles=roles, embedder="fake", algorithm="kmeans", reducer="pca",
                       algorithm_params={"k": k})
    _check_export(frame, config)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(records=st.lists(rows, min_size=4, max_size=30))
def test_messy_csv_uploads_read_infer_and_segment(records):
    """The whole path a person takes: CSV bytes -> read -> inferred roles -> automatic K."""
    frame = _frame(records)
    data = frame.to_csv(index=False).encode("utf-8")
    try:
        loaded = read_table(data, "messy.csv")
    except SegkitInputError:
        return
    assert len(loaded.frame) == len(frame)
    assert loaded.frame["row_no"].astype(int).tolist() == list(range(len(frame)))
    roles = infer_roles(loaded.frame)
    config = RunConfig(roles=roles, embedder="fake", algorithm="kmeans", reducer="pca", k_max=4)
    _check_export(loaded.frame, config)


@settings(max_examples=40, deadline=None)
@given(values=st.lists(numbers, min_size=4, max_size=30))
def test_numeric_cells_never_crash_the_reader(values):
    frame = pd.DataFrame({"id": range(len(values)), "x": values})
    loaded = read_table(frame.to_csv(index=False).encode(), "n.csv")
    assert len(loaded.frame) == len(values)
    column = loaded.frame["x"]
    if pd.api.types.is_numeric_dtype(column):
        # Converted only when every filled cell was a number (inf included).
        for raw, got in zip(values, column.astype(float), strict=True):
            if isinstance(raw, float) and math.isfinite(raw):
                assert math.isclose(got, raw, rel_tol=1e-9, abs_tol=1e-300) or (raw == 0 and got == 0)
