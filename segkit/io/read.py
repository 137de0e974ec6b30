"""Read CSV/TSV, Excel, Parquet and JSON Lines into a frame of strings-or-numbers.

Every cell is first read as text so that ids keep their leading zeros and nothing is
silently coerced; numeric columns are then converted where every filled cell parses.
The encoding and delimiter guessed are reported, never hidden.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from segkit.errors import SegkitInputError

TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
SUPPORTED = sorted(TEXT_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES | JSONL_SUFFIXES)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"

# The dashboard's upload limit (Streamlit's server.maxUploadSize, in MB of 1024*1024 bytes).
DEFAULT_MAX_UPLOAD_MB = 200
MAX_UPLOAD_ENV = "SEGKIT_MAX_UPLOAD_MB"

# Formats that can run code when loaded: never read, whatever the extension says.
_CODE_SUFFIXES = {".pkl", ".pickle", ".joblib", ".npy", ".npz", ".dill", ".sav", ".pt", ".pth", ".h5", ".hdf5"}
# Other binary formats people upload by mistake, by their first bytes.
_BINARY_MAGIC = {
    b"%PDF-": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF87a": "a GIF image",
    b"GIF89a": "a GIF image",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!\x1a\x07": "a RAR archive",
    b"\xfd7zXZ": "an xz archive",
    b"SQLite format 3": "an SQLite database",
    b"\x93NUMPY": "a NumPy array file",
    b"ARROW1": "an Arrow/Feather file",
    b"\x7fELF": "a program (ELF executable)",
    b"MZ\x90\x00": "a Windows program",
}


@dataclass(frozen=True)
class LoadedTable:
    frame: pd.DataFrame
    source_format: str
    encoding: str | None = None
    delimiter: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_rows(self) -> int:
        return len(self.frame)


def default_max_bytes() -> int:
    """The size limit: $SEGKIT_MAX_UPLOAD_MB if set, else the dashboard's 200 MB."""
    raw = os.environ.get(MAX_UPLOAD_ENV, "").strip()
    if raw:
        try:
            megabytes = float(raw)
        except ValueError:
            raise SegkitInputError(f"{MAX_UPLOAD_ENV} must be a number of megabytes (got '{raw}').") from None
        if megabytes <= 0:
            raise SegkitInputError(f"{MAX_UPLOAD_ENV} must be a positive number of megabytes (got '{raw}').")
        return int(megabytes * 1024 * 1024)
    return DEFAULT_MAX_UPLOAD_MB * 1024 * 1024


def read_table(source: str | Path | bytes, filename: str | None = None,
               max_bytes: int | None = None) -> LoadedTable:
    """Read a table from a path, or from raw bytes plus the uploaded file's name.

    `max_bytes` refuses larger files before reading them (default: the dashboard's
    upload limit, 200 MB, or $SEGKIT_MAX_UPLOAD_MB). Pickle and other formats that can
    run code when loaded are refused, whatever their name.
    """
    limit = default_max_bytes() if max_bytes is None else int(max_bytes)
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise SegkitInputError(f"File not found: {path}")
        filename = filename or path.name
        _check_code_suffix(filename)
        _check_size(path.stat().st_size, limit, filename)
        data = path.read_bytes()
    else:
        data = bytes(source)
        filename = filename or "upload.csv"
        _check_code_suffix(filename)
    _check_size(len(data), limit, filename)
    suffix = Path(filename).suffix.lower()
    if not data:
        raise SegkitInputError(f"'{filename}' is empty (0 bytes).")
    kind = _sniff_kind(data, suffix, filename)
    if kind == "excel":
        loaded = _read_excel(data, filename)
    elif kind == "parquet":
        loaded = _read_parquet(data, filename)
    elif kind == "jsonl":
        loaded = _read_jsonl(data, filename)
    else:
        loaded = _read_delimited(data, filename)
    return _finish(loaded, filename)


def _format_mb(n_bytes: int) -> str:
    return f"{n_bytes / (1024 * 1024):,.1f} MB"


def _check_size(n_bytes: int, limit: int, filename: str) -> None:
    if n_bytes > limit:
        raise SegkitInputError(
            f"'{filename}' is {_format_mb(n_bytes)}, over the {_format_mb(limit)} upload limit; "
            f"upload a smaller file or raise the limit ({MAX_UPLOAD_ENV} / max_bytes)."
        )


