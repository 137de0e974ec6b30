"""Bounds on what one uploaded table may become once decoded.

The upload limit (SEGKIT_MAX_UPLOAD_MB) counts the bytes of the file; compressed formats
can hide far more: an 89 KB Parquet file can decode to 5 million rows. So every reader
also checks, as early as the format allows (Parquet and Excel from their metadata and
zip directory before decoding, CSV/JSON while parsing):

=======================  ===========  =============================================
environment variable     default      what
=======================  ===========  =============================================
SEGKIT_MAX_ROWS          2,000,000    data rows
SEGKIT_MAX_COLUMNS       2,000        columns
SEGKIT_MAX_CELLS         10,000,000   rows × columns
SEGKIT_MAX_TEXT_MB       300          decoded text (CSV/JSON characters, Parquet strings,
                                      the unzipped size of an Excel workbook's sheets)
=======================  ===========  =============================================

Each refusal is one SegkitInputError naming the limit, the file's figure and the
variable that raises it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from segkit.errors import SegkitInputError

DEFAULTS = {"SEGKIT_MAX_ROWS": 2_000_000, "SEGKIT_MAX_COLUMNS": 2_000, "SEGKIT_MAX_CELLS": 10_000_000,
            "SEGKIT_MAX_TEXT_MB": 300}


def _env_number(name: str) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return float(DEFAULTS[name])
    try:
        value = float(raw.replace(",", "").replace("_", ""))
    except ValueError:
        raise SegkitInputError(f"{name} must be a number (got '{raw}').") from None
    if value <= 0:
        raise SegkitInputError(f"{name} must be a positive number (got '{raw}').")
    return value


@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_columns: int
    max_cells: int
    max_text_bytes: int

    @classmethod
    def from_env(cls) -> Limits:
        return cls(int(_env_number("SEGKIT_MAX_ROWS")), int(_env_number("SEGKIT_MAX_COLUMNS")),
                   int(_env_number("SEGKIT_MAX_CELLS")), int(_env_number("SEGKIT_MAX_TEXT_MB") * 1024 * 1024))

    def check_columns(self, n_columns: int, filename: str) -> None:
        if n_columns > self.max_columns:
            raise SegkitInputError(
                f"'{filename}' has {n_columns:,} columns, over the limit of {self.max_columns:,}; "
                f"keep the columns you need (text, user id, traits) or raise SEGKIT_MAX_COLUMNS.")

    def check_rows(self, n_rows: int, n_columns: int, filename: str, at_least: bool = False) -> None:
        """Refuse a table over the row or cell limit (`at_least`: the count so far, reading stopped)."""
        more = "more than " if at_least else ""
        if n_rows > self.max_rows:
            raise SegkitInputError(
                f"'{filename}' has {more}{n_rows:,} rows, over the limit of {self.max_rows:,}; "
                f"split the file or raise SEGKIT_MAX_ROWS.")
        if n_rows * n_columns > self.max_cells:
            raise SegkitInputError(
                f"'{filename}' has {more}{n_rows:,} rows × {n_columns:,} columns = {n_rows * n_columns:,} cells, "
                f"over the limit of {self.max_cells:,}; drop unused columns, split the file or raise "
                f"SEGKIT_MAX_CELLS.")

    def rows_allowed(self, n_columns: int) -> int:
        return min(self.max_rows, self.max_cells // max(n_columns, 1))

    def check_text(self, n_bytes: int, filename: str, what: str = "decoded text") -> None:
        if n_bytes > self.max_text_bytes:
            raise SegkitInputError(
                f"'{filename}' holds {n_bytes / 2**20:,.0f} MB of {what}, over the limit of "
                f"{self.max_text_bytes / 2**20:,.0f} MB; split the file or raise SEGKIT_MAX_TEXT_MB.")
