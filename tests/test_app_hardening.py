"""Hardening of the dashboard: every bad input gets its one-line message, never a traceback;
uploaded text is never rendered as HTML or Markdown; sessions never see each other's data.

Driven headless with streamlit.testing.v1.AppTest through the Data page's real upload
path (`st.file_uploader(key="data_upload")`, which AppTest fills with set_value), and,
for the browser tests (-m browser), through `streamlit run` in Debian's Chromium with
the server/browser fixtures of tests/test_browser.py.

The library's messages are checked word for word: the page shows them through
`md()` (every punctuation backslash-escaped), so `unmd()` undoes that before comparing.
"""

from __future__ import annotations

import html
import io
import json
import pickle
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import make_reviews

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 300
SAMPLE_NAME = "store_reviews.csv (bundled sample)"


@pytest.fixture(autouse=True)
def _fast_env(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("SEGKIT_MAP_METHOD", "pca")
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "segkit-cache"))


# ------------------------------------------------------------------------------ helpers


def unmd(text: str) -> str:
    """Undo pages/_shared/common.md(): drop the backslash before each escaped character."""
    return re.sub(r"\\(.)", r"\1", text)


def data_page(settings: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if settings:
        from dashboard.state import DEFAULT_SETTINGS

        at.session_state["sk_settings"] = json.loads(json.dumps({**DEFAULT_SETTINGS, **settings}))
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    """What an analyst dropping `name` on the Data page's uploader does."""
    at.file_uploader(key="data_upload").set_value((name, data, "application/octet-stream")).run()
    return at


def keep_settings(at: AppTest) -> AppTest:
    """After an upload: take the settings made for the previous file (the offered choice)."""
    at.button(key="sk_keep_settings").click().run()
    return at


def errors(at: AppTest) -> list[str]:
    return [unmd(e.value) for e in at.error]


def infos(at: AppTest) -> list[str]:
    return [unmd(e.value) for e in at.info]


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def metric(at: AppTest, label: str) -> str:
    for element in at.metric:
        if element.label == label:
            return element.value
    raise AssertionError(f"no metric {label!r}; have {[m.label for m in at.metric]}")


def csv_bytes(frame: pd.DataFrame, encoding: str = "utf-8", **to_csv) -> bytes:
    return frame.to_csv(index=False, **to_csv).encode(encoding)


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inner.csv", make_reviews(12, 2).to_csv(index=False))
    return buffer.getvalue()


# ------------------------------------------------------------- files that cannot be read

UNREADABLE = [
    ("empty.csv", b"", "'empty.csv' is empty (0 bytes)."),
    ("header.csv", b"user_id,review,age\n",
     "'header.csv' has a header but no data rows (columns: user_id, review, age)."),
    ("zip.csv", _zip_bytes(), "'zip.csv' is a ZIP archive, not a table. Unzip it and upload the CSV inside."),
    ("noise.csv", bytes(np.random.default_rng(0).integers(1, 256, 4000, dtype=np.uint8)),
     "The file looks binary (974 control characters in its first 4,000), not a text table. "
     "Upload a CSV, Excel, Parquet or JSON Lines file."),
    ("data.csv", pickle.dumps(pd.DataFrame({"a": [1]})),
     "'data.csv' is a Python pickle, which can run code when loaded; it is never read. "
     "Export the table as CSV, Excel, Parquet or JSON Lines."),
    ("ragged.csv", b"a,b,c\n1,2,3\n4,5,6,7,8\n",
     "'ragged.csv': 1 row(s) have more fields than the 3-column header (first: data row 2 on line 3, 5 fields). "
     "Check the delimiter or quote the text column."),
    ("quote.csv", b'user_id,review\nU1,"never closed\nU2,fine\n',
     "'quote.csv': a quote (\") opened in the row starting on line 2 is never closed, so the rest of the file "
     "would become one cell. Fix the quotes in that row."),
]


@pytest.mark.parametrize("name,data,message", UNREADABLE, ids=[case[0] for case in UNREADABLE])
def test_unreadable_upload_shows_its_one_line_message(name, data, message):
    at = upload(data_page(), name, data)
    no_exception(at)
    assert errors(at) == [f"{name} cannot be used: {message}"]
    assert f"Still using {SAMPLE_NAME}." in [unmd(c.value) for c in at.caption]
    assert at.session_state["sk_dataset"].is_sample  # the previous dataset stays


def test_the_uploader_never_offers_code_running_formats():
    """A .pkl/.joblib/.npy upload is refused by the uploader itself (file dialog filter in the
    browser, extension check on the server), before segkit sees a byte; a pickle renamed .csv
    reaches segkit and is refused by its first bytes (above)."""
    from segkit.io.read import _CODE_SUFFIXES

    at = data_page()
    allowed = {"." + t.lstrip(".") for t in at.file_uploader(key="data_upload").proto.type}
    assert allowed and not allowed & _CODE_SUFFIXES
    assert {".csv", ".tsv", ".xlsx", ".parquet", ".jsonl"} <= allowed


def test_upload_over_the_size_limit(monkeypatch):
    monkeypatch.setenv("SEGKIT_MAX_UPLOAD_MB", "1")
    frame = make_reviews(12, 2)
    frame["review"] = frame["review"] + " " + "padding words " * 4500  # ~1.5 MB of text
    data = csv_bytes(frame)
    assert 1024 * 1024 < len(data) < 2 * 1024 * 1024
    at = upload(data_page(), "big.csv", data)
    no_exception(at)
    size = f"{len(data) / (1024 * 1024):,.1f} MB"
    assert errors(at) == [f"big.csv cannot be used: 'big.csv' is {size}, over the 1.0 MB upload limit; "
                          "upload a smaller file or raise the limit (SEGKIT_MAX_UPLOAD_MB / max_bytes)."]
    assert at.session_state["sk_dataset"].is_sample


# --------------------------------------------- odd but valid files: read, noted, segmented


def _zh_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    topics = ["这件衣服质量很好，面料舒服，尺码合适", "电池续航太差了，充电很慢，屏幕也暗",
              "跑鞋很轻，鞋底抓地力好，适合马拉松"]
    return pd.DataFrame([{"用户": f"U{u}", "评论": topics[u % 3] + f"，第{r}次购买" + "好" * int(rng.integers(0, 3)),
                          "年龄": 20 + u} for u in range(12) for r in range(2)])


def _quoted_newlines() -> bytes:
    frame = make_reviews(12, 2)
    frame["review"] = frame["review"].str.replace(" and ", " and\nthen\r\n", n=1, regex=False)
    return csv_bytes(frame)


def _duplicate_columns() -> bytes:
    text = make_reviews(12, 2).to_csv(index=False)
    return text.replace("user_id,review,age,spend", "user_id,review,age,age", 1).encode()


def _long_and_mixed() -> bytes:
    frame = make_reviews(12, 2)
    frame.loc[0, "review"] = "word " * 20_000  # 100,000 characters
    frame.loc[2, "review"] = "😀😀🔥 这个 laptop 很好, battery 不错 😀"
    frame.loc[3, "review"] = "跑鞋 running shoes 🏃 很轻 grip 👍"
    return csv_bytes(frame)


def _bad_numbers() -> bytes:
    frame = make_reviews(12, 2).astype({"age": object, "spend": object})
    frame.loc[0, "age"], frame.loc[1, "age"], frame.loc[2, "age"] = "NaN", "inf", "old"
    frame.loc[3, "spend"] = "-inf"
    return csv_bytes(frame)


def _conflicting_traits() -> bytes:
    frame = make_reviews(12, 2)
    frame.loc[0, "tier"] = "gold" if frame.loc[1, "tier"] != "gold" else "none"
    frame.loc[2, "age"] = frame.loc[3, "age"] + 10
    return csv_bytes(frame)


# name, bytes, rows expected, a fact in the "format · encoding · delimiter" line, an info note
ODD_BUT_VALID = [
    ("gbk.csv", csv_bytes(_zh_frame(), "gbk"), 24, "encoding gb18030 (detected)", None),
    ("latin1.csv", csv_bytes(make_reviews(12, 2).assign(review=lambda f: f["review"] + " très élégant café"),
                             "latin-1"), 24, "(detected)", None),
    ("bom.csv", csv_bytes(make_reviews(12, 2), "utf-8-sig"), 24, "delimiter comma", None),
    ("semicolon.csv", csv_bytes(make_reviews(12, 2), sep=";"), 24, "delimiter semicolon", None),
    ("tab.tsv", csv_bytes(make_reviews(12, 2), sep="\t"), 24, "delimiter tab", None),
    ("newlines.csv", _quoted_newlines(), 24, "24 rows × 6 columns", None),
    ("dupes.csv", _duplicate_columns(), 24, "24 rows × 6 columns", "duplicate column name 'age' renamed to 'age_1'"),
    ("long.csv", _long_and_mixed(), 24, "24 rows × 6 columns", "longer than 20,000 characters were cut"),
    ("numbers.csv", _bad_numbers(), 24, "24 rows × 6 columns", "numeric column 'age': 3 cell(s) were not numbers"),
    ("conflict.csv", _conflicting_traits(), 24, "24 rows × 6 columns",
     "2 user(s) have different trait values on different rows"),
]


@pytest.mark.parametrize("name,data,n_rows,fact,note", ODD_BUT_VALID, ids=[case[0] for case in ODD_BUT_VALID])
def test_odd_but_valid_upload_is_read_noted_and_segmented(name, data, n_rows, fact, note):
    at = upload(data_page(), name, data)
    no_exception(at)
    assert not at.error, errors(at)
    dataset = at.session_state["sk_dataset"]
    assert dataset.name == name and len(dataset.frame) == n_rows
    assert f"Loaded {name}: {n_rows} rows." in [unmd(s.value) for s in at.success]
    facts = unmd(" ".join(m.value for m in at.markdown)).replace("**", "")
    assert fact in facts, facts
    if note:
        assert any(note in text for text in infos(at)), infos(at)
    assert metric(at, "Rows") == str(n_rows)
    if name == "gbk.csv":
        assert dataset.roles.text_cols == ("评论",) and dataset.frame["评论"].str.contains("电池").any()
    if name == "bom.csv":
        assert list(dataset.frame.columns)[0] == "user_id"  # no BOM glued to the first name
    if name == "newlines.csv":
        assert dataset.frame["review"].str.contains("\n").sum() == 24
    # ... and the Overview segments it.
    at.switch_page("pages/overview.py").run()
    no_exception(at)
    assert not at.error, errors(at)
    assert int(metric(at, "Segments")) >= 2


def test_constant_numeric_column_is_listed_as_ignored_with_its_reason():
    at = upload(data_page(), "constant.csv", csv_bytes(make_reviews(12, 2).assign(spend=5.0)))
    no_exception(at)
    assert not at.error, errors(at)
    ignored = at.dataframe[-1].value
    assert list(ignored.columns) == ["column", "why"]
    reason = dict(zip(ignored["column"], ignored["why"], strict=True))["spend"]
    assert "same value" in reason or "constant" in reason, reason
    at.switch_page("pages/overview.py").run()
    no_exception(at)
    assert not at.error and int(metric(at, "Segments")) >= 2


# ---------------------------------------------------- readable files that cannot be segmented


def _one_user() -> bytes:
    return csv_bytes(make_reviews(6, 3).assign(user_id="U1"))


def _two_users() -> bytes:
    frame = make_reviews(6, 3)
    frame["user_id"] = np.where(np.arange(len(frame)) % 2, "A", "B")
    return csv_bytes(frame)


def _same_text() -> bytes:
    return csv_bytes(make_reviews(12, 2).assign(review="exactly the same words in every single review"))


def _empty_text() -> bytes:
    return csv_bytes(make_reviews(6, 2).assign(review=""))


@pytest.mark.parametrize("name,data,data_page_error,overview_error", [
    ("one_user.csv", _one_user(), None, "Only 1 user(s) have usable text; segmenting needs at least 3."),
    ("two_users.csv", _two_users(), None, "Only 2 user(s) have usable text; segmenting needs at least 3."),
    ("same_text.csv", _same_text(),
     "No text column chosen and none found (the longest text column 'review' is the same value in every row): "
     "pick the column that holds what users wrote.", None),
    ("empty_text.csv", _empty_text(),
     "No text column chosen and none found ('review' is empty in every row): pick the column that holds what "
     "users wrote.", None),
], ids=["single user", "two users", "identical texts", "empty texts"])
def test_file_that_cannot_be_segmented_gets_its_message(name, data, data_page_error, overview_error):
    at = upload(data_page(), name, data)
    no_exception(at)
    assert at.session_state["sk_dataset"].name == name  # readable: it becomes the dataset
    if data_page_error:
        assert errors(at) == [data_page_error]
    else:
        assert not at.error, errors(at)
    at.switch_page("pages/overview.py").run()
    no_exception(at)
    assert errors(at) == [overview_error or data_page_error]
    assert not at.metric  # no half-drawn results
    at.switch_page("pages/segment.py").run()
    no_exception(at)
    assert len(at.error) == 1


def test_k_larger_than_the_users():
    at = data_page({"auto_k": False, "params": {"kmeans": {"k": 7}}})
    upload(at, "six.csv", csv_bytes(make_reviews(6, 2)))
    keep_settings(at)  # a new file starts from the defaults; K = 7 only when taken over on purpose
    no_exception(at)
    at.switch_page("pages/overview.py").run()
    no_exception(at)
    assert errors(at) == ["K (number of segments) must be between 2 and the 6 users you have (got 7)."]
    # The Segment page cannot ask for it: its K slider stops at users - 1.
    at.switch_page("pages/segment.py").run()
    no_exception(at)
    assert not at.error, errors(at)
    assert at.slider(key="seg_kmeans_k").max == 5 and int(metric(at, "Segments")) == 5


def test_min_cluster_size_larger_than_the_data():
    settings = {"algorithm": "hdbscan", "reducer": "pca", "params": {"hdbscan": {"min_cluster_size": 50}}}
    at = data_page(settings)
    upload(at, "six.csv", csv_bytes(make_reviews(6, 2)))
    keep_settings(at)
    no_exception(at)
    at.switch_page("pages/overview.py").run()
    no_exception(at)
    shown = errors(at)
    assert len(shown) == 1 and "min_cluster_size" in shown[0] and "50" in shown[0], shown
    assert "\n" not in shown[0]


# ------------------------------------------------------ markup is never rendered as markup

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "![x](http://example.com/x.png)"]
RAW = ["<script", "<img", "![x]("]
USER_COL = f"{XSS[2]} user_id"
TEXT_COL = f"{XSS[1]} review"
NUM_COL = f"{XSS[0]} spend"
CAT_COL = f"{XSS[2]} tier"
LABEL_COL = f"{XSS[0]} label"


