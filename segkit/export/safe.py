"""CSV written so that opening it in Excel or Sheets cannot run a formula.

Rule: a text cell that starts with =, +, -, @, a tab or a carriage return (or the
full-width ＝ ＋ － ＠ that some spreadsheet locales also accept) is prefixed with a single
quote ('), which spreadsheets show as text. Leading spaces or line feeds do not hide a
formula from the rule: the first non-blank character counts. Numbers are left alone (a
negative number is data, not a formula); only text cells are touched, whatever the
column's dtype (object, string or categorical) and whoever wrote them: uploaded text,
segment names typed in the dashboard, keywords. Column names are treated the same way.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def is_formula_like(value) -> bool:
    if not isinstance(value, str) or not value:
        return False
    if value.startswith(FORMULA_STARTS):
        return True
    # " =cmd|..." and "\n=..." : spreadsheets may strip the blank and evaluate the rest.
    stripped = value.lstrip(" \n\x0b\x0c")
    return stripped != value and stripped.startswith(FORMULA_STARTS)


def _neutralise(value):
    if is_formula_like(value):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out[column] = series.map(_neutralise, na_action="ignore")
    out.columns = [_neutralise(str(c)) for c in out.columns]
    return out


def to_safe_csv(frame: pd.DataFrame, path=None, **kwargs) -> str | None:
    """Like DataFrame.to_csv (UTF-8 with BOM so Excel reads accents and Chinese)."""
    kwargs.setdefault("index", False)
    # CRLF row ends (RFC 4180): the csv writer then quotes any cell holding a lone \r,
    # which a "\n" terminator would leave bare for readers to take as a line break.
    kwargs.setdefault("lineterminator", "\r\n")
    safe = neutralise_formulas(frame)
    if path is None:
        return safe.to_csv(**kwargs)
    kwargs.setdefault("encoding", "utf-8-sig")
    safe.to_csv(path, **kwargs)
    return None


def to_safe_excel(frame: pd.DataFrame, path, **kwargs) -> None:
    """Like DataFrame.to_excel, with the same rule: no cell is written as a formula."""
    kwargs.setdefault("index", False)
    neutralise_formulas(frame).to_excel(path, **kwargs)
