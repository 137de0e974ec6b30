"""An Excel workbook of a table in which every text cell is typed as text.

A spreadsheet never evaluates a cell stored as a string (`t="s"` / inline string), so
nothing needs a protective quote: "=1+1" shows as "=1+1". openpyxl would store a
string that starts with '=' as a formula; here each text cell's type is forced to
string. Numbers stay numbers; missing values stay empty. Written with openpyxl's
write-only mode (rows streamed, memory independent of the number of rows).
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

from segkit.errors import SegkitInputError

EXCEL_MAX_ROWS = 1_048_576  # including the header row
EXCEL_MAX_COLUMNS = 16_384
# Characters XML 1.0 cannot hold (openpyxl refuses them): shown as U+FFFD.
_ILLEGAL = {c: "\ufffd" for c in [*range(0, 9), 11, 12, *range(14, 32)]}
_MAX_CELL = 32_767  # Excel's limit on characters in a cell


def _text_cell(sheet, value: str):
    from openpyxl.cell import WriteOnlyCell

    value = value.translate(_ILLEGAL)[:_MAX_CELL]
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text, even when it starts with '=' (openpyxl would make it a formula)
    return cell


def _cell(sheet, value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else (float(value) if math.isfinite(value) else _text_cell(sheet, str(value)))
    if isinstance(value, str):
        return _text_cell(sheet, value)
    return _text_cell(sheet, str(value))


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "segments") -> bytes:
    """The frame as an .xlsx file (bytes): a header row, then one row per frame row."""
    from openpyxl import Workbook

    if len(frame) + 1 > EXCEL_MAX_ROWS or frame.shape[1] > EXCEL_MAX_COLUMNS:
        raise SegkitInputError(
            f"{len(frame):,} rows × {frame.shape[1]:,} columns do not fit in one Excel sheet "
            f"({EXCEL_MAX_ROWS - 1:,} rows, {EXCEL_MAX_COLUMNS:,} columns at most); download the CSV instead.")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name[:31])
    sheet.append([_text_cell(sheet, str(c)) for c in frame.columns])
    columns = [frame[c].astype(object).to_numpy() for c in frame.columns]
    for i in range(len(frame)):
        sheet.append([_cell(sheet, column[i]) for column in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
