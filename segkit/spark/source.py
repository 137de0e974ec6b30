"""Reading the user table (Parquet, CSV, Delta, a catalog table) and checking it.

Everything people can get wrong (a missing path, an unreadable file, a column the
run config names but the table lacks, a column of the wrong kind) ends in a
SegkitInputError with one specific sentence, before any expensive stage starts.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from segkit.errors import SegkitInputError
from segkit.io.prepare import MAX_TEXT_CHARS
from segkit.io.roles import ColumnRoles, validate_roles

FORMATS = ("parquet", "csv", "delta", "json", "orc")
_SUFFIX_FORMAT = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv",
                  ".jsonl": "json", ".json": "json", ".orc": "orc"}
_ATOMIC = ("StringType", "VarcharType", "CharType", "IntegerType", "LongType", "ShortType", "ByteType",
           "FloatType", "DoubleType", "DecimalType", "BooleanType", "DateType", "TimestampType",
           "TimestampNTZType")
_NUMERIC = ("IntegerType", "LongType", "ShortType", "ByteType", "FloatType", "DoubleType", "DecimalType")
# Python's str.strip() strips Unicode whitespace; (?U) makes Java's \s do the same.
_STRIP = r"(?U)^\s+|\s+$"


def guess_format(source: str) -> str:
    path = Path(source)
    if path.is_dir():
        if (path / "_delta_log").is_dir():
            return "delta"
        names = [p.suffix.lower() for p in path.rglob("*") if p.is_file() and not p.name.startswith(("_", "."))]
        for suffix in (".parquet", ".csv", ".orc", ".json"):
            if suffix in names:
                return _SUFFIX_FORMAT[suffix]
        return "parquet"
    fmt = _SUFFIX_FORMAT.get(path.suffix.lower())
    if fmt is None:
        raise SegkitInputError(
            f"Cannot tell the format of '{source}' from its name; pass --format ({', '.join(FORMATS)})."
        )
    return fmt


def read_input(spark, source: str, fmt: str | None = None, table: bool = False):
    """A Spark DataFrame from a path (file or directory, local or any Hadoop URI) or a table name."""
    from pyspark.errors import AnalysisException

    if table:
        try:
            return spark.table(source)
        except AnalysisException as exc:
            raise SegkitInputError(f"Table '{source}' not found or not readable: {_first_line(exc)}") from None
    if "://" not in source and not Path(source).exists():
        raise SegkitInputError(f"Input not found: {source}")
    fmt = fmt or guess_format(source)
    if fmt not in FORMATS:
        raise SegkitInputError(f"Unknown input format '{fmt}'; use one of {', '.join(FORMATS)}.")
    reader = spark.read.format(fmt)
    if fmt == "csv":
        # All columns as text (like the single-machine reader: ids keep leading zeros);
        # traits are cast later. Reviews may hold line breaks inside quotes.
        sep = "\t" if source.lower().endswith(".tsv") else ","
        reader = (reader.option("header", "true").option("inferSchema", "false").option("multiLine", "true")
                  .option("escape", '"').option("sep", sep).option("mode", "FAILFAST"))
    try:
        frame = reader.load(source)
        frame.schema  # noqa: B018 - forces the footer/header read, so a bad file fails here
    except AnalysisException as exc:
        message = str(exc)
        if "PATH_NOT_FOUND" in message or "does not exist" in message:
            raise SegkitInputError(f"Input not found: {source}") from None
        raise SegkitInputError(f"Could not read '{source}' as {fmt}: {_first_line(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - a corrupt file surfaces as a JVM error
        raise SegkitInputError(f"Could not read '{source}' as {fmt}: {_first_line(exc)}") from None
    if not frame.columns:
        raise SegkitInputError(f"'{source}' has no columns.")
    return frame


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def check_schema(frame, roles: ColumnRoles) -> None:
    """The single-machine role checks, plus the column types Spark knows up front."""
    validate_roles(pd.DataFrame(columns=list(frame.columns)), roles)
    types = {f.name: type(f.dataType).__name__ for f in frame.schema.fields}
    for column in roles.text_cols:
        if types[column] not in _ATOMIC:
            raise SegkitInputError(
                f"The text column '{column}' holds {types[column].replace('Type', '').lower()} values, not text."
            )
    for column in ((roles.user_col,) if roles.user_col else ()) + roles.categorical_cols + (
            (roles.label_col,) if roles.label_col else ()):
        if types[column] not in _ATOMIC:
            raise SegkitInputError(
                f"Column '{column}' holds {types[column].replace('Type', '').lower()} values; "
                "ids and categories must be plain values."
            )
    for column in roles.numeric_cols:
        if types[column] not in _NUMERIC and types[column] not in ("StringType", "VarcharType", "CharType"):
            raise SegkitInputError(
                f"Numeric column '{column}' holds {types[column].replace('Type', '').lower()} values, not numbers."
            )
    for column in roles.vector_cols:
        if types[column] not in _NUMERIC and types[column] not in ("StringType",):
            raise SegkitInputError(f"Vector column '{column}' must hold numbers.")


def clean_text_col(column):
    """segkit.io.prepare.clean_text as a Spark expression: NUL -> space, strip, cut."""
    from pyspark.sql import functions as F

    text = F.regexp_replace(F.coalesce(column.cast("string"), F.lit("")), "\u0000", " ")
    return F.substring(F.regexp_replace(text, _STRIP, ""), 1, MAX_TEXT_CHARS)


def numeric_col(column):
    """Numbers as double; text cells, NaN and infinities become null (as on one machine)."""
    from pyspark.sql import functions as F

    value = F.expr(f"try_cast(`{column}` as double)")
    return F.when(F.abs(value) < F.lit(float("inf")), value)


def masked_text_col(column):
    """segkit.privacy.mask on the workers (a pandas UDF), as prepare_users masks on one machine."""
    from pyspark.sql import functions as F

    @F.pandas_udf("string")
    def mask_texts(texts: pd.Series) -> pd.Series:
        from segkit.privacy import mask

        return texts.map(lambda t: mask(t) if t else t)

    return mask_texts(column)


def prepare_rows(frame, roles: ColumnRoles, mask_personal_data: bool = False):
    """Rows with a user id: user_id (string), text (cleaned, '' if none), traits as given.

    Without a user column every row is its own user (ids from monotonically_increasing_id:
    unique, not consecutive). Rows without a user id are dropped here and counted by the caller.
    """
    from pyspark.sql import functions as F

    if roles.user_col:
        user = F.trim(F.col(f"`{roles.user_col}`").cast("string"))
        frame = frame.withColumn("__user", user).filter(F.col("__user").isNotNull() & (F.col("__user") != ""))
    else:
        frame = frame.withColumn("__user", F.monotonically_increasing_id().cast("string"))
    if roles.text_cols:
        parts = [clean_text_col(F.col(f"`{c}`")) for c in roles.text_cols]
        text = parts[0] if len(parts) == 1 else F.regexp_replace(F.concat_ws("\n", *parts), _STRIP, "")
    else:
        text = F.lit("")
    if mask_personal_data and roles.text_cols:
        text = masked_text_col(text)
    columns = [F.col("__user").alias("user_id"), text.alias("text")]
    for column in roles.numeric_cols:
        columns.append(numeric_col(column).alias(column))
    for column in dict.fromkeys(roles.categorical_cols + ((roles.label_col,) if roles.label_col else ())):
        columns.append(F.col(f"`{column}`").cast("string").alias(column))
    for column in roles.vector_cols:
        columns.append(F.expr(f"try_cast(`{column}` as double)").alias(column))
    return frame.select(*columns)