def _markup_frame() -> pd.DataFrame:
    topics = ["running trail shoes marathon grip knee pace", "battery charger laptop screen usb speaker",
              "skin serum cream moisturiser lipstick glow"]
    rows = []
    for user in range(30):
        for review in range(2):
            text = f"{topics[user % 3]} order {user * 2 + review}"
            if user % 3 == 0:
                text = f"{XSS[(user // 3 + review) % 3]} {text}"
            rows.append({USER_COL: f"{XSS[user % 3]} U{user:02d}", TEXT_COL: text, NUM_COL: 100 + 10 * user,
                         CAT_COL: XSS[user % 3], LABEL_COL: f"{XSS[user % 3]} {user % 3}"})
    return pd.DataFrame(rows)


def _markup_app() -> AppTest:
    """A session whose dataset has the payloads in texts, user ids, column names and categories."""
    from dashboard.state import Dataset
    from segkit.io import ColumnRoles, read_table

    name = f"{XSS[2]}{XSS[1]}.csv"
    data = csv_bytes(_markup_frame())
    loaded = read_table(data, name)
    roles = ColumnRoles(text_cols=(TEXT_COL,), user_col=USER_COL, numeric_cols=(NUM_COL,),
                        categorical_cols=(CAT_COL,), label_col=LABEL_COL, vector_cols=(), ignored={})
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["sk_dataset"] = Dataset(name, "markup-" + str(len(data)), loaded, roles, False, len(data))
    return at


