"""Readers for Excel, Parquet and JSON (Lines), each bounded by segkit.io.limits before
it decodes: Parquet from its footer (rows, columns, uncompressed page sizes) and the
decoded length of its strings, Excel from its zip directory and first row, JSON Lines
chunk by chunk."""

from __future__ import annotations

import io
import re
import zipfile

import pandas as pd

from segkit.errors import SegkitInputError
from segkit.io.limits import Limits

_JSON_CHUNK_ROWS = 50_000
_JSON_ARRAY_MAX_MB = 50  # a JSON array is parsed whole; bigger ones should be JSON Lines


def read_excel(data: bytes, filename: str, limits: Limits) -> tuple[pd.DataFrame, tuple[str, ...]]:
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                unzipped = sum(info.file_size for info in archive.infolist())
                strings = sum(info.file_size for info in archive.infolist() if info.filename.endswith("sharedStrings.xml"))
        except zipfile.BadZipFile as exc:
            raise SegkitInputError(f"'{filename}' could not be read as an Excel workbook: {exc}") from None
        # Sheet XML carries markup around every cell: allow 3x the text limit unzipped.
        limits.check_text(strings, filename, "shared strings")
        if unzipped > 3 * limits.max_text_bytes:
            limits.check_text(unzipped // 3, filename, "sheet data (a third of its unzipped size)")
    try:
        header = pd.read_excel(io.BytesIO(data), dtype=str, nrows=0)
        limits.check_columns(header.shape[1], filename)
        allowed = limits.rows_allowed(max(header.shape[1], 1))
        frame = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""], nrows=allowed + 1)
    except SegkitInputError:
        raise
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise SegkitInputError(f"'{filename}' could not be read as an Excel workbook: {exc}") from exc
    if len(frame) > allowed:
        limits.check_rows(len(frame), frame.shape[1], filename, at_least=True)
    notes = ["first worksheet read"]
    with_value, without_value = _formula_cells(data)
    if with_value:
        notes.append(f"{with_value:,} cell(s) held formulas; the values Excel last saved for them were used")
    if without_value:
        notes.append(f"{without_value:,} cell(s) held formulas with no saved value (the workbook was never "
                     "recalculated in Excel); they were read as empty")
    return frame, tuple(notes)


_CELL = re.compile(rb"<c\b[^>]*?(?:/>|>(.*?)</c>)", re.S)
_FORMULA = re.compile(rb"<f[\s>/]")
_VALUE = re.compile(rb"<v>[^<]+</v>")


def _first_sheet_xml(archive: zipfile.ZipFile) -> bytes | None:
    """The XML of the workbook's first worksheet (the one pandas reads), via workbook.xml's order."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    first = re.search(rb"<sheet\b[^>]*?r:id=\"([^\"]+)\"", workbook)
    if first is None:
        return None
    target = re.search(rb"<Relationship\b[^>]*?Id=\"" + re.escape(first.group(1)) + rb"\"[^>]*?Target=\"([^\"]+)\"",
                       rels) or re.search(rb"<Relationship\b[^>]*?Target=\"([^\"]+)\"[^>]*?Id=\""
                                          + re.escape(first.group(1)) + rb"\"", rels)
    if target is None:
        return None
    path = target.group(1).decode("utf-8").lstrip("/")
    path = path if path.startswith("xl/") else f"xl/{path}"
    try:
        return archive.read(path)
    except KeyError:
        return None


def _formula_cells(data: bytes) -> tuple[int, int]:
    """(formula cells with a saved value, formula cells without one) in the first worksheet of
    an .xlsx; (0, 0) for other workbooks. pandas reads saved values, so a formula whose value
    was never saved reads as empty: the data report says so rather than losing it silently."""
    if not data.startswith(b"PK"):
        return 0, 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheet = _first_sheet_xml(archive)
    except zipfile.BadZipFile:
        return 0, 0
    if sheet is None or not _FORMULA.search(sheet):
        return 0, 0
    with_value = without_value = 0
    for match in _CELL.finditer(sheet):
        inner = match.group(1) or b""
        if _FORMULA.search(inner):
            if _VALUE.search(inner):
                with_value += 1
            else:
                without_value += 1
    return with_value, without_value


def _decoded_string_bytes(column) -> int:
    """Bytes a string/binary column takes once decoded (dictionary pages expanded)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    total = 0
    for chunk in column.chunks:
        if pa.types.is_dictionary(chunk.type) and _is_text(chunk.type):
            lengths = pc.binary_length(chunk.dictionary).fill_null(0)
            indices = chunk.indices.fill_null(0) if chunk.null_count else chunk.indices
            total += int(pc.sum(pc.take(lengths, indices)).as_py() or 0)
        elif _is_text(chunk.type):
            total += int(pc.sum(pc.binary_length(chunk).fill_null(0)).as_py() or 0)
    return total


