"""The labeled table: every input row, in input order, with its segment.

Rows that could not be segmented are kept, with the reason in `segkit_status`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.labels import NOISE, NOT_SEGMENTED, segment_name

STATUS_COLUMN = "segkit_status"
ADDED_COLUMNS = ("segment_id", "segment_name", "segment_confidence", "map_x", "map_y", STATUS_COLUMN)


def labeled_rows(frame: pd.DataFrame, run) -> pd.DataFrame:
    """`frame` is the uploaded table the run was made from (same rows, same order).

    An edited run (`segkit.edits.Edits.apply`) carries its merged labels and names.
    """
    table = run.table
    if len(frame) != table.n_rows:
        raise ValueError(f"frame has {len(frame)} rows but the run was made from {table.n_rows}")
    names = run.summary.names
    n_users = table.n_users
    labels_by_user = run.user_labels()
    confidence_by_user = np.full(n_users, np.nan)
    confidence_by_user[run.embeddings.user_index] = run.result.confidence
    map_by_user = np.full((n_users, 2), np.nan)
    map_by_user[run.embeddings.user_index] = run.map2d

    row_user = table.row_user
    has_user = row_user >= 0
    safe_user = np.where(has_user, row_user, 0)
    row_labels = np.where(has_user, labels_by_user[safe_user], NOT_SEGMENTED)
    segmented = row_labels >= NOISE  # NOISE (-1) is a real answer: 'Unassigned'

    out = frame.copy()
    out.index = range(len(out))
    # Avoid clobbering a column the user already has with the same name.
    for column in ADDED_COLUMNS:
        if column in out.columns:
            out = out.rename(columns={column: f"{column}_input"})
    out["segment_id"] = pd.array(np.where(segmented, row_labels, 0), dtype="Int64")
    out.loc[~segmented, "segment_id"] = pd.NA
    out["segment_name"] = [
        segment_name(v, names) if ok else ""
        for v, ok in zip(row_labels, segmented, strict=True)
    ]
    out["segment_confidence"] = np.where(segmented & has_user, confidence_by_user[safe_user], np.nan).round(4)
    out["map_x"] = np.where(segmented, map_by_user[safe_user, 0], np.nan).round(4)
    out["map_y"] = np.where(segmented, map_by_user[safe_user, 1], np.nan).round(4)
    out[STATUS_COLUMN] = _row_status(_row_reasons(run), has_user, segmented, row_labels)
    return out


def user_rows(run) -> pd.DataFrame:
    """One row per user (UserTable order): the user-level export.

    Every input row with a user id maps to exactly one row here through `user_id`, and
    `n_reviews` counts those rows, so a user-level file always leads back to every review.
    """
    table = run.table
    names = run.summary.names
    labels = run.user_labels()
    confidence = np.full(table.n_users, np.nan)
    confidence[run.embeddings.user_index] = run.result.confidence
    out = pd.DataFrame({"user_id": table.users["user_id"].astype(str).to_numpy(),
                        "n_reviews": table.users["n_reviews"].to_numpy()})
    segmented = labels >= NOISE
    out["segment_id"] = pd.array(np.where(segmented, labels, 0), dtype="Int64")
    out.loc[~segmented, "segment_id"] = pd.NA
    out["segment_name"] = [
        segment_name(v, names) if ok else ""
        for v, ok in zip(labels, segmented, strict=True)
    ]
    out["segment_confidence"] = np.where(segmented, confidence, np.nan).round(4)
    out[STATUS_COLUMN] = np.where(
        ~segmented, "not segmented: no usable text for this user",
        np.where(labels == NOISE, "unassigned: outlier for the density method", "ok"))
    return out


def _row_reasons(run) -> np.ndarray:
    """Why each row could not be used ('' if it could), including rows whose text had no
    usable words (e.g. only emoji or punctuation for TF-IDF) or whose vector had gaps."""
    reasons = np.asarray(run.table.row_status, dtype=object).copy()
    usable = getattr(run.embeddings, "row_usable", None)
    if usable is not None and len(usable) == len(reasons):
        has_user = run.table.row_user >= 0
        dropped = (reasons == "") & has_user & ~np.asarray(usable, dtype=bool)
        if run.embeddings.embedder == "precomputed":
            reasons[dropped] = "missing or non-numeric vector values"
        else:
            reasons[dropped] = "no usable words in the text"
    return reasons


def _row_status(row_status: np.ndarray, has_user: np.ndarray, segmented: np.ndarray,
                row_labels: np.ndarray) -> list[str]:
    out = []
    for reason, user_ok, seg_ok, label in zip(row_status, has_user, segmented, row_labels, strict=True):
        if not user_ok:
            out.append(f"not segmented: {reason or 'missing user id'}")
        elif not seg_ok:
            out.append("not segmented: no usable text for this user")
        elif reason:
            out.append(f"segmented from the user's other rows ({reason})")
        elif label == NOISE:
            out.append("unassigned: outlier for the density method")
        else:
            out.append("ok")
    return out
