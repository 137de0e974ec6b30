"""Every bad input gets a clear answer, and no upload can attack the analyst.

Each case runs through the CLI (exit 2 and one line on stderr, or a result) and, where
the library decides, through the library too. Cases already covered by test_io_read.py
and test_roles_prepare.py are not repeated here.
"""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest

from segkit.cli import main
from segkit.config import RunConfig
from segkit.edits import Edits
from segkit.errors import SegkitInputError
from segkit.export import STATUS_COLUMN, labeled_rows, to_safe_csv
from segkit.export.safe import neutralise_formulas, to_safe_excel
from segkit.io.read import read_table
from segkit.io.roles import ColumnRoles, infer_roles
from segkit.pipeline import run_segmentation
from tests.conftest import make_reviews


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(["segment", *args, "--embedder", "fake", "--no-map", "--no-cache", "--quiet"])
    captured = capsys.readouterr()
    if code != 0:
        assert code == 2, captured.err
        assert captured.err.count("\n") == 1 and "Traceback" not in captured.err, captured.err
    return code, captured.out, captured.err


def write(tmp_path, name: str, data) -> str:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return str(path)


def reviews_csv(frame: pd.DataFrame | None = None, **to_csv) -> str:
    return (make_reviews(12, 2) if frame is None else frame).to_csv(index=False, **to_csv)


# --- files that are not tables -------------------------------------------------------

def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inner.csv", reviews_csv())
    return buffer.getvalue()


@pytest.mark.parametrize("name,data,message", [
    ("empty.csv", b"", "is empty (0 bytes)"),
    ("header.csv", b"user_id,review,age\n", "has a header but no data rows (columns: user_id, review, age)"),
    ("zip.csv", _zip_bytes(), "is a ZIP archive, not a table"),
    ("noise.csv", bytes(np.random.default_rng(0).integers(1, 256, 4000, dtype=np.uint8)), "looks binary"),
    ("doc.csv", b"%PDF-1.7\n" + b"x" * 100, "is a PDF document, not a table"),
    ("data.csv", pickle.dumps({"a": 1}), "is a Python pickle, which can run code"),
    ("frame.pkl", pickle.dumps(pd.DataFrame({"a": [1]})), ".pkl files can run code when loaded and are never read"),
    ("model.joblib", b"anything", ".joblib files can run code"),
    ("quote.csv", 'user_id,review\nU1,"never closed\nU2,fine\n', "opened in the row starting on line 2 is never closed"),
    ("ragged.csv", "a,b,c\n1,2,3\n4,5,6,7,8\n", "first: data row 2 on line 3, 5 fields"),
])
def test_unreadable_files_cli_exit_2_with_one_line(tmp_path, capsys, fake_embedder, name, data, message):
    path = write(tmp_path, name, data)
    code, _, err = run_cli([path], capsys)
    assert code == 2 and message in err
    with pytest.raises(SegkitInputError, match=message.split(" (")[0].replace(".", r"\.")):
        read_table(path)


def test_pickle_is_refused_from_bytes_too():
    payload = pickle.dumps(pd.DataFrame({"a": [1]}))
    with pytest.raises(SegkitInputError, match="never read"):
        read_table(payload, "upload.pickle")
    with pytest.raises(SegkitInputError, match="Python pickle"):
        read_table(payload, "upload.csv")


# --- size limit ------------------------------------------------------------------------

def test_size_limit_is_checked_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 1000)
    with pytest.raises(SegkitInputError, match=r"'big.csv' is 0.0 MB, over the 0.0 MB upload limit"):
        read_table(path, max_bytes=100)
    with pytest.raises(SegkitInputError, match="over the"):
        read_table(path.read_bytes(), "big.csv", max_bytes=100)
    assert len(read_table(path, max_bytes=10_000).frame) == 1000
    # The default matches the dashboard's upload limit, and an environment variable moves it.
    from segkit.io import read as read_module

    assert read_module.default_max_bytes() == 200 * 1024 * 1024
    monkeypatch.setenv("SEGKIT_MAX_UPLOAD_MB", "0.001")
    with pytest.raises(SegkitInputError, match="over the 0.0 MB upload limit"):
        read_table(path)
    monkeypatch.setenv("SEGKIT_MAX_UPLOAD_MB", "lots")
    with pytest.raises(SegkitInputError, match="SEGKIT_MAX_UPLOAD_MB must be a number"):
        read_table(path)


