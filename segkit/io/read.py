"""Read CSV/TSV, Excel, Parquet and JSON Lines into a frame of strings-or-numbers.

Every cell is first read as text so that ids keep their leading zeros and nothing is
silently coerced; numeric columns are then converted where every filled cell parses.
The encoding and delimiter guessed are reported, never hidden.

Memory: a UTF-8 CSV is decoded and parsed a few megabytes at a time straight into its
columns (no whole-file string, no list of records beside the columns), repeated short
values share one string object, and numeric columns are converted together. Every
format is bounded by segkit.io.limits (rows, columns, cells, decoded text) before or
while it decodes.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from segkit import waits
from segkit.errors import SegkitInputError
from segkit.io.encoding import _refuse_binary_text, decode_text
from segkit.io.formats import read_excel, read_json, read_parquet
from segkit.io.limits import Limits
from segkit.io.numbers import convert_numeric_columns

__all__ = ["LoadedTable", "SUPPORTED", "convert_numeric_columns", "decode_text", "default_max_bytes", "read_table"]

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
               max_bytes: int | None = None, limits: Limits | None = None) -> LoadedTable:
    """Read a table from a path, or from raw bytes plus the uploaded file's name.

    `max_bytes` refuses larger files before reading them (default: the dashboard's
    upload limit, 200 MB, or $SEGKIT_MAX_UPLOAD_MB); `limits` bounds what the file
    decodes to (default: segkit.io.limits from the environment). Pickle and other
    formats that can run code when loaded are refused, whatever their name.
    """
    limit = default_max_bytes() if max_bytes is None else int(max_bytes)
    limits = limits or Limits.from_env()
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
        frame, notes = read_excel(data, filename, limits)
        loaded = LoadedTable(frame, "excel", None, None, notes)
    elif kind == "parquet":
        loaded = LoadedTable(read_parquet(data, filename, limits), "parquet")
    elif kind == "jsonl":
        text, encoding = decode_text(data)
        limits.check_text(len(text), filename)
        loaded = LoadedTable(read_json(text, filename, limits), "jsonl", encoding)
        del text
    else:
        loaded = _read_delimited(data, filename, limits)
    return _finish(loaded, filename, limits)


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


_CHUNK_BYTES = 2 * 1024 * 1024
_INTERN_MAX_LEN = 40  # values this short repeat (ids, categories, numbers): one object each


def _utf8_chunks(data: bytes) -> list[tuple[int, int]] | None:
    """(start, end) byte ranges ending after a newline, if the whole file is UTF-8 (after any
    UTF-8 byte-order mark); else None.

    A newline byte is never inside a multi-byte UTF-8 character, so each range decodes alone.
    """
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        return None
    ranges = []
    while start < len(data):
        end = data.find(b"\n", min(start + _CHUNK_BYTES, len(data)) - 1)
        end = len(data) if end < 0 else end + 1
        try:
            data[start:end].decode("utf-8")
        except UnicodeDecodeError:
            return None
        ranges.append((start, end))
        start = end
    return ranges


def _lines(data: bytes, ranges: list[tuple[int, int]] | None, text: str | None, has_lf: bool):
    """The file's lines with newlines normalised as _normalise_newlines does, a chunk at a time."""
    if ranges is None:
        yield from io.StringIO(text, newline="")
        return
    for start, end in ranges:
        parsed = end
        chunk = data[start:end].decode("utf-8")
        if "\r" in chunk:
            chunk = chunk.replace("\r\n", "\n").replace("\r", " " if has_lf else "\n")
        position = 0
        while position < len(chunk):  # split on \n only, as io.StringIO(newline="") would
            end = chunk.find("\n", position)
            end = len(chunk) if end < 0 else end + 1
            yield chunk[position:end]
            position = end
        waits.progress(parsed, len(data))  # bytes parsed: the open wait's "read.parse" phase


