import io
import zipfile

import pandas as pd
import pytest

from segkit.errors import SegkitInputError
from segkit.io.read import read_table

CSV = "user_id,review,age\nU1,Great shoes for running,30\nU2,\"Battery, screen, charger\",40\n"


def test_reads_utf8_csv_and_types_numbers():
    loaded = read_table(CSV.encode(), "a.csv")
    assert loaded.encoding == "utf-8"
    assert list(loaded.frame.columns) == ["user_id", "review", "age"]
    assert loaded.frame["age"].tolist() == [30, 40]
    assert loaded.frame["review"][1] == "Battery, screen, charger"


@pytest.mark.parametrize("encoding,expected", [("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16")])
def test_bom_encodings(encoding, expected):
    loaded = read_table(CSV.encode(encoding), "a.csv")
    assert loaded.encoding == expected
    assert loaded.frame.columns[0] == "user_id"  # no BOM glued to the first name


def test_gbk_chinese_detected():
    text = "用户,评论\nU1,这件衣服质量很好，物流也很快\nU2,电池续航太差了，不推荐购买\n"
    loaded = read_table(text.encode("gbk"), "zh.csv")
    assert loaded.encoding == "gb18030"
    assert loaded.frame["评论"][0] == "这件衣服质量很好，物流也很快"


def test_latin1_detected():
    text = "user,review\nU1,Très élégant, café crème à côté\nU2,Façade naïve über schön\n"
    loaded = read_table(text.replace(", café", " café").encode("latin-1"), "fr.csv")
    assert loaded.encoding in ("cp1252", "latin-1")
    assert "élégant" in loaded.frame["review"][0]


@pytest.mark.parametrize("sep,name", [(";", "semicolon"), ("\t", "tab")])
def test_delimiters_sniffed(sep, name):
    text = CSV.replace('"Battery, screen, charger"', "Battery screen charger").replace(",", sep)
    loaded = read_table(text.encode(), "a.csv")
    assert list(loaded.frame.columns) == ["user_id", "review", "age"]
    assert any(name in note for note in loaded.notes)


def test_quoted_newlines_kept_in_one_cell():
    text = 'id,review\n1,"line one\nline two"\n2,plain\n'
    frame = read_table(text.encode(), "a.csv").frame
    assert len(frame) == 2 and frame["review"][0] == "line one\nline two"


def test_ragged_row_names_the_problem():
    text = "a,b\n1,2\n3,4,5\n"
    with pytest.raises(SegkitInputError, match="more fields than the 2-column header"):
        read_table(text.encode(), "a.csv")


def test_short_rows_are_padded_not_dropped():
    frame = read_table(b"a,b,c\n1,2,3\n4,5\n", "a.csv").frame
    assert len(frame) == 2 and pd.isna(frame["c"][1])


def test_duplicate_column_names_renamed_and_reported():
    loaded = read_table(b"x,x,y\n1,2,3\n", "a.csv")
    assert list(loaded.frame.columns) == ["x", "x_1", "y"]
    assert any("duplicate column name 'x'" in n for n in loaded.notes)


@pytest.mark.parametrize("data,message", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"a,b,c\n", "header but no data rows"),
    (b"\x00\x01\x02binary\x00junk" * 10, "binary"),
    (b"\x1f\x8b\x08\x00rest", "gzip"),
])
def test_bad_files_get_specific_errors(data, message):
    with pytest.raises(SegkitInputError, match=message):
        read_table(data, "upload.csv")


def test_zip_renamed_to_csv():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inner.csv", CSV)
    with pytest.raises(SegkitInputError, match="ZIP archive"):
        read_table(buffer.getvalue(), "upload.csv")


def test_leading_zero_ids_stay_text():
    frame = read_table(b"id,text\n007,a\n010,b\n", "a.csv").frame
    assert frame["id"].tolist() == ["007", "010"]


def test_excel_parquet_jsonl_round_trip(tmp_path):
    frame = pd.DataFrame({"user_id": ["U1", "U2"], "review": ["good shoes", "bad battery"], "age": [30, 40]})
    xlsx = tmp_path / "a.xlsx"
    frame.to_excel(xlsx, index=False)
    parquet = tmp_path / "a.parquet"
    frame.to_parquet(parquet)
    jsonl = tmp_path / "a.jsonl"
    frame.to_json(jsonl, orient="records", lines=True)
    for path, fmt in ((xlsx, "excel"), (parquet, "parquet"), (jsonl, "jsonl")):
        loaded = read_table(path)
        assert loaded.source_format == fmt
        assert loaded.frame["review"].tolist() == ["good shoes", "bad battery"]
        assert loaded.frame["age"].astype(int).tolist() == [30, 40]


def test_unsupported_extension():
    with pytest.raises(SegkitInputError, match="unsupported file type"):
        read_table(b"hello", "notes.docx")


def test_missing_path():
    with pytest.raises(SegkitInputError, match="not found"):
        read_table("/nonexistent/file.csv")
