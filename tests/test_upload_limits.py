"""Bounded memory and time for any upload: caps checked before decoding (Parquet footer,
Excel zip directory, CSV header) or while parsing, a CSV read without whole-file copies,
numeric columns converted together, and a Data page that does not re-parse on rerun."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit.errors import SegkitInputError
from segkit.io.read import read_table

ROOT = Path(__file__).resolve().parents[1]


def _dictionary_parquet(n_rows: int, value: str) -> bytes:
    """One dictionary-encoded column: n_rows copies of `value` in a few kB (a decompression bomb)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    column = pa.DictionaryArray.from_arrays(pa.array(np.zeros(n_rows, dtype=np.int32)), pa.array([value]))
    buffer = io.BytesIO()
    pq.write_table(pa.table({"review": column}), buffer, compression="zstd")
    return buffer.getvalue()


def test_parquet_bomb_is_refused_from_its_footer(monkeypatch):
    import pyarrow.parquet as pq

    data = _dictionary_parquet(5_000_000, "great shoes, would buy again")
    assert len(data) < 200_000  # tens of kB on disk...
    # ...refused before any page is decompressed: reading the data would fail this test.
    monkeypatch.setattr(pq, "read_table", lambda *a, **k: pytest.fail("decoded a refused file"))
    monkeypatch.setattr(pq.ParquetFile, "read", lambda *a, **k: pytest.fail("decoded a refused file"))
    with pytest.raises(SegkitInputError, match=r"5,000,000 rows, over the limit of 2,000,000.*SEGKIT_MAX_ROWS"):
        read_table(data, "bomb.parquet")


def test_parquet_strings_are_measured_before_they_are_expanded(monkeypatch):
    """Under the row limit, but 2,000 bytes × 200,000 rows = 381 MB of text once decoded."""
    data = _dictionary_parquet(200_000, "x" * 2000)
    with pytest.raises(SegkitInputError, match=r"381 MB of decoded text, over the limit of 300 MB"):
        read_table(data, "wide_text.parquet")
    monkeypatch.setenv("SEGKIT_MAX_TEXT_MB", "500")
    assert read_table(_dictionary_parquet(1000, "x" * 20), "ok.parquet").n_rows == 1000


def test_cell_and_row_limits_are_configurable_and_cover_every_format(monkeypatch, tmp_path):
    monkeypatch.setenv("SEGKIT_MAX_CELLS", "1000")
    frame = pd.DataFrame({"user_id": [f"u{i}" for i in range(600)], "review": ["nice"] * 600})
    csv = frame.to_csv(index=False).encode()
    with pytest.raises(SegkitInputError, match=r"more than 501 rows × 2 columns .* limit of 1,000.*SEGKIT_MAX_CELLS"):
        read_table(csv, "a.csv")
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    with pytest.raises(SegkitInputError, match="SEGKIT_MAX_CELLS"):
        read_table(buffer.getvalue(), "a.parquet")
    frame.to_excel(tmp_path / "a.xlsx", index=False)
    with pytest.raises(SegkitInputError, match="SEGKIT_MAX_CELLS"):
        read_table(tmp_path / "a.xlsx")
    with pytest.raises(SegkitInputError, match="SEGKIT_MAX_CELLS"):
        read_table(frame.to_json(orient="records", lines=True).encode(), "a.jsonl")
    monkeypatch.setenv("SEGKIT_MAX_CELLS", "2000")
    assert read_table(csv, "a.csv").n_rows == 600
    monkeypatch.setenv("SEGKIT_MAX_ROWS", "oops")
    with pytest.raises(SegkitInputError, match="SEGKIT_MAX_ROWS must be a number"):
        read_table(csv, "a.csv")


def test_excel_bomb_is_refused_from_its_zip_directory(tmp_path, monkeypatch):
    import zipfile

    frame = pd.DataFrame({"review": ["x" * 30_000] * 50})
    frame.to_excel(tmp_path / "a.xlsx", index=False)
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        unzipped = sum(i.file_size for i in archive.infolist())
    monkeypatch.setenv("SEGKIT_MAX_TEXT_MB", str(unzipped / 3 / 2**20 / 2))
    monkeypatch.setattr(pd, "read_excel", lambda *a, **k: pytest.fail("parsed a refused workbook"))
    with pytest.raises(SegkitInputError, match="SEGKIT_MAX_TEXT_MB"):
        read_table(tmp_path / "a.xlsx")


@pytest.mark.parametrize("n_columns", [20_000, 100_000])
def test_too_many_columns_are_refused_from_the_header(n_columns):
    header = ",".join(f"c{i}" for i in range(n_columns))
    data = (header + "\n" + ",".join("1" for _ in range(n_columns)) + "\n").encode()
    with pytest.raises(SegkitInputError, match=rf"{n_columns:,} columns, over the limit of 2,000.*SEGKIT_MAX_COLUMNS"):
        read_table(data, "wide.csv")


def test_numeric_columns_are_converted_all_at_once(monkeypatch):
    """Not one DataFrame.__setitem__ per column (quadratic in the width)."""
    from segkit.io.read import convert_numeric_columns

    frame = pd.DataFrame({f"c{i}": [str(i), str(i + 1), None] for i in range(300)} | {"t": ["a", "b", "c"]},
                         dtype=object)
    calls = []
    real = pd.DataFrame.__setitem__
    monkeypatch.setattr(pd.DataFrame, "__setitem__", lambda self, k, v: (calls.append(k), real(self, k, v)))
    out = convert_numeric_columns(frame)
    assert len(calls) <= 1, f"{len(calls)} column assignments"
    assert str(out["c5"].dtype) == "Int64" and out["c5"].tolist()[:2] == [5, 6] and out["t"].tolist() == ["a", "b", "c"]


