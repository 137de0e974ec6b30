"""Text columns that are really numbers become numeric columns (ids with leading zeros stay text)."""

from __future__ import annotations

import numpy as np
import pandas as pd

_PROBE = 64  # filled cells tried first: a text column fails on the first few


def convert_numeric_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn text columns whose filled cells all parse as numbers into float (or whole: Int64) columns.

    Every column is decided first and the frame is built once at the end: assigning the
    columns one by one costs time in proportion to the width, for each column.
    """
    converted: dict[int, pd.Series] = {}
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        if pd.api.types.is_numeric_dtype(series):
            continue
        values = _as_number(series)
        if values is not None:
            converted[position] = values
    if not converted:
        return frame
    out = pd.DataFrame({position: converted.get(position, frame.iloc[:, position]) for position in range(frame.shape[1])})
    out.columns = frame.columns
    out.index = frame.index
    return out


def _as_number(series: pd.Series) -> pd.Series | None:
    filled = series.dropna()
    if filled.empty:
        return None
    probe = filled.iloc[:_PROBE].astype(str).str.strip()
    if pd.to_numeric(probe, errors="coerce").isna().any() or _looks_like_identifier(probe):
        return None
    stripped = filled.astype(str).str.strip()
    parsed = pd.to_numeric(stripped, errors="coerce")
    if not parsed.notna().all() or _looks_like_identifier(stripped):
        return None
    values = pd.Series(np.nan, index=series.index, dtype=float)
    values.loc[filled.index] = parsed.astype(float).to_numpy()
    finite = values[np.isfinite(values)]
    # Whole numbers stay whole (Int64) so an export writes "3", not "3.0".
    if len(finite) == values.notna().sum() and (finite % 1 == 0).all() and finite.abs().max() < 2**53:
        values = values.astype("Int64")
    return values


def _looks_like_identifier(values: pd.Series) -> bool:
    # "00123" keeps its leading zero as an id, not the number 123.
    return bool(values.str.match(r"^0\d").any())


def numeric_like_columns(frame: pd.DataFrame, share: float = 0.9) -> list[str]:
    """Columns offered as numeric traits: numeric, or text whose cells are at least `share` numbers."""
    out = []
    for position, column in enumerate(frame.columns):
        series = frame.iloc[:, position]
        if pd.api.types.is_numeric_dtype(series):
            out.append(str(column))
            continue
        if pd.to_numeric(series, errors="coerce").notna().mean() >= share:
            out.append(str(column))
    return out
