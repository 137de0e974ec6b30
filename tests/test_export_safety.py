"""Exports a spreadsheet cannot run, and CLI outputs that never overwrite an input."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from segkit.export.safe import is_formula_like, neutralise_formulas, to_safe_csv

ROOT = Path(__file__).resolve().parents[1]

BYPASSES = [
    "ok;=cmd|' /C calc'!A0",  # a ';'-separator locale splits here and runs the rest
    "ok;=1+1",
    "ok\t=1+1",
    "ok|=1+1",
    "ok; =1+1",  # a blank after the separator changes nothing
    "ok;\u00a0@SUM(A1)",
    "\u00a0=1+1",  # no-break space in front
    "\u200b=1+1",  # zero-width space in front
    "\ufeff=1+1",  # byte-order mark in front
    "\u2060+1+1",  # word joiner in front
]


def _pieces(cell: str) -> list[str]:
    """What a spreadsheet splitting on ';', tab or '|' would see, blanks stripped."""
    import re

    from segkit.export.safe import BLANKS

    return [piece.lstrip(BLANKS) for piece in re.split(r"[;\t|]", cell)]


@pytest.mark.parametrize("cell", BYPASSES)
def test_formula_after_a_separator_or_invisible_prefix_is_neutralised(cell):
    assert is_formula_like(cell)
    safe = neutralise_formulas(pd.DataFrame({"text": [cell]}))["text"][0]
    assert safe != cell
    for piece in [safe, *_pieces(safe)]:
        assert piece.lstrip("\u00a0\u200b\ufeff\u2060 ")[:1] not in ("=", "+", "-", "@"), (cell, safe)
    # And in the written CSV, read back the way a ';' locale would.
    written = to_safe_csv(pd.DataFrame({"text": [cell]}))
    value_line = written.split("\r\n")[1]
    for piece in _pieces(value_line.strip('"')):
        assert piece[:1] not in ("=", "+", "-", "@"), (cell, value_line)


def test_ordinary_text_is_left_alone():
    frame = pd.DataFrame({"text": ["fine; works well", "a|b", "tab\tseparated words", "3-4 days", "a - b"],
                          "n": [-1, 2, 3, 4, 5]})
    assert neutralise_formulas(frame)["text"].tolist() == frame["text"].tolist()


def test_spark_bundle_csv_goes_through_the_safe_writer(tmp_path):
    from segkit.spark.bundle import load_bundle, write_bundle

    segments = pd.DataFrame({"segment_id": [0], "segment_name": ["a"], "size": [1]})
    numeric = pd.DataFrame({"segment_id": [0], "trait": ["=1+1"], "note": ["ok;=cmd|' /C calc'!A0"], "mean": [-2.5]})
    write_bundle(tmp_path / "b", {"config": {}}, segments, pd.DataFrame({"user_id": ["u"]}), numeric, {})
    raw = (tmp_path / "b" / "numeric.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1" in raw and "ok;'=cmd" in raw
    assert ",-2.5" in raw  # numbers untouched
    back = load_bundle(tmp_path / "b").numeric
    assert back["mean"].tolist() == [-2.5] and list(back.columns) == ["segment_id", "trait", "note", "mean"]


def test_xlsx_download_types_every_text_cell_as_text():
    import openpyxl

    from segkit.export.xlsx import to_xlsx_bytes

    frame = pd.DataFrame({"=head": ["=1+1", "+A1", "ok;=1+1", "@SUM(A1)", "plain", None],
                          "n": [-1, 2, 3, 4, 5, 6], "x": [0.5, None, 1.5, 2.5, 3.5, 4.5]})
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame)))
    sheet = book.active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    assert sheet["A1"].value == "=head" and sheet["A1"].data_type == "s"
    assert [sheet.cell(row=r, column=1).value for r in range(2, 7)] == ["=1+1", "+A1", "ok;=1+1", "@SUM(A1)", "plain"]
    assert sheet["A7"].value is None
    assert sheet["B2"].value == -1 and sheet["B2"].data_type == "n"
    assert sheet["C3"].value is None and sheet["C4"].value == 1.5


# --- the CLI never overwrites its input, and writes atomically ------------------------

@pytest.fixture
def reviews_csv(tmp_path, reviews):
    path = tmp_path / "in.csv"
    reviews.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("flag", ["--out", "--summary", "--report", "--config"])
def test_segment_refuses_an_output_that_is_its_input(flag, reviews_csv, capsys, fake_embedder):
    from segkit.cli import main

    before = reviews_csv.read_bytes()
    code = main(["segment", str(reviews_csv), "--embedder", "fake", "--k", "3", "--no-map", "--no-cache",
                 "--quiet", flag, str(reviews_csv)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "never overwrites its input" in err and err.count("\n") == 1
    assert reviews_csv.read_bytes() == before


def test_output_through_a_symlink_or_relative_path_is_caught(reviews_csv, tmp_path, monkeypatch, capsys,
                                                             fake_embedder):
    from segkit.cli import main

    link = tmp_path / "link.csv"
    link.symlink_to(reviews_csv)
    monkeypatch.chdir(tmp_path)
    before = reviews_csv.read_bytes()
    assert main(["segment", "in.csv", "--embedder", "fake", "--k", "3", "--no-map", "--no-cache", "--quiet",
                 "--out", str(link)]) == 2
    assert main(["segment", str(reviews_csv), "--embedder", "fake", "--k", "3", "--no-map", "--no-cache",
                 "--quiet", "--out", "./sub/../in.csv"]) == 2
    assert reviews_csv.read_bytes() == before
    assert "never overwrites its input" in capsys.readouterr().err


def test_rerun_from_config_refuses_to_overwrite_the_config_or_its_input(reviews_csv, tmp_path, capsys,
                                                                       fake_embedder):
    from segkit.cli import main

    config = tmp_path / "run.json"
    assert main(["segment", str(reviews_csv), "--embedder", "fake", "--k", "3", "--no-map", "--no-cache",
                 "--quiet", "--config", str(config)]) == 0
    saved = config.read_bytes()
    for target in (config, reviews_csv):
        assert main(["segment", "--config", str(config), "--no-cache", "--quiet", "--summary", str(target)]) == 2
    assert config.read_bytes() == saved
    assert "never overwrites its input" in capsys.readouterr().err


def test_assign_refuses_to_overwrite_its_input(reviews_csv, tmp_path, capsys, fake_embedder):
    from segkit.cli import main

    before = reviews_csv.read_bytes()
    assert main(["assign", str(tmp_path / "model"), str(reviews_csv), "--out", str(reviews_csv)]) == 2
    assert reviews_csv.read_bytes() == before
    assert "never overwrites its input" in capsys.readouterr().err


def test_outputs_are_written_atomically(reviews_csv, tmp_path, monkeypatch, fake_embedder):
    """A failure while writing leaves the previous file intact and no temporary file behind."""
    from segkit.cli import main
    from segkit.export import safe

    out = tmp_path / "out.csv"
    out.write_text("previous result\n", encoding="utf-8")

    def broken(frame, path=None, **kwargs):
        Path(path).write_text("half a fi", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(safe, "to_safe_csv", broken)
    assert main(["segment", str(reviews_csv), "--embedder", "fake", "--k", "3", "--no-map", "--no-cache",
                 "--quiet", "--out", str(out)]) == 1
    assert out.read_text(encoding="utf-8") == "previous result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_export_page_offers_the_xlsx_download(monkeypatch, tmp_path_factory):
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    from tests.test_app import APP, TIMEOUT

    monkeypatch.setenv("SEGKIT_MAP_METHOD", "pca")
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "segkit-cache"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/export.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(".xlsx" in button.label for button in at.download_button), [b.label for b in at.download_button]