def _labels(at: AppTest) -> list[str]:
    """Every string Streamlit renders as Markdown on the page (bodies, labels, options of radios)."""
    texts = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info", "success",
                 "exception"):
        texts += [e.value if isinstance(e.value, str) else str(e.value) for e in getattr(at, kind)]
        texts += [e.value if isinstance(e.value, str) else str(e.value) for e in getattr(at.sidebar, kind)]
    for kind in ("metric", "selectbox", "multiselect", "text_input", "slider", "toggle", "radio", "button",
                 "number_input", "expander", "tabs", "checkbox", "text_area"):
        texts += [str(getattr(e, "label", "") or "") for e in at.get(kind) if hasattr(e, "label")]
    for radio in at.radio:
        texts += [str(o) for o in radio.options]
    return texts


def _assert_shown_as_text(at: AppTest, where: str) -> None:
    no_exception(at)
    for text in _labels(at):
        live = re.sub(r"\\.", "\x00", text)  # what Markdown would not take literally
        for raw in RAW:
            assert raw not in live, (where, text)
    for block in [*at.get("html"), *at.sidebar.get("html")]:
        assert "<script" not in block.value and "<img" not in block.value, (where, block.value[:300])


def test_markup_in_texts_ids_columns_and_categories_is_shown_as_text():
    at = _markup_app()
    at.run()
    _assert_shown_as_text(at, "overview")
    assert not at.error, errors(at)
    assert any(LABEL_COL in unmd(m.label) for m in at.metric)  # the label column's name, escaped

    at.switch_page("pages/data.py").run()
    _assert_shown_as_text(at, "data")
    preview = at.dataframe[0].value  # the preview is a data grid: the payloads arrive as plain cells
    assert TEXT_COL in preview.columns and preview[CAT_COL].isin(XSS).all()
    assert at.multiselect(key=f"data_text_{at.session_state['sk_dataset'].key[:10]}").value == [TEXT_COL]

    at.switch_page("pages/segment.py").run()
    _assert_shown_as_text(at, "segment")
    assert any(LABEL_COL in unmd(s.value) for s in at.subheader)

    at.switch_page("pages/segments.py").run()
    _assert_shown_as_text(at, "segments")
    cards = " ".join(h.value for h in at.get("html"))
    assert "&lt;script&gt;" in cards and "&lt;img src=x onerror=alert(1)&gt;" in cards  # quoted, escaped
    # The categorical trait's makeup chart is drawn, its values (the payloads) escaped for plotly.
    categories = {str(y) for chart in at.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]
                  if trace.get("type") == "bar" for y in trace.get("y", [])}
    assert {html.escape(x, quote=False) for x in XSS[:2]} <= categories, categories
    assert not categories & set(XSS[:2])
    # A typed segment name with markup is a name, not markup.
    run_key = at.session_state["sk_last"]["run_key"]
    at.text_input(key=f"segs_name_{run_key[:8]}_0").set_value(XSS[1] + " fans").run()
    _assert_shown_as_text(at, "segments after rename")
    assert at.session_state["sk_edits"][run_key]["names"][0] == XSS[1] + " fans"

    at.switch_page("pages/explore.py").run()
    _assert_shown_as_text(at, "explore")
    assert any(XSS[1] + " fans" in o for o in at.multiselect(key=f"exp_filter_{run_key[:8]}").options)

    at.switch_page("pages/compare.py").run()
    at.text_input[0].set_value(XSS[2] + " run A")
    at.form_submit_button(key="cmp_save_submit").click().run()
    at.switch_page("pages/segment.py").run()
    at.toggle(key="seg_auto_k").set_value(False).run()
    at.slider(key="seg_kmeans_k").set_value(4).run()
    at.switch_page("pages/compare.py").run()
    at.text_input[0].set_value(XSS[0] + " run B")
    at.form_submit_button(key="cmp_save_submit").click().run()
    _assert_shown_as_text(at, "compare")
    assert [r.name for r in at.session_state["sk_saved"]] == [XSS[2] + " run A", XSS[0] + " run B"]
    assert metric(at, "Agreement (ARI)")
    assert any(XSS[2] + " run A" in unmd(c.value) for c in at.caption)  # named in the caption, escaped

    at.switch_page("pages/export.py").run()
    _assert_shown_as_text(at, "export")
    preview = at.dataframe[-1].value
    assert TEXT_COL in preview.columns and preview[USER_COL].str.startswith(tuple(XSS)).all()

    at.switch_page("pages/recommend.py").run()
    _assert_shown_as_text(at, "recommend")
    assert any(at.session_state["sk_dataset"].name in unmd(m.value) for m in at.markdown)
    # An interactions file whose name is markup and that cannot be read: the error names it as text.
    at.file_uploader(key="rec_interactions").set_value((f"{XSS[2]}.csv", b"", "text/csv")).run()
    _assert_shown_as_text(at, "recommend, bad interactions")
    assert errors(at) == [f"'{XSS[2]}.csv' is empty (0 bytes)."]
    # Interactions with markup in user and item ids: a table, and names as text.
    users = _markup_frame()[USER_COL].unique()
    inter = pd.DataFrame([{"user_id": u, "item_id": f"{XSS[i % 3]} item {i % 7}", "timestamp": i}
                          for i, u in enumerate(np.repeat(users, 4))])
    at.file_uploader(key="rec_interactions").set_value(("inter.csv", csv_bytes(inter), "text/csv")).run()
    _assert_shown_as_text(at, "recommend, interactions")
    assert not at.error, errors(at)
    items = [v for frame in at.dataframe for column in frame.value.columns for v in frame.value[column].astype(str)]
    assert any(v.startswith(tuple(XSS)) and " item " in v for v in items)  # item ids arrive as plain cells