def _check_code_suffix(filename: str) -> None:
    suffix = Path(filename).suffix.lower()
    if suffix in _CODE_SUFFIXES:
        raise SegkitInputError(
            f"'{filename}': {suffix} files can run code when loaded and are never read. "
            f"Export the table as CSV, Excel, Parquet or JSON Lines."
        )


def _is_pickle(head: bytes) -> bool:
    # Pickle protocols 2-5 start with PROTO (0x80) and the protocol number.
    return len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def _sniff_kind(data: bytes, suffix: str, filename: str) -> str:
    head = data[:16]
    if _is_pickle(head):
        raise SegkitInputError(
            f"'{filename}' is a Python pickle, which can run code when loaded; it is never read. "
            f"Export the table as CSV, Excel, Parquet or JSON Lines."
        )
    for magic, what in _BINARY_MAGIC.items():
        if head.startswith(magic):
            raise SegkitInputError(f"'{filename}' is {what}, not a table. Upload a CSV, Excel, Parquet or JSON Lines file.")
    if head.startswith(_PARQUET_MAGIC):
        return "parquet"
    if head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC):
        if suffix in EXCEL_SUFFIXES:
            return "excel"
        if b"xl/" in data[:65536] or head.startswith(_OLE_MAGIC):
            # An Excel workbook renamed to .csv is common; read it for what it is.
            return "excel"
        raise SegkitInputError(
            f"'{filename}' is a ZIP archive, not a table. Unzip it and upload the CSV inside."
        )
    if head.startswith(_GZIP_MAGIC):
        raise SegkitInputError(
            f"'{filename}' is gzip-compressed. Decompress it and upload the file inside."
        )
    if suffix in EXCEL_SUFFIXES:
        raise SegkitInputError(f"'{filename}' has an Excel name but is not an Excel workbook.")
    if suffix in PARQUET_SUFFIXES:
        raise SegkitInputError(f"'{filename}' has a Parquet name but is not a Parquet file.")
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix and suffix not in TEXT_SUFFIXES:
        raise SegkitInputError(
            f"'{filename}': unsupported file type '{suffix}'. Use one of: {', '.join(SUPPORTED)}."
        )
    return "delimited"


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes, returning (text, encoding name). BOMs win; then UTF-8; then a guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16"), "utf-16"
    sample = data[:4096]
    # UTF-16 without a BOM: every other byte of ASCII text is NUL.
    if len(sample) >= 4 and sample.count(b"\x00") > len(sample) // 3:
        if sample[1:2] == b"\x00":
            return data.decode("utf-16-le"), "utf-16-le"
        if sample[0:1] == b"\x00":
            return data.decode("utf-16-be"), "utf-16-be"
    if b"\x00" in sample:
        raise SegkitInputError(
            "The file contains binary data (NUL bytes); it is not a text table."
        )
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = _guess_legacy_encoding(data)
    _refuse_binary_text(text)
    return text, encoding


def _refuse_binary_text(text: str) -> None:
    """Binary data without NUL bytes decodes as Latin-1 'text' full of control characters."""
    sample = text[:65536]
    if not sample:
        return
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or 0x7F <= ord(ch) <= 0x9F)
    if controls > max(2, 0.01 * len(sample)):
        raise SegkitInputError(
            f"The file looks binary ({controls} control characters in its first {len(sample):,}), "
            f"not a text table. Upload a CSV, Excel, Parquet or JSON Lines file."
        )


def _guess_legacy_encoding(data: bytes) -> tuple[str, str]:
    """Choose between GB18030 (Chinese Excel exports) and Windows-1252/Latin-1.

    Latin-1 bytes often also decode as GB18030, as nonsense CJK. Chinese text decodes
    to mostly common Han characters; mis-decoded Latin-1 yields many rare ones. We score
    each candidate by the share of its non-ASCII characters that are common letters.
    """
    candidates = []
    for encoding in ("gb18030", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_plausibility(text, encoding), encoding, text))
    if not candidates:  # latin-1 decodes anything, so this is unreachable in practice
        raise SegkitInputError("Could not work out the file's text encoding; save it as UTF-8.")
    candidates.sort(key=lambda c: c[0], reverse=True)
    _, encoding, text = candidates[0]
    return text, encoding


