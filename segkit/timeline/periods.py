"""Time columns and periods: parse a column to timestamps, pick the period length from the
data's span, and count each segment's users per period.

The period length ("auto"): a day for spans up to 31 days, a week up to 26 weeks, a month
up to 5 years (the usual case), a quarter up to 15 years, else a year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.errors import SegkitInputError
from segkit.io.times import TIME_NAME, parse_times  # noqa: F401 - parse_times is re-exported

FREQS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}


def guess_time_col(frame: pd.DataFrame) -> str | None:
    """A column named like a time (time, date, created, ..._at) whose values read as dates, else None."""
    for column in frame.columns:
        if TIME_NAME.search(str(column)):
            try:
                parse_times(frame[column].head(2000), str(column))
            except (SegkitInputError, ValueError, TypeError, OverflowError):
                continue
            return str(column)
    return None


def choose_freq(times: pd.Series) -> str:
    valid = times.dropna()
    if valid.empty:
        return "month"
    span_days = (valid.max() - valid.min()).total_seconds() / 86400
    if span_days <= 31:
        return "day"
    if span_days <= 26 * 7:
        return "week"
    if span_days <= 5 * 366:
        return "month"
    if span_days <= 15 * 366:
        return "quarter"
    return "year"


def period_of(times: pd.Series, freq: str = "auto") -> tuple[pd.Series, str]:
    """Each time's period as text ('2014-03', '2014Q1', ...) and the period length used."""
    freq = choose_freq(times) if freq in (None, "", "auto") else freq
    if freq not in FREQS:
        raise SegkitInputError(f"Unknown period '{freq}': use auto, {', '.join(FREQS)}.")
    periods = times.dt.to_period(FREQS[freq]).astype("string")
    return periods, freq


def sizes_by_period(periods: pd.Series, row_user: np.ndarray, user_labels: np.ndarray,
                    names: dict | None = None) -> pd.DataFrame:
    """Users per segment and period (a user counts once per period, in their segment).

    periods: per input row; row_user: per row, the user's index (-1 none); user_labels: per user.
    Returns period, segment_id, segment_name, users, share (of the period's segmented users).
    """
    names = names or {}
    row_user = np.asarray(row_user)
    keep = (row_user >= 0) & periods.notna().to_numpy()
    pairs = pd.DataFrame({"period": periods.to_numpy()[keep], "user": row_user[keep]}).drop_duplicates()
    pairs["segment_id"] = np.asarray(user_labels)[pairs["user"].to_numpy()]
    pairs = pairs[pairs["segment_id"] >= -1]
    return count_sizes(pairs, names)


def count_sizes(pairs: pd.DataFrame, names: dict) -> pd.DataFrame:
    """Users per period and segment from (period, segment_id) rows, every pair present (0 if none)."""
    counts = pairs.groupby(["period", "segment_id"]).size().rename("users").reset_index()
    full = pd.MultiIndex.from_product([sorted(counts["period"].unique()), sorted(counts["segment_id"].unique())],
                                      names=["period", "segment_id"])
    counts = counts.set_index(["period", "segment_id"]).reindex(full, fill_value=0).reset_index()
    totals = counts.groupby("period")["users"].transform("sum")
    counts["share"] = (counts["users"] / totals.where(totals > 0, 1)).round(4)
    counts["segment_name"] = [segment_name(s, names) for s in counts["segment_id"]]
    return counts[["period", "segment_id", "segment_name", "users", "share"]]


def segment_name(segment: int, names: dict) -> str:
    segment = int(segment)
    if segment == -1:
        return "Unassigned"
    return str(names.get(segment, names.get(str(segment), f"Segment {segment}")))


def sizes_for_run(run, frame: pd.DataFrame, time_col: str, freq: str = "auto",
                  labels: np.ndarray | None = None, names: dict | None = None) -> tuple[pd.DataFrame, str]:
    """Sizes per period for a SegmentationRun made from `frame` (edited labels/names if given)."""
    if time_col not in frame.columns:
        raise SegkitInputError(f"No column '{time_col}' in the data (columns: {', '.join(map(str, frame.columns[:12]))}).")
    periods, freq = period_of(parse_times(frame[time_col], time_col), freq)
    user_labels = run.user_labels() if labels is None else labels
    return sizes_by_period(periods, run.table.row_user, user_labels, names or run.summary.names), freq


def trait_by_period(values, periods: pd.Series, row_user: np.ndarray, user_labels: np.ndarray,
                    name: str) -> pd.DataFrame:
    """Mean of a per-row value (a numeric column such as rating, or review sentiment) per segment and period."""
    values = pd.to_numeric(pd.Series(np.asarray(values)), errors="coerce").to_numpy(dtype=float)
    row_user = np.asarray(row_user)
    keep = (row_user >= 0) & periods.notna().to_numpy()
    rows = pd.DataFrame({"period": periods.to_numpy()[keep], "segment_id": np.asarray(user_labels)[row_user[keep]],
                         name: values[keep]})
    rows = rows[rows["segment_id"] >= 0]
    return rows.groupby(["period", "segment_id"])[name].mean().round(4).reset_index()


def sentiment_by_period(table, periods: pd.Series, user_labels: np.ndarray) -> pd.DataFrame:
    """Each segment's mean review sentiment (segkit.sentiment, -1..1) per period."""
    from segkit.sentiment import score_texts

    scores, _ = score_texts(table.row_texts)
    scores = np.where([bool(t) for t in table.row_texts], scores, np.nan)
    return trait_by_period(scores, periods, table.row_user, user_labels, "sentiment")
