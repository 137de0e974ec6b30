"""The audience file: one row per user, ready for a CRM or an ad platform's audience import.

Every user of the input is there, also those that could not be segmented (with the
reason in `segkit_status`), under the user id column's own name. Segment names are the
run's (after the analyst's edits, when the run is an edited one). Optional true/false
columns, one per segment (`in_<segment name>`), are the shape audience imports expect.
Text cells go through the same formula guard as every other export.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from segkit.errors import SegkitInputError
from segkit.export.labeled import STATUS_COLUMN, user_rows
from segkit.labels import NOISE

AUDIENCE_FORMATS = (".csv", ".parquet")


def _flag_name(name: str, taken: set[str]) -> str:
    """`in_` + a column-safe form of the segment name, unique among `taken`."""
    slug = re.sub(r"[^\w]+", "_", str(name).strip().lower(), flags=re.UNICODE).strip("_") or "segment"
    column = f"in_{slug}"[:60]
    base, n = column, 2
    while column in taken:
        column = f"{base}_{n}"
        n += 1
    taken.add(column)
    return column


def audience_rows(run, segment_flags: bool = False) -> pd.DataFrame:
    """One row per user of `run.table`: id, segment, confidence, status and traits."""
    roles = run.table.roles
    base = user_rows(run)
    id_column = roles.user_col or "user_id"
    out = pd.DataFrame({id_column: base["user_id"]})
    out["segment_id"] = base["segment_id"]
    out["segment_name"] = base["segment_name"]
    out["segment_confidence"] = base["segment_confidence"]
    out[STATUS_COLUMN] = base[STATUS_COLUMN]
    out["n_reviews"] = base["n_reviews"]
    users = run.table.users
    for column in (*roles.numeric_cols, *roles.categorical_cols):
        if column in users.columns and column not in out.columns:
            values = users[column]
            out[column] = values.round(4) if pd.api.types.is_float_dtype(values) else values.to_numpy()
    if segment_flags:
        labels = run.user_labels()
        taken = set(out.columns)
        names = run.summary.names
        for segment in sorted(s for s in names if s >= 0):
            out[_flag_name(names[segment], taken)] = labels == segment
        if (labels == NOISE).any():
            out[_flag_name("unassigned", taken)] = labels == NOISE
    return out


def write_audience(frame: pd.DataFrame, path: str | Path) -> None:
    """Write `audience_rows(...)` as CSV (formula-safe, UTF-8 with BOM) or Parquet, atomically.

    Parquet keeps the values exactly: no spreadsheet evaluates it, and a CRM import of a
    quoted-away "=" would change a customer's data."""
    from segkit.outputs import atomic_path, write_csv_atomic

    suffix = Path(path).suffix.lower()
    if suffix not in AUDIENCE_FORMATS:
        raise SegkitInputError(f"The audience file must end in .csv or .parquet, not '{suffix or path}'.")
    if suffix == ".csv":
        write_csv_atomic(frame, path)
        return
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)


__all__ = ["AUDIENCE_FORMATS", "audience_rows", "write_audience"]