def _plausibility(text: str, encoding: str) -> float:
    non_ascii = [i for i, ch in enumerate(text) if ord(ch) > 127]
    if not non_ascii:
        return 1.0
    if encoding == "gb18030":
        common = sum(1 for i in non_ascii if _is_common_cjk(text[i]))
        # GB18030 also decodes odd byte pairs to rare characters: demand mostly common ones.
        return common / len(non_ascii) - 0.3
    letters = sum(1 for i in non_ascii if text[i].isalpha() or text[i] in "€£¥°·–—‘’“”…«»¿¡")
    # Accented letters in European text sit between ASCII letters; Chinese bytes read as
    # Latin-1 come out as long runs of accented letters.
    positions = set(non_ascii)
    in_runs = sum(1 for i in non_ascii if i - 1 in positions or i + 1 in positions)
    return letters / len(non_ascii) * (1 - in_runs / len(non_ascii))


def _is_common_cjk(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FA5 or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF


def _sniff_delimiter(text: str, filename: str) -> str:
    if filename.lower().endswith((".tsv", ".tab")):
        return "\t"
    sample_lines = text[:20000].splitlines()[:30]
    sample = "\n".join(sample_lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        header = sample_lines[0] if sample_lines else ""
        counts = {d: header.count(d) for d in ",;\t|"}
        best = max(counts, key=counts.get)
        return best if counts[best] > 0 else ","


_CSV_FIELD_LIMIT = 256 * 1024 * 1024  # the csv module's default (128 KiB) refuses long reviews


def _read_delimited(data: bytes, filename: str) -> LoadedTable:
    """Parse with the csv module directly, so that no line can be skipped silently.

    Every record becomes a row: short rows are padded, a row longer than the header is
    refused naming its line, a quote that is never closed is refused naming where it
    opened. Only completely blank lines are skipped, and they are counted in the notes.
    """
    text, encoding = decode_text(data)
    if not text.strip():
        raise SegkitInputError(f"'{filename}' is empty (only whitespace).")
    notes: list[str] = []
    text, newline_note = _normalise_newlines(text)
    if newline_note:
        notes.append(newline_note)
    delimiter = _sniff_delimiter(text, filename)
    records, starts = _parse_records(text, delimiter, filename)
    blank = sum(1 for fields in records if not fields)
    kept = [(fields, line) for fields, line in zip(records, starts, strict=True) if fields]
    if not kept:
        raise SegkitInputError(f"'{filename}' has no columns.")
    header, _ = kept[0]
    n_header = len(header)
    long_rows = [(i, line, len(fields)) for i, (fields, line) in enumerate(kept[1:], start=1)
                 if len(fields) > n_header]
    if long_rows:
        number, line, n_fields = long_rows[0]
        raise SegkitInputError(
            f"'{filename}': {len(long_rows)} row(s) have more fields than the {n_header}-column "
            f"header (first: data row {number} on line {line}, {n_fields} fields). "
            f"Check the delimiter or quote the text column."
        )
    columns: list[list] = [[] for _ in range(n_header)]
    for fields, _ in kept[1:]:
        for j in range(n_header):
            value = fields[j] if j < len(fields) else ""
            columns[j].append(value if value != "" else None)
    # Positional first: duplicate names are renamed (and reported) by _finish.
    frame = pd.DataFrame({j: pd.Series(values, dtype=object) for j, values in enumerate(columns)})
    frame.columns = header
    if blank:
        notes.append(f"{blank} blank line(s) skipped")
    if delimiter != ",":
        notes.append(f"delimiter detected: {_describe_delimiter(delimiter)}")
    return LoadedTable(frame, "csv", encoding, delimiter, tuple(notes))


def _normalise_newlines(text: str) -> tuple[str, str | None]:
    """CRLF -> LF; old-Mac CR-only files -> LF; a stray CR inside a line -> a space."""
    if "\r" not in text:
        return text, None
    text = text.replace("\r\n", "\n")
    stray = text.count("\r")
    if not stray:
        return text, None
    if "\n" not in text:
        return text.replace("\r", "\n"), None
    return text.replace("\r", " "), f"{stray} stray carriage return(s) inside lines replaced by spaces"


def _parse_records(text: str, delimiter: str, filename: str) -> tuple[list[list[str]], list[int]]:
    """All records and the line each starts on. Strict first; tolerant if only a quote is odd."""
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    for strict in (True, False):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
        records: list[list[str]] = []
        starts: list[int] = []
        line = 1
        try:
            for fields in reader:
                records.append(fields)
                starts.append(line)
                line = reader.line_num + 1
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise SegkitInputError(
                    f"'{filename}': a quote (\") opened in the row starting on line {line} is never "
                    f"closed, so the rest of the file would become one cell. Fix the quotes in that row."
                ) from None
            if strict:
                continue  # e.g. text right after a closing quote: read it the lenient way
            raise SegkitInputError(f"'{filename}' could not be parsed as a table near line {line}: {exc}") from None
        return records, starts
    raise AssertionError("unreachable")


def _describe_delimiter(delimiter: str) -> str:
    return {"\t": "tab", ";": "semicolon", "|": "pipe", ",": "comma"}.get(delimiter, repr(delimiter))


def _read_excel(data: bytes, filename: str) -> LoadedTable:
    try:
        frame = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""])
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise SegkitInputError(f"'{filename}' could not be read as an Excel workbook: {exc}") from exc
    return LoadedTable(frame, "excel", None, None, ("first worksheet read",))