def _is_text(arrow_type) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or \
        pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type)


def read_parquet(data: bytes, filename: str, limits: Limits) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        meta = parquet.metadata
    except Exception as exc:  # pyarrow raises ArrowInvalid and friends
        raise SegkitInputError(f"'{filename}' could not be read as Parquet: {exc}") from None
    # From the footer, before a single page is decompressed.
    limits.check_columns(meta.num_columns, filename)
    limits.check_rows(meta.num_rows, meta.num_columns, filename)
    uncompressed = sum(meta.row_group(g).column(c).total_uncompressed_size
                       for g in range(meta.num_row_groups) for c in range(meta.num_columns))
    limits.check_text(uncompressed, filename, "uncompressed pages")
    try:
        textual = [f.name for f in parquet.schema_arrow if _is_text(f.type)]
        # Strings stay dictionary-encoded until their decoded size is known to fit.
        table = pq.read_table(io.BytesIO(data), read_dictionary=textual or None, use_pandas_metadata=False)
        limits.check_text(sum(_decoded_string_bytes(table.column(i)) for i in range(table.num_columns)), filename)
        columns = {}
        for name in table.column_names:
            column = table.column(name)
            if pa.types.is_dictionary(column.type):
                column = column.cast(column.type.value_type)
            columns[name] = column
        table = pa.table(columns)
        # ignore_metadata: the file's 'pandas' metadata (index, dtypes) is not interpreted at
        # all. pyarrow has no pickle-based extension type any more (removed after
        # CVE-2023-47248) and unknown extension types arrive as their storage type.
        frame = table.to_pandas(ignore_metadata=True, deduplicate_objects=True)
    except SegkitInputError:
        raise
    except Exception as exc:
        raise SegkitInputError(f"'{filename}' could not be read as Parquet: {exc}") from exc
    index_columns = [c for c in frame.columns if re.fullmatch(r"__index_level_\d+__", str(c))]
    return stringify_non_numeric(frame.drop(columns=index_columns))


def read_json(text: str, filename: str, limits: Limits) -> pd.DataFrame:
    stripped = text.lstrip()
    try:
        if stripped.startswith("["):
            if len(text) > _JSON_ARRAY_MAX_MB * 1024 * 1024:
                raise SegkitInputError(
                    f"'{filename}' is a JSON array over {_JSON_ARRAY_MAX_MB} MB, which is read whole; "
                    f"save it as JSON Lines (one object per line) instead.")
            frame = pd.read_json(io.StringIO(text), orient="records", dtype=False)
            limits.check_columns(frame.shape[1], filename)
            limits.check_rows(len(frame), frame.shape[1], filename)
        else:
            chunks, n_rows = [], 0
            reader = pd.read_json(io.StringIO(text), lines=True, dtype=False, chunksize=_JSON_CHUNK_ROWS)
            with reader:
                for chunk in reader:
                    chunks.append(chunk)
                    n_rows += len(chunk)
                    n_columns = len(set().union(*(c.columns for c in chunks[-2:]))) if len(chunks) > 1 else chunk.shape[1]
                    limits.check_columns(n_columns, filename)
                    limits.check_rows(n_rows, n_columns, filename, at_least=True)
            frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
            limits.check_columns(frame.shape[1], filename)
            limits.check_rows(len(frame), frame.shape[1], filename)
    except ValueError as exc:
        if isinstance(exc, SegkitInputError):
            raise
        raise SegkitInputError(f"'{filename}' is not valid JSON Lines (one JSON object per line): {exc}") from exc
    return stringify_non_numeric(frame)


def stringify_non_numeric(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            out[column] = series
        elif pd.api.types.is_string_dtype(series) and series.dtype != object:
            # Arrow/pandas strings: already text; only missing values become None (no per-cell call).
            out[column] = pd.Series(series.to_numpy(dtype=object, na_value=None), index=frame.index, dtype=object)
        else:
            out[column] = series.map(lambda v: None if _is_missing(v) else str(v))
    return pd.DataFrame(out, index=frame.index)


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
