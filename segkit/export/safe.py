"""CSV written so that opening it in Excel or Sheets cannot run a formula.

Rule: a text cell that starts with =, +, -, @, a tab or a carriage return is prefixed
with a single quote ('), which spreadsheets show as text. Numbers are left alone (a
negative number is data, not a formula); only text cells are touched.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out[column] = series.map(_neutralise, na_action="ignore")
    out.columns = [_neutralise(str(c)) for c in out.columns]
    return out


def to_safe_csv(frame: pd.DataFrame, path=None, **kwargs) -> str | None:
    """Like DataFrame.to_csv (UTF-8 with BOM so Excel reads accents and Chinese)."""
    kwargs.setdefault("index", False)
    safe = neutralise_formulas(frame)
    if path is None:
        return safe.to_csv(**kwargs)
    kwargs.setdefault("encoding", "utf-8-sig")
    safe.to_csv(path, **kwargs)
    return None
