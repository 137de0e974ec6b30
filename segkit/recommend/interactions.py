"""Interactions (user, item, optional rating, optional time) and segment labels, checked.

Both come from files read with `segkit.io.read_table`, so they accept the same formats
and get the same checks as the main upload; here we pick and validate the columns and
normalise ids to stripped strings, so '00123' and 123 never silently mix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segkit.errors import SegkitInputError

_USER_NAMES = re.compile(r"^(user|customer|client|member|account|reviewer|buyer)[_\s-]?id$|^(uid|userid|reviewerid)$",
                         re.IGNORECASE)
_ITEM_NAMES = re.compile(r"^(item|product|business|movie|book|article|sku|asin|track|song)[_\s-]?(id)?$|"
                         r"^(iid|itemid|productid|asin|sku)$", re.IGNORECASE)
_RATING_NAMES = ("rating", "stars", "overall", "score", "rating_value")
_TIME_NAMES = ("timestamp", "time", "date", "datetime", "unixreviewtime", "created_at", "ts", "event_time")


@dataclass(frozen=True)
class InteractionColumns:
    user_col: str
    item_col: str
    rating_col: str | None = None
    time_col: str | None = None


@dataclass(frozen=True)
class Interactions:
    """One row per (user, item) pair, earliest time kept; ids are strings."""

    frame: pd.DataFrame  # columns: user, item, rating (float, NaN if none), time (float, NaN if none)
    columns: InteractionColumns
    has_time: bool
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_users(self) -> int:
        return int(self.frame["user"].nunique())

    @property
    def n_items(self) -> int:
        return int(self.frame["item"].nunique())


def id_strings(series: pd.Series) -> pd.Series:
    """Ids as stripped strings; whole floats (a CSV read 123 as 123.0) lose the '.0'; missing -> None."""
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype=float)
        finite = np.isfinite(values)
        if finite.any() and np.all(values[finite] % 1 == 0):
            series = series.astype("Int64")
    out = series.astype("string").str.strip()
    out = out.where(out.notna() & (out != ""), None)
    return out.astype(object)


def _pick(columns: list[str], given: str | None, role: str, names) -> str | None:
    if given:
        if given not in columns:
            shown = ", ".join(columns[:12])
            raise SegkitInputError(f"The {role} column '{given}' is not in the interactions file. Columns are: {shown}.")
        return given
    for column in columns:
        if isinstance(names, re.Pattern):
            if names.match(str(column).strip()):
                return column
        elif str(column).strip().lower() in names:
            return column
    return None


def infer_interaction_columns(frame: pd.DataFrame, user_col: str | None = None, item_col: str | None = None,
                              rating_col: str | None = None, time_col: str | None = None) -> InteractionColumns:
    """Given columns are checked; missing ones are guessed from common names."""
    columns = [str(c) for c in frame.columns]
    user = _pick(columns, user_col, "user id", _USER_NAMES)
    if user is None:
        raise SegkitInputError(
            "No user id column found in the interactions file; name it with --user-col "
            f"(columns are: {', '.join(columns[:12])})."
        )
    item = _pick([c for c in columns if c != user], item_col, "item id", _ITEM_NAMES)
    if item is None:
        raise SegkitInputError(
            "No item id column found in the interactions file; name it with --item-col "
            f"(columns are: {', '.join(columns[:12])})."
        )
    if user == item:
        raise SegkitInputError(f"Column '{user}' cannot be both the user id and the item id.")
    rest = [c for c in columns if c not in (user, item)]
    rating = _pick(rest, rating_col, "rating", _RATING_NAMES)
    time = _pick([c for c in rest if c != rating], time_col, "time", _TIME_NAMES)
    return InteractionColumns(user, item, rating, time)


def parse_times(series: pd.Series, column: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(series):
        values = pd.to_numeric(series, errors="coerce").astype(float).to_numpy()
    else:
        parsed = pd.to_datetime(series, errors="coerce", utc=True, format="mixed")
        seconds = (parsed - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
        values = seconds.astype(float).to_numpy()
    filled = series.notna().to_numpy()
    bad = filled & ~np.isfinite(values)
    if filled.any() and bad.sum() > 0.5 * filled.sum():
        example = series[bad].iloc[0]
        raise SegkitInputError(
            f"The time column '{column}' could not be read as dates or numbers (e.g. '{example}'); "
            "give another column with --time-col or leave it out for a random split."
        )
    return values


def prepare_interactions(frame: pd.DataFrame, columns: InteractionColumns | None = None,
                         min_rating: float | None = None) -> Interactions:
    """Validate and normalise; `min_rating` keeps only interactions rated at least that (positives)."""
    if columns is None:
        columns = infer_interaction_columns(frame)
    else:
        columns = infer_interaction_columns(frame, columns.user_col, columns.item_col,
                                            columns.rating_col, columns.time_col)
    if len(frame) == 0:
        raise SegkitInputError("The interactions file has no rows.")
    notes: list[str] = []
    users = id_strings(frame[columns.user_col])
    items = id_strings(frame[columns.item_col])
    out = pd.DataFrame({"user": users, "item": items})
    if columns.rating_col:
        ratings = pd.to_numeric(frame[columns.rating_col], errors="coerce").astype(float)
        bad = int((ratings.isna() & frame[columns.rating_col].notna()).sum())
        if bad > 0.5 * max(int(frame[columns.rating_col].notna().sum()), 1):
            raise SegkitInputError(f"The rating column '{columns.rating_col}' is mostly not numbers; "
                                   "choose another with --rating-col or leave it out.")
        if bad:
            notes.append(f"{bad} rating cell(s) are not numbers and count as unrated")
        out["rating"] = ratings.to_numpy()
    else:
        out["rating"] = np.nan
    out["time"] = parse_times(frame[columns.time_col], columns.time_col) if columns.time_col else np.nan
    out["order"] = np.arange(len(out))
    missing = out["user"].isna() | out["item"].isna()
    if missing.all():
        raise SegkitInputError(f"No row has both a user id ('{columns.user_col}') and an item id ('{columns.item_col}').")
    if missing.any():
        notes.append(f"{int(missing.sum())} row(s) without a user or item id were dropped")
        out = out[~missing]
    if min_rating is not None:
        if not columns.rating_col:
            raise SegkitInputError("A minimum rating was given but the interactions have no rating column.")
        kept = out["rating"] >= float(min_rating)
        notes.append(f"kept {int(kept.sum())} of {len(out)} interactions rated >= {min_rating}")
        out = out[kept]
        if out.empty:
            raise SegkitInputError(f"No interaction is rated {min_rating} or more.")
    has_time = bool(columns.time_col) and bool(np.isfinite(out["time"]).any())
    if has_time and not np.isfinite(out["time"]).all():
        n_bad = int((~np.isfinite(out["time"])).sum())
        notes.append(f"{n_bad} interaction(s) without a readable time were dropped")
        out = out[np.isfinite(out["time"])]
    sort_keys = ["user", "time", "order"] if has_time else ["user", "order"]
    out = out.sort_values(sort_keys, kind="mergesort")
    before = len(out)
    out = out.drop_duplicates(["user", "item"], keep="first")
    if len(out) < before:
        notes.append(f"{before - len(out)} repeated (user, item) interaction(s) merged into the first one")
    if out["item"].nunique() < 2:
        raise SegkitInputError("The interactions name fewer than 2 distinct items: nothing to recommend.")
    out = out.reset_index(drop=True)
    return Interactions(out, columns, has_time, tuple(notes))


def segments_from_labeled(frame: pd.DataFrame, user_col: str | None = None,
                          segment_col: str = "segment_id") -> pd.Series:
    """user id (str) -> segment id (int; -1 = unassigned outlier) from a labeled export.

    Rows without a segment (not segmented) are skipped: those users get no segment and
    are recommended with global popularity.
    """
    columns = [str(c) for c in frame.columns]
    if segment_col not in columns:
        raise SegkitInputError(
            f"The segments file has no '{segment_col}' column: give the labeled CSV written by "
            "`segkit segment --out`, or a table of user id and segment_id."
        )
    if user_col is None:
        candidates = [c for c in columns if _USER_NAMES.match(c.strip())] or \
                     [c for c in columns if c.lower() in ("user", "user_id", "id")]
        if not candidates:
            raise SegkitInputError(
                f"No user id column found in the segments file; name it with --user-col (columns are: {', '.join(columns[:12])})."
            )
        user_col = candidates[0]
    elif user_col not in columns:
        raise SegkitInputError(f"The user id column '{user_col}' is not in the segments file. Columns are: {', '.join(columns[:12])}.")
    users = id_strings(frame[user_col])
    segments = pd.to_numeric(frame[segment_col], errors="coerce")
    keep = users.notna() & segments.notna()
    if not keep.any():
        raise SegkitInputError(f"No row of the segments file has both a user id ('{user_col}') and a {segment_col}.")
    pairs = pd.DataFrame({"user": users[keep].to_numpy(), "segment": segments[keep].astype(int).to_numpy()})
    # A user normally has one segment on every row; if not, the most common one wins.
    counts = pairs.groupby(["user", "segment"]).size().reset_index(name="n")
    counts = counts.sort_values(["user", "n", "segment"], ascending=[True, False, True])
    best = counts.drop_duplicates("user").set_index("user")["segment"]
    best.name = "segment"
    return best.astype(int)