# --------------------------------------------------------- sessions never share their data


def test_two_sessions_keep_their_own_uploads_settings_and_edits():
    frame_a = make_reviews(30, 2, seed=1)
    frame_b = make_reviews(45, 2, seed=2)
    frame_b["user_id"] = "B-" + frame_b["user_id"]
    a = data_page({"auto_k": False, "params": {"kmeans": {"k": 3}}})
    b = data_page({"auto_k": False, "params": {"kmeans": {"k": 5}}})
    upload(a, "a.csv", csv_bytes(frame_a))
    upload(b, "b.csv", csv_bytes(frame_b))
    for at in (a, b):
        keep_settings(at)  # each session takes its own K over to its new file
        no_exception(at)
        at.switch_page("pages/overview.py").run()
        no_exception(at)
    assert (a.session_state["sk_dataset"].name, b.session_state["sk_dataset"].name) == ("a.csv", "b.csv")
    assert (metric(a, "Segments"), metric(b, "Segments")) == ("3", "5")

    # A changes K and renames a segment; B, run after, is unchanged.
    a.switch_page("pages/segment.py").run()
    a.slider(key="seg_kmeans_k").set_value(4).run()
    no_exception(a)
    a.switch_page("pages/segments.py").run()
    run_a = a.session_state["sk_last"]["run_key"]
    a.text_input(key=f"segs_name_{run_a[:8]}_0").set_value("Only in A").run()
    b.run()
    no_exception(b)
    assert metric(b, "Segments") == "5"
    assert b.session_state["sk_last"]["k"] == 5 and b.session_state["sk_settings"]["params"]["kmeans"]["k"] == 5
    assert run_a not in b.session_state["sk_edits"]

    # Each export holds its own rows only.
    for at, frame, k in ((a, frame_a, 4), (b, frame_b, 5)):
        at.switch_page("pages/export.py").run()
        no_exception(at)
        exported = pd.read_csv(io.StringIO(at.session_state["out_labeled_csv"].decode("utf-8-sig")))
        assert exported["user_id"].tolist() == frame["user_id"].tolist()
        assert exported["segment_id"].nunique() == k
    names_a = set(pd.read_csv(io.StringIO(a.session_state["out_labeled_csv"].decode("utf-8-sig")))["segment_name"])
    names_b = set(pd.read_csv(io.StringIO(b.session_state["out_labeled_csv"].decode("utf-8-sig")))["segment_name"])
    assert "Only in A" in names_a and "Only in A" not in names_b