def _read_delimited(data: bytes, filename: str, limits: Limits) -> LoadedTable:
    """Parse with the csv module directly, so that no line can be skipped silently.

    Every record becomes a row: short rows are padded, a row longer than the header is
    refused naming its line, a quote that is never closed is refused naming where it
    opened. Only completely blank lines are skipped, and they are counted in the notes.
    """
    notes: list[str] = []
    ranges = _utf8_chunks(data)
    if ranges is not None:  # UTF-8 (the common case): decoded a chunk at a time, never whole
        bom = data.startswith(b"\xef\xbb\xbf")
        encoding, text = ("utf-8-sig" if bom else "utf-8"), None
        head = data[3 if bom else 0:65536].decode("utf-8", errors="ignore")
        _refuse_binary_text(head)
        if not data[3 if bom else 0:].strip():
            raise SegkitInputError(f"'{filename}' is empty (only whitespace).")
        limits.check_text(len(data), filename)
        has_lf = b"\n" in data
        if b"\r" in data:
            if has_lf:
                stray = data.count(b"\r") - data.count(b"\r\n")
                if stray:
                    notes.append(f"{stray} stray carriage return(s) inside lines replaced by spaces")
                head = head.replace("\r\n", "\n").replace("\r", " ")
            else:
                head = head.replace("\r", "\n")
    else:
        text, encoding = decode_text(data)
        if not text.strip():
            raise SegkitInputError(f"'{filename}' is empty (only whitespace).")
        limits.check_text(len(text), filename)
        text, newline_note = _normalise_newlines(text)
        if newline_note:
            notes.append(newline_note)
        has_lf, head = True, text[:20000]
    delimiter = _sniff_delimiter(head, filename)
    header, columns, blank = _parse_columns(lambda: _lines(data, ranges, text, has_lf), delimiter, filename, limits)
    text = None  # the non-UTF-8 path's decoded copy: free it before the frame is built
    # Positional first: duplicate names are renamed (and reported) by _finish.
    frame = pd.DataFrame({j: pd.Series(values, dtype=object) for j, values in enumerate(columns)})
    del columns
    frame.columns = header
    if blank:
        notes.append(f"{blank} blank line(s) skipped")
    if delimiter != ",":
        notes.append(f"delimiter detected: {_describe_delimiter(delimiter)}")
    return LoadedTable(frame, "csv", encoding, delimiter, tuple(notes))


def _parse_columns(make_lines, delimiter: str, filename: str, limits: Limits):
    """(header, one list per column, blank lines). Strict first; tolerant if only a quote is odd."""
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    for strict in (True, False):
        reader = csv.reader(make_lines(), delimiter=delimiter, strict=strict)
        header: list[str] | None = None
        columns: list[list] = []
        shared: list[dict] = []
        blank = n_rows = allowed = long_rows = 0
        first_long = None
        line = 1
        try:
            for fields in reader:
                start, line = line, reader.line_num + 1
                if not fields:
                    blank += 1
                    continue
                if header is None:
                    header = fields
                    limits.check_columns(len(header), filename)
                    columns = [[] for _ in header]
                    shared = [{} for _ in header]
                    allowed = limits.rows_allowed(len(header))
                    continue
                n_rows += 1
                if n_rows > allowed:  # stop reading: the table would be over the limits
                    limits.check_rows(n_rows, len(header), filename, at_least=True)
                if len(fields) > len(header):
                    long_rows += 1
                    first_long = first_long or (n_rows, start, len(fields))
                    continue
                for j, column in enumerate(columns):
                    value = fields[j] if j < len(fields) else ""
                    if value == "":
                        column.append(None)
                    elif len(value) <= _INTERN_MAX_LEN:
                        column.append(shared[j].setdefault(value, value))
                    else:
                        column.append(value)
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise SegkitInputError(
                    f"'{filename}': a quote (\") opened in the row starting on line {line} is never "
                    f"closed, so the rest of the file would become one cell. Fix the quotes in that row."
                ) from None
            if strict:
                continue  # e.g. text right after a closing quote: read it the lenient way
            raise SegkitInputError(f"'{filename}' could not be parsed as a table near line {line}: {exc}") from None
        if header is None:
            raise SegkitInputError(f"'{filename}' has no columns.")
        if long_rows:
            number, at_line, n_fields = first_long
            raise SegkitInputError(
                f"'{filename}': {long_rows} row(s) have more fields than the {len(header)}-column "
                f"header (first: data row {number} on line {at_line}, {n_fields} fields). "
                f"Check the delimiter or quote the text column."
            )
        return header, columns, blank
    raise AssertionError("unreachable")


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


def _describe_delimiter(delimiter: str) -> str:
    return {"\t": "tab", ";": "semicolon", "|": "pipe", ",": "comma"}.get(delimiter, repr(delimiter))


def _finish(loaded: LoadedTable, filename: str, limits: Limits | None = None) -> LoadedTable:
    frame = loaded.frame
    notes = list(loaded.notes)
    if frame.shape[1] == 0:
        raise SegkitInputError(f"'{filename}' has no columns.")
    if limits is not None:
        limits.check_columns(frame.shape[1], filename)
        limits.check_rows(len(frame), frame.shape[1], filename)
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
    # The frame is this reader's own: rename and re-index in place, no copy of the cells.
    frame.columns = unique_names
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 or frame.index.step != 1:
        frame = frame.reset_index(drop=True)
    waits.phase("read.columns")
    frame = convert_numeric_columns(frame)
    return LoadedTable(frame, loaded.source_format, loaded.encoding, loaded.delimiter, tuple(notes))
