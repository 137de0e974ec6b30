"""Dates and times in a table: read a column as timestamps, and tell whether a column is one.

A time column (a review date, a Unix timestamp) is never a behaviour trait: 1.4e9 seconds
averaged per user and scaled says nothing about how someone behaves. It gets the **time**
role instead, for segments over time (`segkit.timeline`) and RFM recency.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from segkit.errors import SegkitInputError

TIME_NAME = re.compile(r"(time|date|timestamp|created|posted|_at$|^ts$)", re.IGNORECASE)
# Words that contain "time" or "date" but name no moment ("lifetime_value", "runtime_min").
_NOT_TIME_WORDS = re.compile(r"lifetime|runtime|overtime|playtime|uptime|update_count|times_", re.IGNORECASE)
# Unix seconds from 1973 to 2100, or the same in milliseconds.
_UNIX_SECONDS = (1e8, 4.2e9)
_UNIX_MILLIS = (1e11, 4.2e12)
_DATE_LIKE = re.compile(r"\d{1,4}\s*[-/.年,\s]\s*\d{1,2}|\d{4}-\d{2}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}")
TIME_SAMPLE = 2000


def spread_sample(values: pd.Series, size: int) -> pd.Series:
    """At most `size` evenly spaced values (all of them when there are fewer): shares and
    means read off them decide as every row would, without parsing a 200,000-row column."""
    if len(values) <= size:
        return values
    return values.iloc[np.linspace(0, len(values) - 1, size).astype(int)]


def parse_times(values: pd.Series, column: str = "time") -> pd.Series:
    """Timestamps (UTC-naive) from dates as text, datetimes, or Unix seconds/milliseconds."""
    if pd.api.types.is_datetime64_any_dtype(values):
        times = pd.to_datetime(values)
    elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce")
        finite = numbers.dropna()
        if finite.empty:
            raise SegkitInputError(f"The time column '{column}' has no values.")
        unit = "ms" if finite.abs().median() > 1e11 else "s"  # 1e11 s is the year 5138
        times = pd.to_datetime(numbers, unit=unit, errors="coerce")
    else:
        text = values.astype("string").str.strip()
        times = pd.to_datetime(text, errors="coerce", format="mixed", utc=True)
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    share = float(times.notna().mean()) if len(times) else 0.0
    if share < 0.5:
        raise SegkitInputError(f"The time column '{column}' does not hold dates: only {share:.0%} of its values "
                               "read as a date or a Unix time. Pick another column with --time-col.")
    return times


def _is_unix_time(values: pd.Series) -> bool:
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if numbers.empty or (numbers % 1 != 0).mean() > 0.01:
        return False
    inside = (numbers.between(*_UNIX_SECONDS) | numbers.between(*_UNIX_MILLIS)).mean()
    return bool(inside >= 0.95)


def looks_like_time(column: str, series: pd.Series) -> bool:
    """Whether a column holds moments: datetimes; Unix seconds/ms under a time-like name
    ("unixReviewTime"); or text that reads as dates (under any name when 95% look like
    dates and parse, under a time-like name when 90% parse)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return True
    filled = series.dropna()
    if filled.empty or pd.api.types.is_bool_dtype(series):
        return False
    named = bool(TIME_NAME.search(str(column))) and not _NOT_TIME_WORDS.search(str(column))
    sample = spread_sample(filled, TIME_SAMPLE)
    numeric = pd.to_numeric(sample.astype(str).str.strip(), errors="coerce")
    if numeric.notna().mean() >= 0.9:
        return named and _is_unix_time(numeric)
    text = sample.astype(str).str.strip()
    shaped = float(text.str.contains(_DATE_LIKE).mean())
    if shaped < (0.5 if named else 0.95):
        return False
    parsed = pd.to_datetime(text, errors="coerce", format="mixed", utc=True)
    return float(parsed.notna().mean()) >= (0.9 if named else 0.95)
