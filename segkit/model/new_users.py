"""New users assigned to a saved model's segments: one row per user, and every input row.

The model's embedder and fusion place the users (`segment_model.fuse_new_users`); the
method (`assign_methods`: nearest centre or the classifier) picks the segment; each user
also gets the nearest other segment and both distances, so a reader sees how close a call
it was.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.errors import SegkitInputError
from segkit.labels import NOISE, segment_name
from segkit.model.segment_model import SegmentModel, _reduce_new, fuse_new_users

ASSIGN_COLUMNS = ("segment_id", "segment_name", "segment_confidence", "outlier", "assign_status",
                  "second_segment", "second_segment_name", "distance_to_own", "distance_to_second",
                  "pulled_by", "keywords_used")


def assign_users(model: SegmentModel, frame: pd.DataFrame, user_col: str | None = None,
                 text_cols: list[str] | None = None, method: str = "centroid",
                 why: bool = True, placed: tuple | None = None) -> tuple[pd.DataFrame, object]:
    """One row per new user: user_id, segment_id (-1 outlier), segment_name, segment_confidence,
    outlier, assign_status, and the nearest other segment (second_segment, its name) with
    distance_to_own and distance_to_second. Also returns the prepared UserTable (rows -> users).
    `method`: "centroid" (the clusterer's rule) or "classifier" (segkit.model.assign_methods);
    `why` adds pulled_by and keywords_used (a pass over every user's text; off for drift).
    See `fuse_new_users` for the columns used; `placed`: its result for this model (or one
    with the same embedder and fusion) and `frame`, when the caller already has it.
    """
    from segkit.model.assign_methods import ASSIGN_METHODS, assign_points, why_columns

    if method not in ASSIGN_METHODS:  # before any embedding work
        raise SegkitInputError(f"Unknown assignment method '{method}'; choose {' or '.join(ASSIGN_METHODS)}.")
    table, index, fused = placed if placed is not None else fuse_new_users(model, frame, user_col, text_cols)
    out = pd.DataFrame({"user_id": table.users["user_id"].astype(str)})
    out["segment_id"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["segment_name"] = ""
    out["segment_confidence"] = np.nan
    out["outlier"] = pd.array([pd.NA] * len(out), dtype="boolean")
    out["assign_status"] = "not assigned: no usable text for this user"
    out["second_segment"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["second_segment_name"] = ""
    out["distance_to_own"] = out["distance_to_second"] = np.nan
    out["pulled_by"] = out["keywords_used"] = ""
    if len(index):
        assigned = assign_points(model, fused, _reduce_new(model, fused), method)
        names = model.names
        out.loc[index, "segment_id"] = assigned["segment_id"].to_numpy()
        out.loc[index, "segment_name"] = [segment_name(s, names) for s in assigned["segment_id"]]
        out.loc[index, "segment_confidence"] = assigned["segment_confidence"].round(4).to_numpy()
        out.loc[index, "outlier"] = assigned["outlier"].to_numpy()
        out.loc[index, "second_segment"] = assigned["second_segment"].to_numpy()
        out.loc[index, "second_segment_name"] = [segment_name(s, names) if s is not pd.NA else ""
                                                 for s in assigned["second_segment"]]
        for column in ("distance_to_own", "distance_to_second"):
            out.loc[index, column] = assigned[column].round(4).to_numpy()
        if why:
            texts = table.user_texts()
            reasons = why_columns(model, fused, assigned["segment_id"].to_numpy(), assigned["second_segment"],
                                  [texts[i] for i in index])
            for column in reasons.columns:
                out.loc[index, column] = reasons[column].to_numpy()
        out.loc[index, "assign_status"] = np.where(
            assigned["segment_id"] == NOISE, "unassigned: outlier, no segment is close enough",
            np.where(assigned["outlier"], "assigned, but far from the segment's members (outlier)", "ok"))
    return out, table


def labeled_new_rows(frame: pd.DataFrame, table, per_user: pd.DataFrame) -> pd.DataFrame:
    """Every row of the new file with its user's assignment (like `segkit segment --out`)."""
    out = frame.copy().reset_index(drop=True)
    columns = [c for c in ASSIGN_COLUMNS if c in per_user.columns]
    for column in columns:
        if column in out.columns:
            out = out.rename(columns={column: f"{column}_input"})
    row_user = table.row_user
    has = row_user >= 0
    pick = per_user.iloc[np.where(has, row_user, 0)].reset_index(drop=True)
    for column in columns:
        values = pick[column].copy()
        values[~has] = "" if column in ("segment_name", "assign_status", "second_segment_name", "pulled_by",
                                        "keywords_used") else pd.NA
        out[column] = values.astype("Int64").to_numpy() if column in ("segment_id", "second_segment") \
            else values.to_numpy()
    out.loc[~has, "assign_status"] = "not assigned: missing user id"
    return out