def _read_parquet(data: bytes, filename: str) -> LoadedTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
        # ignore_metadata: the file's 'pandas' metadata (index, dtypes) is not interpreted at
        # all. pyarrow has no pickle-based extension type any more (removed after
        # CVE-2023-47248) and unknown extension types arrive as their storage type.
        frame = table.to_pandas(ignore_metadata=True)
    except Exception as exc:  # pyarrow raises ArrowInvalid and friends
        raise SegkitInputError(f"'{filename}' could not be read as Parquet: {exc}") from exc
    index_columns = [c for c in frame.columns if re.fullmatch(r"__index_level_\d+__", str(c))]
    frame = frame.drop(columns=index_columns)
    return LoadedTable(_stringify_non_numeric(frame), "parquet")


def _read_jsonl(data: bytes, filename: str) -> LoadedTable:
    text, encoding = decode_text(data)
    stripped = text.lstrip()
    try:
        if stripped.startswith("["):
            frame = pd.read_json(io.StringIO(text), orient="records", dtype=False)
        else:
            frame = pd.read_json(io.StringIO(text), lines=True, dtype=False)
    except ValueError as exc:
        raise SegkitInputError(
            f"'{filename}' is not valid JSON Lines (one JSON object per line): {exc}"
        ) from exc
    return LoadedTable(_stringify_non_numeric(frame), "jsonl", encoding)


def _stringify_non_numeric(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            out[column] = series
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


def _finish(loaded: LoadedTable, filename: str) -> LoadedTable:
    frame = loaded.frame
    notes = list(loaded.notes)
    if frame.shape[1] == 0:
        raise SegkitInputError(f"'{filename}' has no columns.")
    if len(frame) == 0:
        raise SegkitInputError(
            f"'{filename}' has a header but no data rows (columns: {', '.join(map(str, frame.columns))})."
        )
    # Column names: strings, stripped, unique (pandas renames duplicates 'a' -> 'a.1').
    names = [str(c).strip() if str(c).strip() else f"column_{i + 1}" for i, c in enumerate(frame.columns)]
    seen: dict[str, int] = {}
    unique_names = []
    for name in names:
        if name in seen:
            seen[name] += 1
            new_name = f"{name}_{seen[name]}"
            notes.append(f"duplicate column name '{name}' renamed to '{new_name}'")
            unique_names.append(new_name)
        else:
            seen[name] = 0
            unique_names.append(name)
    frame = frame.copy()
    frame.columns = unique_names
    frame = frame.reset_index(drop=True)
    frame = convert_numeric_columns(frame)
    return LoadedTable(frame, loaded.source_format, loaded.encoding, loaded.delimiter, tuple(notes))


def convert_numeric_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn text columns whose filled cells all parse as numbers into float columns."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series):
            continue
        filled = series.dropna()
        if filled.empty:
            continue
        stripped = filled.astype(str).str.strip()
        parsed = pd.to_numeric(stripped, errors="coerce")
        if parsed.notna().all() and not _looks_like_identifier(stripped):
            values = pd.to_numeric(series.astype("string").str.strip(), errors="coerce").astype(float)
            finite = values[np.isfinite(values)]
            # Whole numbers stay whole (Int64) so an export writes "3", not "3.0".
            if len(finite) == values.notna().sum() and (finite % 1 == 0).all() and finite.abs().max() < 2**53:
                values = values.astype("Int64")
            out[column] = values
    return out


def _looks_like_identifier(values: pd.Series) -> bool:
    # "00123" keeps its leading zero as an id, not the number 123.
    return bool(values.str.match(r"^0\d").any())