# ------------------------------------------------------------------ in a real browser

from tests.test_browser import app_url, browser, main, metric_value, page, wait_idle  # noqa: E402,F401

RAGGED = UNREADABLE[5]
assert RAGGED[0] == "ragged.csv"


def _browser_upload(tab, name: str, data: bytes) -> None:
    tab.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data})


def _open_data_page(tab, url: str) -> None:
    tab.goto(f"{url}/data")
    main(tab).get_by_text("Validation report").wait_for(timeout=240_000)
    wait_idle(tab)


@pytest.mark.browser
def test_browser_broken_file_then_gbk_file(app_url, page):  # noqa: F811 - fixtures of test_browser.py
    _open_data_page(page, app_url)
    name, data, message = RAGGED
    _browser_upload(page, name, data)
    alert = main(page).locator('[data-testid="stAlertContentError"]').first
    alert.wait_for(timeout=120_000)
    wait_idle(page)
    assert alert.locator('[data-testid="stMarkdownContainer"]').inner_text().strip() == \
        f"{name} cannot be used: {message}"
    assert main(page).get_by_text(f"Still using {SAMPLE_NAME}.").count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0

    _browser_upload(page, "gbk.csv", csv_bytes(_zh_frame(), "gbk"))
    main(page).get_by_text("Current dataset: gbk.csv").wait_for(timeout=120_000)
    wait_idle(page)
    assert main(page).locator('[data-testid="stAlertContentError"]').count() == 0
    assert main(page).get_by_text("encoding gb18030 (detected)", exact=False).count() == 1
    assert metric_value(page, "Rows") == "24"
    assert main(page).get_by_text("评论").count() >= 1  # the Chinese column, readable, in the report
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not page.errors, page.errors


