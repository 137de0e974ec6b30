"""Nothing is lost: every clusterer x every embedder keeps every input row, in order.

Rows without a user id, with empty text, or with text no embedder can use (emoji only
for TF-IDF) stay in the export with the reason in `segkit_status`; the user-level export
leads back to every review through `user_id`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit.cluster.registry import CLUSTERERS
from segkit.config import RunConfig
from segkit.edits import Edits
from segkit.export import STATUS_COLUMN, labeled_rows, user_rows
from segkit.io.roles import ColumnRoles
from segkit.pipeline import run_segmentation
from tests.conftest import make_reviews

PARAMS = {
    "kmeans": {"k": 3},
    "minibatch_kmeans": {"k": 3, "batch_size": 64},
    "agglomerative": {"k": 3},
    "gmm": {"k": 3},
    "hdbscan": {"min_cluster_size": 5},
    "dbscan": {"eps": 0.8, "min_samples": 3},
}


def messy_reviews(n_users: int = 24) -> pd.DataFrame:
    frame = make_reviews(n_users=n_users, reviews_per_user=3, seed=1)
    frame.insert(0, "row_no", np.arange(len(frame)))
    frame["review"] = frame["review"].astype(object)
    frame["user_id"] = frame["user_id"].astype(object)
    frame.loc[1, "review"] = ""  # empty text, user has other rows
    frame.loc[4, "review"] = None
    frame.loc[7, "review"] = "😀🔥👍"  # no words for TF-IDF / the fake embedder
    frame.loc[[9, 10, 11], "review"] = ["", None, "  "]  # a user with no text at all
    frame.loc[13, "user_id"] = None  # no user id
    frame.loc[16, "user_id"] = "  "
    rng = np.random.default_rng(0)
    for d in range(4):  # precomputed vectors: a topic signal plus noise, one row with a gap
        topic = frame["true_segment"].map({"sport": 0, "tech": 1, "beauty": 2}).to_numpy()
        frame[f"emb_{d}"] = (topic == d % 3) * 3.0 + rng.normal(0, 0.3, len(frame))
    frame.loc[19, "emb_2"] = np.nan
    return frame.sample(frac=1.0, random_state=3).reset_index(drop=True)  # users interleaved


def _config(embedder: str, algorithm: str) -> RunConfig:
    if embedder == "precomputed":
        roles = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age",),
                            vector_cols=tuple(f"emb_{d}" for d in range(4)))
    else:
        roles = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age", "spend"),
                            categorical_cols=("tier",))
    return RunConfig(roles=roles, embedder=embedder, algorithm=algorithm, reducer="pca",
                     reducer_params={"n_components": 5}, algorithm_params=dict(PARAMS[algorithm]))


def assert_nothing_lost(frame: pd.DataFrame, run) -> pd.DataFrame:
    out = labeled_rows(frame, run)
    assert len(out) == len(frame)
    assert out["row_no"].tolist() == frame["row_no"].tolist()
    for column in frame.columns:  # the upload's own cells come back untouched
        pd.testing.assert_series_equal(out[column], frame[column], check_names=False)
    status = out[STATUS_COLUMN]
    assert status.map(bool).all()

    def status_of(row_no: int) -> str:
        return status[frame.index[frame["row_no"] == row_no][0]]

    assert status_of(13) == "not segmented: missing user id"
    assert status_of(16) == "not segmented: missing user id"
    if run.embeddings.embedder != "precomputed":  # vectors need no text
        assert status_of(9).startswith("not segmented")  # the user with no text at all
    # Every row with a segment has a non-negative id or is an explicit outlier.
    segmented = out["segment_id"].notna()
    assert (status[segmented].isin(["ok", "unassigned: outlier for the density method"])
            | status[segmented].str.startswith("segmented from the user's other rows")).all()
    assert status[~segmented].str.startswith("not segmented").all()

    # User level: one row per user, and every review with an id maps to exactly one of them.
    users = user_rows(run)
    assert users["user_id"].is_unique
    assert users["n_reviews"].sum() == frame["user_id"].map(lambda v: isinstance(v, str) and v.strip() != "").sum()
    with_id = out[frame["user_id"].map(lambda v: isinstance(v, str) and v.strip() != "")]
    merged = with_id.assign(user_id=with_id["user_id"].str.strip()).merge(
        users, on="user_id", how="left", suffixes=("", "_user"), validate="many_to_one")
    assert len(merged) == len(with_id)
    assert merged["segment_id"].equals(merged["segment_id_user"])
    return out


@pytest.mark.parametrize("algorithm", sorted(CLUSTERERS))
@pytest.mark.parametrize("embedder", ["fake", "tfidf", "precomputed"])
def test_every_row_comes_back_in_order(embedder, algorithm, fake_embedder):
    frame = messy_reviews()
    run = run_segmentation(frame, _config(embedder, algorithm), with_map=False)
    out = assert_nothing_lost(frame, run)
    empty_row = out[STATUS_COLUMN][frame.index[frame["row_no"] == 1][0]]
    emoji_row = out[STATUS_COLUMN][frame.index[frame["row_no"] == 7][0]]
    vector_gap = out[STATUS_COLUMN][frame.index[frame["row_no"] == 19][0]]
    if embedder == "precomputed":
        assert vector_gap == "segmented from the user's other rows (missing or non-numeric vector values)"
    else:
        assert empty_row == "segmented from the user's other rows (empty text)"
        assert emoji_row == "segmented from the user's other rows (no usable words in the text)"


def test_every_row_with_the_map_and_a_merged_segment(fake_embedder):
    """Dashboard-style overrides (merged labels, renamed segments) keep the invariant."""
    frame = messy_reviews()
    run = run_segmentation(frame, _config("fake", "kmeans"), with_map=True)
    out = labeled_rows(frame, Edits.of({1: "Merged"}, [[1, 2]]).apply(run))
    assert len(out) == len(frame) and out["row_no"].tolist() == frame["row_no"].tolist()
    assert set(out["segment_id"].dropna().astype(int)) <= {0, 1}
    assert (out.loc[out["segment_id"] == 1, "segment_name"] == "Merged").all()
    assert out.loc[out["segment_id"].notna(), ["map_x", "map_y"]].notna().all().all()


@pytest.mark.slow
@pytest.mark.parametrize("embedder", ["minilm", "static"])
def test_real_model_embedders_keep_every_row(embedder):
    frame = messy_reviews(n_users=9)
    config = _config(embedder, "kmeans")
    run = run_segmentation(frame, config, with_map=False)
    assert_nothing_lost(frame, run)