def test_size_limit_cli(tmp_path, capsys, monkeypatch, fake_embedder):
    path = write(tmp_path, "r.csv", reviews_csv())
    monkeypatch.setenv("SEGKIT_MAX_UPLOAD_MB", "0.001")
    code, _, err = run_cli([path], capsys)
    assert code == 2 and "'r.csv' is" in err and "over the 0.0 MB upload limit" in err


# --- encodings, delimiters, odd lines: read and segmented ----------------------------

def _zh_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    topics = ["这件衣服质量很好，面料舒服，尺码合适", "电池续航太差了，充电很慢，屏幕也暗",
              "跑鞋很轻，鞋底抓地力好，适合马拉松"]
    rows = [{"用户": f"U{u}", "评论": topics[u % 3] + f"，第{r}次购买" + "好" * int(rng.integers(0, 3)),
             "年龄": 20 + u} for u in range(12) for r in range(2)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("name,data", [
    ("gbk.csv", _zh_frame().to_csv(index=False).encode("gbk")),
    ("latin1.csv", reviews_csv(make_reviews(12, 2).assign(review=lambda f: f["review"] + " très élégant café")).encode("latin-1")),
    ("bom.csv", reviews_csv().encode("utf-8-sig")),
    ("semicolon.csv", reviews_csv(sep=";").encode()),
    ("tab.tsv", reviews_csv(sep="\t").encode()),
    ("crlf.csv", reviews_csv().replace("\n", "\r\n").encode()),
    ("old_mac.csv", reviews_csv().replace("\n", "\r").encode()),
])
def test_encodings_and_delimiters_segment(tmp_path, capsys, fake_embedder, name, data):
    path = write(tmp_path, name, data)
    out = tmp_path / "out.csv"
    code, printed, err = run_cli([path, "--k", "3", "--out", str(out)], capsys)
    assert code == 0, err
    n_rows = 24
    assert f"wrote {n_rows} rows" in printed
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == n_rows


def test_chinese_text_column_is_inferred():
    """A 20-character Chinese review is free text (a CJK character weighs like 3 letters)."""
    frame = read_table(_zh_frame().to_csv(index=False).encode("gbk"), "zh.csv").frame
    assert infer_roles(frame).text_cols == ("评论",)


def test_quoted_newlines_stray_cr_and_blank_lines_keep_rows():
    text = 'id,review\n1,"line one\nline two"\n\n2,a stray\rreturn\n3,"quoted\r\nCRLF"\n'
    loaded = read_table(text.encode(), "a.csv")
    assert loaded.frame["id"].tolist() == [1, 2, 3]
    assert loaded.frame["review"].tolist() == ["line one\nline two", "a stray return", "quoted\nCRLF"]
    assert any("1 blank line(s) skipped" in n for n in loaded.notes)
    assert any("stray carriage return" in n for n in loaded.notes)


def test_field_longer_than_the_csv_modules_default_limit():
    long_text = "word " * 40_000  # 200,000 characters, over csv's 131,072 default
    frame = read_table(f'id,review\n1,"{long_text}"\n2,short\n'.encode(), "a.csv").frame
    assert len(frame["review"][0]) == len(long_text)


def test_text_after_closing_quote_is_read_leniently():
    frame = read_table(b'id,review\n1,"quoted" tail\n2,ok\n', "a.csv").frame
    assert frame["id"].tolist() == [1, 2] and frame["review"][0].startswith("quoted")


def test_duplicate_columns_cli_reports_and_runs(tmp_path, capsys, fake_embedder):
    text = reviews_csv().replace("user_id,review,age,spend", "user_id,review,age,age", 1)
    code = main(["segment", write(tmp_path, "d.csv", text), "--embedder", "fake", "--k", "3",
                 "--no-map", "--no-cache"])
    assert code == 0
    assert "note: duplicate column name 'age' renamed to 'age_1'" in capsys.readouterr().err


def test_duplicate_column_names_in_a_frame_are_refused():
    frame = make_reviews(6, 2)
    frame.columns = ["user_id", "review", "age", "age", "tier", "true_segment"]
    roles = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age",))
    with pytest.raises(SegkitInputError, match="'age' appears 2 times"):
        run_segmentation(frame, RunConfig(roles=roles, embedder="tfidf", algorithm_params={"k": 2}),
                         with_map=False)


# --- too few users, nothing to tell apart ---------------------------------------------

def test_single_user(tmp_path, capsys, fake_embedder):
    frame = make_reviews(6, 3).assign(user_id="U1")
    code, _, err = run_cli([write(tmp_path, "one.csv", reviews_csv(frame)), "--user-col", "user_id"], capsys)
    assert code == 2 and "Only 1 user(s) have text to segment; segmenting needs at least 2." in err


def test_two_users_auto_k_refused_explicit_k_works(tmp_path, capsys, fake_embedder):
    frame = make_reviews(6, 3)
    frame["user_id"] = np.where(np.arange(len(frame)) % 2, "A", "B")
    path = write(tmp_path, "two.csv", reviews_csv(frame))
    code, _, err = run_cli([path, "--user-col", "user_id"], capsys)
    assert code == 2 and "at least 3 users with text to choose K; there are 2" in err
    out = tmp_path / "out.csv"
    code, printed, _ = run_cli([path, "--user-col", "user_id", "--k", "2", "--out", str(out)], capsys)
    assert code == 0 and "segments: 2" in printed and len(pd.read_csv(out)) == 18


def test_identical_texts(tmp_path, capsys, fake_embedder):
    frame = make_reviews(12, 2).assign(review="exactly the same words in every single review")
    path = write(tmp_path, "same.csv", reviews_csv(frame))
    # Inference cannot call a constant column free text, and says so.
    code, _, err = run_cli([path], capsys)
    assert code == 2 and "'review' is the same value in every row" in err
    # Chosen as text with no traits: every user is the same point.
    code, _, err = run_cli([path, "--text-col", "review", "--numeric-cols", "", "--categorical-cols", ""], capsys)
    assert code == 2 and "All 12 users are identical in what they wrote and in their traits" in err
    # With traits, the traits still separate users.
    code, printed, _ = run_cli([path, "--text-col", "review", "--k", "3"], capsys)
    assert code == 0 and "segments: 3" in printed


@pytest.mark.parametrize("embedder", ["fake", "tfidf"])
def test_identical_texts_library(embedder, fake_embedder):
    frame = make_reviews(12, 2).assign(review="exactly the same words")
    roles = ColumnRoles(text_cols=("review",), user_col="user_id")
    for params in ({}, {"k": 3}):
        with pytest.raises(SegkitInputError, match="All 12 users are identical"):
            run_segmentation(frame, RunConfig(roles=roles, embedder=embedder, algorithm_params=params),
                             with_map=False)


def test_fewer_distinct_users_than_k(fake_embedder):
    frame = make_reviews(12, 1)
    frame["review"] = np.where(np.arange(12) < 6, "running shoes trail", "battery charger laptop")
    roles = ColumnRoles(text_cols=("review",), user_col="user_id")
    with pytest.raises(SegkitInputError, match="K .* is 4 but only 2 of the 12 users differ.*at most 2"):
        run_segmentation(frame, RunConfig(roles=roles, embedder="fake", algorithm_params={"k": 4}),
                         with_map=False)
    run = run_segmentation(frame, RunConfig(roles=roles, embedder="fake"), with_map=False)
    assert run.metrics["auto_k"] == 2  # the sweep stops at the number of distinct users


def test_all_texts_empty_inferred(tmp_path, capsys, fake_embedder):
    frame = make_reviews(6, 2).assign(review="")
    code, _, err = run_cli([write(tmp_path, "e.csv", reviews_csv(frame))], capsys)
    assert code == 2 and "No text column chosen and none found ('review' is empty in every row)" in err


def test_only_emoji_text(fake_embedder):
    frame = make_reviews(6, 2).assign(review="😀🔥👍")
    roles = ColumnRoles(text_cols=("review",), user_col="user_id")
    with pytest.raises(SegkitInputError, match="No text in review has words the 'tfidf' embedder can use"):
        run_segmentation(frame, RunConfig(roles=roles, embedder="tfidf", algorithm_params={"k": 2}),
                         with_map=False)


# --- odd text and odd numbers: a result, with notes -----------------------------------

def test_huge_emoji_and_mixed_language_texts(tmp_path, capsys, fake_embedder):
    frame = make_reviews(12, 2)
    frame.loc[0, "review"] = "word " * 20_000  # 100,000 characters
    frame.loc[1, "review"] = "x" * 100_000
    frame.loc[2, "review"] = "😀😀🔥"
    frame.loc[3, "review"] = "这个 laptop 很好, battery 不错 😀"
    out = tmp_path / "out.csv"
    code, _, err = run_cli([write(tmp_path, "t.csv", reviews_csv(frame)), "--k", "3", "--out", str(out)], capsys)
    assert code == 0
    labeled = pd.read_csv(out, encoding="utf-8-sig")
    assert len(labeled) == 24 and len(labeled["review"][1]) == 100_000  # the export keeps the cell whole
    assert labeled[STATUS_COLUMN][2] == "segmented from the user's other rows (no usable words in the text)"
    roles = ColumnRoles(text_cols=("review",), user_col="user_id")
    run = run_segmentation(frame, RunConfig(roles=roles, embedder="tfidf", algorithm_params={"k": 3}), with_map=False)
    assert any("2 text cell(s) longer than 20,000 characters were cut" in n for n in run.table.notes)
    assert len(labeled_rows(frame, run)) == 24


def test_nan_inf_and_words_in_numeric_columns(tmp_path, capsys, fake_embedder):
    frame = make_reviews(12, 2).astype({"age": object, "spend": object})
    frame.loc[0, "age"], frame.loc[1, "age"], frame.loc[2, "age"] = "NaN", "inf", "old"
    frame.loc[3, "spend"] = "-inf"
    text = reviews_csv(frame)
    code, printed, _ = run_cli([write(tmp_path, "n.csv", text), "--k", "3"], capsys)
    assert code == 0 and "segments: 3" in printed
    loaded = read_table(text.encode(), "n.csv")
    roles = infer_roles(loaded.frame)
    assert {"age", "spend"} <= set(roles.numeric_cols)
    run = run_segmentation(loaded.frame, RunConfig(roles=roles, embedder="fake", algorithm_params={"k": 3}),
                           with_map=False)
    notes = " | ".join(run.table.notes)
    assert "numeric column 'age': 3 cell(s) were not numbers (or were infinite or beyond ±1e100)" in notes
    assert "numeric column 'spend': 1 cell(s)" in notes
    assert np.isfinite(run.space.matrix).all()


def test_numbers_too_large_to_scale_count_as_missing(fake_embedder):
    # Found by hypothesis: one age of 1.8e308 overflowed the column's mean and variance
    # and made every user's features NaN, so PCA raised.
    frame = make_reviews(12, 2).astype({"age": float, "spend": float})
    frame.loc[0, "age"] = 1.7976931348623157e308
    frame.loc[1, "spend"] = -1e150
    roles = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age", "spend"))
    run = run_segmentation(frame, RunConfig(roles=roles, embedder="fake", algorithm_params={"k": 3}), with_map=False)
    notes = " | ".join(run.table.notes)
    assert "numeric column 'age': 1 cell(s) were not numbers (or were infinite or beyond ±1e100)" in notes
    assert "numeric column 'spend': 1 cell(s)" in notes
    assert np.isfinite(run.space.matrix).all()
    assert len(labeled_rows(frame, run)) == len(frame)


def test_numeric_column_of_only_words_named(fake_embedder):
    frame = make_reviews(6, 2).assign(age="unknown")
    roles = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age",))
    with pytest.raises(SegkitInputError, match="Numeric column 'age' has no numbers in it"):
        run_segmentation(frame, RunConfig(roles=roles, embedder="fake", algorithm_params={"k": 2}))


def test_constant_numeric_column(tmp_path, capsys, fake_embedder):
    frame = make_reviews(12, 2).assign(spend=5.0)
    assert "spend" in infer_roles(frame).ignored  # inference leaves it out, with the reason
    code, printed, _ = run_cli([write(tmp_path, "c.csv", reviews_csv(frame)), "--k", "3",
                                "--numeric-cols", "age,spend"], capsys)
    assert code == 0 and "segments: 3" in printed


def test_conflicting_traits_are_noted(tmp_path, capsys, fake_embedder):
    frame = make_reviews(12, 2)
    frame.loc[0, "tier"] = "gold" if frame.loc[1, "tier"] != "gold" else "none"  # U000: two tiers
    frame.loc[2, "age"] = frame.loc[3, "age"] + 10  # U001: two ages
    main(["segment", write(tmp_path, "c.csv", reviews_csv(frame)), "--embedder", "fake", "--k", "3",
          "--no-map", "--no-cache", "--numeric-cols", "age", "--categorical-cols", "tier"])
    err = capsys.readouterr().err
    assert "2 user(s) have different trait values on different rows" in err


def test_k_larger_than_users_library(fake_embedder):
    frame = make_reviews(6, 2)
    roles = ColumnRoles(text_cols=("review",), user_col="user_id")
    with pytest.raises(SegkitInputError, match=r"K \(number of segments\) must be between 2 and the 6 users"):
        run_segmentation(frame, RunConfig(roles=roles, embedder="fake", algorithm_params={"k": 7}))


def test_min_cluster_size_larger_than_data_library(fake_embedder):
    frame = make_reviews(6, 2)
    roles = ColumnRoles(text_cols=("review",), user_col="user_id")
    config = RunConfig(roles=roles, embedder="fake", algorithm="hdbscan", reducer="pca",
                       algorithm_params={"min_cluster_size": 50})
    with pytest.raises(SegkitInputError, match="min_cluster_size"):
        run_segmentation(frame, config)


# --- safety: formulas and code-executing formats --------------------------------------

def test_user_typed_segment_names_and_cells_are_neutralised(tmp_path, fake_embedder):
    frame = make_reviews(12, 2)
    frame.loc[0, "review"] = '=HYPERLINK("http://evil","click") shoes'
    frame.loc[1, "review"] = " =1+1 battery"
    frame.loc[2, "tier"] = "\uff1dcmd"  # full-width equals sign
    frame["tier"] = frame["tier"].astype("category")
    roles = ColumnRoles(text_cols=("review",), user_col="user_id")
    run = run_segmentation(frame, RunConfig(roles=roles, embedder="fake", algorithm_params={"k": 3}),
                           with_map=False, names={0: "@SUM(1+1)", 1: "-2+3", 2: "\tTabbed"})
    labeled = labeled_rows(frame, Edits.of({0: '=cmd|" /C calc"!A0'}).apply(run))
    path = tmp_path / "out.csv"
    to_safe_csv(labeled, path)
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert back["review"][0].startswith("'=HYPERLINK") and back["review"][1].startswith("' =1+1")
    assert back["tier"][2] == "'\uff1dcmd"
    names = set(back["segment_name"])
    assert '\'=cmd|" /C calc"!A0' in names and "'-2+3" in names
    assert not any(n and n[0] in "=+-@\t\r" for n in names)
    summary = neutralise_formulas(run.summary.table)
    assert not summary["segment_name"].str.match(r"^[=+\-@\t\r]").any()
    assert back["age"].str.match(r"^\d+$").all()  # numbers untouched


def test_excel_export_writes_no_formula(tmp_path):
    import openpyxl

    frame = pd.DataFrame({"=bad": ["=1+1", "+A1", "-A1", "@x", "ok"], "n": [-1, 2, 3, 4, 5]})
    to_safe_excel(frame, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert sheet["A1"].value == "'=bad" and sheet["A2"].value == "'=1+1" and sheet["B2"].value == -1


def _forbid_unpickling(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("something tried to unpickle")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)


def test_reading_every_format_never_unpickles(tmp_path, monkeypatch):
    frame = pd.DataFrame({"user_id": ["U1", "U2"], "review": ["good shoes", "bad battery"],
                          "when": pd.period_range("2024-01", periods=2, freq="M"),
                          "cat": pd.Categorical(["a", "b"])}, index=pd.Index([10, 11], name="idx"))
    frame.to_parquet(tmp_path / "a.parquet")
    frame.astype({"when": str}).to_excel(tmp_path / "a.xlsx")
    frame.astype({"when": str}).to_json(tmp_path / "a.jsonl", orient="records", lines=True)
    frame.to_csv(tmp_path / "a.csv")
    _forbid_unpickling(monkeypatch)
    for name in ("a.parquet", "a.xlsx", "a.jsonl", "a.csv"):
        loaded = read_table(tmp_path / name)
        assert loaded.frame["review"].tolist() == ["good shoes", "bad battery"]
        assert not any(str(c).startswith("__index_level") for c in loaded.frame.columns)


def test_parquet_with_a_pickled_extension_type_is_not_executed(tmp_path):
    """The CVE-2023-47248 shape: a field claiming pyarrow's old pickle-based extension type."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    field = pa.field("payload", pa.binary(), metadata={
        b"ARROW:extension:name": b"arrow.py_extension_type",
        b"ARROW:extension:metadata": pickle.dumps(Exploit()),
    })
    table = pa.table({"review": pa.array(["text one", "text two"]),
                      "payload": pa.array([b"a", b"b"], type=pa.binary())})
    table = table.cast(pa.schema([pa.field("review", pa.string()), field]))
    pq.write_table(table, tmp_path / "evil.parquet")
    loaded = read_table(tmp_path / "evil.parquet")
    assert not marker.exists()
    assert loaded.frame["review"].tolist() == ["text one", "text two"]
