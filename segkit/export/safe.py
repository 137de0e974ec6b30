"""CSV written so that opening it in Excel or Sheets cannot run a formula.

Rule: a text cell that starts with =, +, -, @, a tab or a carriage return (or the
full-width ＝ ＋ － ＠ that some spreadsheet locales also accept) is prefixed with a single
quote ('), which spreadsheets show as text. Leading blanks do not hide a formula from the
rule: spaces, line feeds, no-break spaces, zero-width characters and a byte-order mark
are skipped, and the first visible character counts. A spreadsheet in a locale whose
separator is ';' (or one told to split on tabs or '|') cuts "ok;=1+1" into two cells and
runs the second, so a formula character after ';', a tab or '|' (blanks skipped) gets the
same quote in front of it: "ok;'=1+1". Numbers are left alone (a
negative number is data, not a formula); only text cells are touched, whatever the
column's dtype (object, string or categorical) and whoever wrote them: uploaded text,
segment names typed in the dashboard, keywords. Column names are treated the same way.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Characters a spreadsheet (or a reader's eye) skips before the first visible one.
BLANKS = " \n\x0b\x0c\u00a0\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009" \
         "\u200a\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
# Separators some spreadsheet locales or import settings split a cell on.
SPLITTERS = ";\t|"
_FORMULA_CHARS = r"=+\-@\uff1d\uff0b\uff0d\uff20"
_AFTER_SPLITTER = re.compile(f"([{re.escape(SPLITTERS)}][{re.escape(BLANKS)}]*)(?=[{_FORMULA_CHARS}])")


def is_formula_like(value) -> bool:
    """Would a spreadsheet evaluate this cell (or a piece of it, after a ';', tab or '|')?"""
    if not isinstance(value, str) or not value:
        return False
    if value.startswith(FORMULA_STARTS):
        return True
    # " =cmd|...", "\n=...", "\u00a0=..." : spreadsheets may strip the blank and evaluate the rest.
    stripped = value.lstrip(BLANKS)
    if stripped != value and stripped.startswith(FORMULA_STARTS):
        return True
    return _AFTER_SPLITTER.search(value) is not None


def _neutralise(value):
    if not is_formula_like(value):
        return value
    if value.startswith(FORMULA_STARTS) or value.lstrip(BLANKS).startswith(FORMULA_STARTS):
        value = "'" + value
    return _AFTER_SPLITTER.sub(lambda m: m.group(1) + "'", value)


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