@pytest.mark.browser
def test_browser_two_sessions_on_one_server_see_only_their_own_data(app_url, browser):  # noqa: F811
    from tests.test_browser import VIEWPORT

    contexts = [browser.new_context(viewport=VIEWPORT) for _ in range(2)]
    try:
        pages = [context.new_page() for context in contexts]
        frames = [make_reviews(30, 2, seed=1), make_reviews(45, 2, seed=2)]
        for tab, name, frame in zip(pages, ("alpha.csv", "beta.csv"), frames, strict=True):
            _open_data_page(tab, app_url)
            _browser_upload(tab, name, csv_bytes(frame))
        for tab, name, users in zip(pages, ("alpha.csv", "beta.csv"), ("30", "45"), strict=True):
            main(tab).get_by_text(f"Current dataset: {name}").wait_for(timeout=120_000)
            wait_idle(tab)
            assert metric_value(tab, "Users") == users
        # A moves K by one on the Segment page; B, segmenting after it, keeps automatic K.
        k = []
        for tab in pages:
            tab.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="2 · Segment").click()
            main(tab).get_by_text("Quality").first.wait_for(timeout=240_000)
            wait_idle(tab)
            k.append(int(metric_value(tab, "Segments")))
        alpha = pages[0]
        main(alpha).get_by_text("Choose K automatically").click()
        wait_idle(alpha)
        slider = main(alpha).locator('[data-testid="stSlider"]').filter(has_text="K (number of segments)")
        slider.get_by_role("slider").focus()
        alpha.keyboard.press("ArrowRight")
        alpha.wait_for_function(
            "k => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].some(m => "
            "m.innerText.startsWith('Segments') && m.innerText.includes(String(k)))", arg=k[0] + 1,
            timeout=120_000)
        wait_idle(alpha)
        beta = pages[1]  # runs again after A's change (same session: navigation, not a reload)
        beta.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Overview").click()
        main(beta).get_by_text("The segments", exact=True).wait_for(timeout=240_000)
        wait_idle(beta)
        assert int(metric_value(alpha, "Segments")) == k[0] + 1
        assert int(metric_value(beta, "Segments")) == k[1]
        for tab, mine, other in ((alpha, "alpha.csv", "beta.csv"), (beta, "beta.csv", "alpha.csv")):
            sidebar = tab.locator('[data-testid="stSidebar"]').inner_text()
            assert mine in sidebar and other not in sidebar
        assert "(automatic)" in beta.locator('[data-testid="stSidebar"]').inner_text()
        assert "(automatic)" not in alpha.locator('[data-testid="stSidebar"]').inner_text()
    finally:
        for context in contexts:
            context.close()