def test_wide_file_under_the_limit_reads_and_keeps_every_value():
    n = 1_999
    header = ",".join(f"c{i}" for i in range(n)) + ",note"
    rows = [",".join(str(r * i) for i in range(n)) + f",row {r}" for r in range(20)]
    loaded = read_table(("\n".join([header, *rows]) + "\n").encode(), "wide.csv")
    assert loaded.frame.shape == (20, n + 1)
    assert loaded.frame["c7"].tolist() == [7 * r for r in range(20)] and loaded.frame["note"][3] == "row 3"


def test_csv_is_read_without_whole_file_copies():
    """tracemalloc peak while reading a 2 MB CSV: was ~10x the file (whole decoded text, a list
    of records, copies of the frame); now the cells themselves plus a few MB of chunk."""
    import tracemalloc

    rng = np.random.default_rng(0)
    n = 12_000
    frame = pd.DataFrame({"review_id": [f"R{i:06d}" for i in range(n)], "user_id": [f"U{i % 4000:05d}" for i in range(n)],
                          "review": [" ".join(rng.choice(["good", "bad", "shoes", "battery", "fit", "fast", "☺"], 30))
                                     for _ in range(n)],
                          "age": rng.integers(18, 80, n), "tier": rng.choice(["gold", "silver", "none"], n)})
    data = frame.to_csv(index=False).encode()
    tracemalloc.start()
    loaded = read_table(data, "big.csv")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert loaded.n_rows == n and loaded.frame["age"].tolist() == frame["age"].tolist()
    print(f"tracemalloc peak {peak / 2**20:.1f} MB for a {len(data) / 2**20:.1f} MB CSV")
    assert peak < 6 * len(data), f"peak {peak / 2**20:.1f} MB for a {len(data) / 2**20:.1f} MB file"


HOSTILE = textwrap.dedent('''
    import io, json, sys, time
    import numpy as np, pyarrow as pa, pyarrow.parquet as pq
    from segkit.errors import SegkitInputError
    from segkit.io.read import read_table
    def bomb(n, value):
        col = pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([value]))
        buf = io.BytesIO(); pq.write_table(pa.table({"review": col}), buf, compression="zstd"); return buf.getvalue()
    files = {
        "rows.parquet": bomb(5_000_000, "great shoes"),
        "text.parquet": bomb(1_900_000, "y" * 1000),
        "cols20k.csv": (",".join(f"c{i}" for i in range(20_000)) + "\\n" + ",".join("1" * 20_000) + "\\n").encode(),
        "cols100k.csv": (",".join(f"c{i}" for i in range(100_000)) + "\\n" + ",".join("1" * 100_000) + "\\n").encode(),
        "cells.csv": ("a,b,c,d,e\\n" + "1,2,3,4,5\\n" * 2_100_000).encode(),
    }
    out = {}
    for name, data in files.items():
        start = time.perf_counter()
        try:
            read_table(data, name, max_bytes=10**9)
            result = "read"
        except SegkitInputError as exc:
            result = str(exc)
        out[name] = [result, round(time.perf_counter() - start, 2)]
        del data
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child of a big pytest
    # process would report the parent's peak as its own.
    out["peak_mb"] = next(int(line.split()[1]) for line in open("/proc/self/status")
                          if line.startswith("VmHWM:")) / 1024
    print(json.dumps(out))
''')


@pytest.mark.slow
def test_hostile_uploads_answer_fast_with_bounded_memory(tmp_path):
    """Generous outer bounds (the structural checks above are the real guarantee): every
    hostile file answers with one clear line, all within 30 s, the process under 1.5 GB."""
    proc = subprocess.run([sys.executable, "-c", HOSTILE], capture_output=True, text=True, timeout=150,
                          cwd=ROOT, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print(out)
    for name, (result, seconds) in ((k, v) for k, v in out.items() if k != "peak_mb"):
        assert "over the limit" in result and "\n" not in result, (name, result)
        assert seconds < 30, (name, seconds)
    assert out["peak_mb"] < 1536, out["peak_mb"]


def test_the_data_page_does_not_reparse_every_column_on_rerun(monkeypatch, tmp_path_factory):
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    from tests.conftest import make_reviews
    from tests.test_app import APP, TIMEOUT

    monkeypatch.setenv("SEGKIT_MAP_METHOD", "pca")
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "segkit-cache"))
    wide = make_reviews(12, 2)
    for i in range(150):
        wide[f"extra_{i}"] = [f"v{i}-{r}" for r in range(len(wide))]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/data.py")
    at.run()
    at.file_uploader(key="data_upload").set_value(("wide.csv", wide.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception and at.session_state["sk_dataset"].name == "wide.csv"
    calls = []
    real = pd.to_numeric
    monkeypatch.setattr(pd, "to_numeric", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    at.run()  # a rerun (any widget change) with the same dataset
    assert not at.exception
    assert len(calls) < 10, f"{len(calls)} column parses on a rerun of the Data page"
