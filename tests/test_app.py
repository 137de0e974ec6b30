"""The Streamlit dashboard, driven headless with streamlit.testing.v1.AppTest.

Fast on purpose: TF-IDF only, PCA maps (SEGKIT_MAP_METHOD=pca: no UMAP compile), small
generated frames for the smoke tests and the bundled sample for the scripted flow.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import make_reviews

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
SAMPLE = ROOT / "sample_data" / "store_reviews.csv"
PAGES = ["pages/overview.py", "pages/data.py", "pages/segment.py", "pages/explore.py", "pages/segments.py",
         "pages/compare.py", "pages/export.py"]
TIMEOUT = 300


@pytest.fixture(autouse=True)
def _fast_env(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("SEGKIT_MAP_METHOD", "pca")
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "segkit-cache"))


def _dataset(frame: pd.DataFrame, name: str = "reviews.csv"):
    """A Dataset as the Data page would make it from an upload of `frame`."""
    from dashboard.state import Dataset
    from segkit.io import infer_roles, read_table

    data = frame.to_csv(index=False).encode("utf-8")
    loaded = read_table(data, name)
    return Dataset(name, f"test-{abs(hash(data))}", loaded, infer_roles(loaded.frame), False, len(data))


def _app(frame: pd.DataFrame | None = None, settings: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if frame is not None:
        at.session_state["sk_dataset"] = _dataset(frame)
    if settings:
        from dashboard.state import DEFAULT_SETTINGS

        at.session_state["sk_settings"] = json.loads(json.dumps({**DEFAULT_SETTINGS, **settings}))
    return at


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metric(at: AppTest, label: str) -> str:
    for metric in at.metric:
        if metric.label == label:
            return metric.value
    raise AssertionError(f"no metric {label!r}; have {[m.label for m in at.metric]}")


# ------------------------------------------------------------------------------- smoke


def test_every_page_runs_on_a_small_frame():
    at = _app(make_reviews(n_users=45, reviews_per_user=2))
    at.run()
    _no_errors(at)
    for page in PAGES[1:]:
        at.switch_page(page).run()
        _no_errors(at)
        assert at.title, page
    sidebar = " ".join(m.value for m in at.sidebar.markdown) + " ".join(c.value for c in at.sidebar.caption)
    assert "Current dataset" in sidebar and "Noise policy" in sidebar


def test_every_page_runs_with_a_density_method_and_shows_the_noise_policy():
    settings = {"algorithm": "hdbscan", "reducer": "pca", "reducer_params": {"pca": {"n_components": 5}},
                "params": {"hdbscan": {"min_cluster_size": 5}}, "noise_policy": "keep"}
    at = _app(make_reviews(n_users=45, reviews_per_user=2), settings)
    at.run()
    _no_errors(at)
    for page in PAGES[1:]:
        at.switch_page(page).run()
        _no_errors(at)
        captions = " ".join(c.value for c in at.caption) + " ".join(c.value for c in at.sidebar.caption)
        assert "Unassigned" in captions or "unassigned" in captions or "reassign" in captions, page
    # the export keeps every row and says what happened to outliers
    csv = at.session_state["out_labeled_csv"].decode("utf-8-sig")
    exported = pd.read_csv(io.StringIO(csv))
    assert len(exported) == 90
    at.switch_page("pages/segment.py").run()
    assert any(r.label.startswith("Noise policy") for r in at.radio)
    at.radio(key="seg_noise_policy").set_value("reassign").run()
    _no_errors(at)
    assert _metric(at, "Noise share") == "0.0%"


def test_app_opens_on_the_sample_with_named_segments():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    _no_errors(at)
    dataset = at.session_state["sk_dataset"]
    assert dataset.is_sample and len(dataset.frame) == 6197
    assert int(_metric(at, "Segments")) >= 3
    html = " ".join(h.value for h in at.html)
    assert "Kids" in html or "kids" in html  # automatic names come from keywords


# ------------------------------------------------------------------------------- flows


def test_sample_flow_change_k_edit_and_export_every_row():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/segment.py").run()
    _no_errors(at)
    auto_k = int(_metric(at, "Segments"))
    silhouette = _metric(at, "Silhouette")
    assert "ARI" in [m.label for m in at.metric]  # the sample maps true_segment as a label column

    # K-means with a chosen K: switch automatic K off, then move K.
    at.toggle(key="seg_auto_k").set_value(False).run()
    _no_errors(at)
    assert at.slider(key="seg_kmeans_k").value == auto_k
    new_k = 4 if auto_k != 4 else 5
    at.slider(key="seg_kmeans_k").set_value(new_k).run()
    _no_errors(at)
    assert int(_metric(at, "Segments")) == new_k
    assert _metric(at, "Silhouette") != silhouette
    last = at.session_state["sk_last"]
    assert last["k"] == new_k and not last["auto_k"]

    # Rename one segment and merge two others on the Segments page.
    at.switch_page("pages/segments.py").run()
    _no_errors(at)
    run_key = at.session_state["sk_last"]["run_key"]
    name_box = at.text_input(key=f"segs_name_{run_key[:8]}_0")
    name_box.set_value("Bargain families").run()
    _no_errors(at)
    at.multiselect(key="segs_merge_pick").set_value([1, 2])
    at.form_submit_button(key="segs_merge_submit").click().run()
    _no_errors(at)
    edits = at.session_state["sk_edits"][run_key]
    assert edits["merges"] == [[1, 2]] and edits["names"][0] == "Bargain families"

    # Export: every uploaded row, with the edits.
    at.switch_page("pages/export.py").run()
    _no_errors(at)
    exported = pd.read_csv(io.StringIO(at.session_state["out_labeled_csv"].decode("utf-8-sig")),
                           dtype={"review_id": str})
    source = pd.read_csv(SAMPLE, dtype={"review_id": str})
    assert len(exported) == len(source) == 6197
    assert exported["review_id"].tolist() == source["review_id"].tolist()
    assert exported["segment_id"].dropna().nunique() == new_k - 1
    assert "Bargain families" in set(exported["segment_name"])
    not_ok = exported["segkit_status"] != "ok"
    assert not_ok.sum() >= source["review_text"].isna().sum()  # empty texts are marked, not dropped
    labels = [b.label for b in at.download_button]
    assert any("labeled rows" in label for label in labels)
    assert any("segment dictionary" in label for label in labels)
    assert _metric(at, "Rows in the export") == "6,197"
    # The audience file: one row per user, the edited names; the config carries the edits.
    assert any("audience" in label for label in labels)
    memo = at.session_state["sk_memo"]
    audience_csv = next(v for k, v in memo.items() if k.startswith("export|audience_False|"))
    audience = pd.read_csv(io.StringIO(audience_csv.decode("utf-8-sig")))
    assert len(audience) == source[[c for c in source.columns if c == "user_id"][0]].nunique()
    assert "Bargain families" in set(audience["segment_name"])
    config_json = next(v for k, v in memo.items() if k.startswith("export|config|"))
    assert json.loads(config_json)["edits"]["names"]["0"] == "Bargain families"


def test_compare_two_saved_runs():
    at = _app(make_reviews(n_users=60, reviews_per_user=2), {"auto_k": False, "params": {"kmeans": {"k": 3}}})
    at.run()
    at.switch_page("pages/compare.py").run()
    _no_errors(at)
    at.form_submit_button(key="cmp_save_submit").click().run()
    at.switch_page("pages/segment.py").run()
    at.slider(key="seg_kmeans_k").set_value(4).run()
    _no_errors(at)
    at.form_submit_button(key="seg_save_submit").click().run()
    at.switch_page("pages/compare.py").run()
    _no_errors(at)
    assert len(at.session_state["sk_saved"]) == 2
    ari = float(_metric(at, "Agreement (ARI)"))
    assert -0.5 <= ari <= 1.0
    assert len(at.get("plotly_chart")) >= 2  # heatmap and Sankey


# ------------------------------------------------------------------------------- uploads


PAYLOADS = [
    "<script>alert('x')</script> the charger died after two days and the battery is useless",
    '<img src="http://127.0.0.1:9/p.png" onerror="alert(1)"> battery charger cable broke',
    "![tracker](http://127.0.0.1:9/track.png) the battery charger cable is great value",
    "**bold** [click](javascript:alert(1)) :red[coloured] $x^2$ battery charger {n}",
]


def _payload_frame() -> pd.DataFrame:
    rows = []
    for user in range(24):
        for review in range(2):
            n = user * 2 + review
            if user % 2 == 0:
                text = PAYLOADS[(user // 2 + review) % len(PAYLOADS)] + f" order {n}"
            else:
                text = f"the running shoes have great grip on the trail after {n} km, knee feels fine"
            rows.append({"user_id": f"<b>U{user:02d}</b>", "review": text, "spend": 10 * user})
    return pd.DataFrame(rows)


def test_upload_with_markup_is_shown_as_text():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/data.py")
    at.run()
    data = _payload_frame().to_csv(index=False).encode("utf-8")
    at.file_uploader(key="data_upload").set_value(("![evil](http://127.0.0.1:9/x).csv", data, "text/csv")).run()
    _no_errors(at)
    assert at.session_state["sk_dataset"].name.startswith("![evil]")
    for page in PAGES:
        at.switch_page(page).run()
        _no_errors(at)
        for element in [*at.markdown, *at.caption, *at.sidebar.markdown, *at.sidebar.caption, *at.subheader]:
            text = element.value
            assert "![evil](" not in text and "![tracker](" not in text, (page, text)
            assert "<script" not in text and "<img" not in text, (page, text)
        for block in at.html:
            assert "<script" not in block.value and "<img" not in block.value, (page, block.value[:200])
    at.switch_page("pages/segments.py").run()
    shown = " ".join(h.value for h in at.html)
    assert "&lt;script&gt;" in shown or "&lt;img" in shown or "![tracker]" in shown
    # and back to the sample in one click
    at.switch_page("pages/data.py").run()
    at.button(key="data_use_sample").click().run()
    _no_errors(at)
    assert at.session_state["sk_dataset"].is_sample


def test_bad_files_get_a_message_not_a_traceback():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/data.py")
    at.run()
    before = at.session_state["sk_dataset"].name
    for name, data in [("broken.parquet", b"PAR1 definitely not parquet"),
                       ("empty.csv", b""),
                       ("numbers.csv", b"a,b\n1,2\n3,4\n"),
                       ("binary.xlsx", bytes(range(256)) * 4)]:
        at.file_uploader(key="data_upload").set_value((name, data, "application/octet-stream")).run()
        assert not at.exception, (name, [e.value for e in at.exception])
        assert at.error, name
    assert at.session_state["sk_dataset"].name in (before, "numbers.csv")


def test_roles_can_be_changed_on_the_data_page():
    frame = make_reviews(n_users=30, reviews_per_user=2)
    at = _app(frame)
    at.switch_page("pages/data.py")
    at.run()
    dataset = at.session_state["sk_dataset"]
    suffix = dataset.key[:10]
    assert at.multiselect(key=f"data_numeric_{suffix}").value == ["age", "spend"]
    at.multiselect(key=f"data_numeric_{suffix}").set_value(["age"])
    at.form_submit_button(key=f"data_apply_{suffix}").click().run()
    _no_errors(at)
    roles = at.session_state["sk_dataset"].roles
    assert roles.numeric_cols == ("age",) and "spend" in roles.ignored
    # An impossible choice (no text and no traits; traits alone segment, issue #18 item 5)
    # is refused with a message, keeping the previous roles.
    suffix = at.session_state["sk_dataset"].key[:10]
    for key in ("data_text", "data_numeric", "data_categorical"):
        at.multiselect(key=f"{key}_{suffix}").set_value([])
    at.form_submit_button(key=f"data_apply_{suffix}").click().run()
    assert not at.exception
    assert at.error
    assert at.session_state["sk_dataset"].roles.text_cols == ("review",)


def test_edits_module_round_trip():
    from segkit.edits import apply_merges, merge_segments, names_after_merges, rename_segment

    labels = np.array([0, 1, 2, 2, -1, -2, 1])
    merged = merge_segments(labels, [2, 1])
    assert merged.tolist() == [0, 1, 1, 1, -1, -2, 1]
    assert apply_merges(labels, [[1, 2], [2, 0]]).tolist() == [0, 1, 1, 1, -1, -2, 1]
    assert names_after_merges({1: "a", 2: "b"}, [[1, 2]]) == {1: "a"}
    with pytest.raises(ValueError):
        rename_segment({}, 0, "Taken", {0: "Zero", 1: "taken"})
    assert rename_segment({0: "x"}, 0, "  ") == {}


def test_embedder_choice_shows_cost_first_and_embeds_once(fake_embedder):
    at = _app(make_reviews(n_users=40, reviews_per_user=2))
    at.switch_page("pages/segment.py")
    at.run()
    _no_errors(at)
    assert "fake" in at.selectbox(key="seg_embedder_choice").options
    at.selectbox(key="seg_embedder_choice").set_value("fake").run()
    _no_errors(at)
    assert fake_embedder.calls == 0  # choosing only shows the cost
    assert any("Expected time" in c.value for c in at.caption)
    at.button(key="seg_embed_apply").click().run()
    _no_errors(at)
    # A slow embedder runs in the background behind the TF-IDF preview, then takes over.
    deadline = time.time() + 60
    while at.session_state["sk_last"]["embedder"] != "fake" and time.time() < deadline:
        time.sleep(0.2)
        at.run()
    assert fake_embedder.calls == 1
    assert at.session_state["sk_last"]["embedder"] == "fake"
    at.slider(key="seg_text_weight").set_value(0.5).run()  # re-cluster, no re-embedding
    at.selectbox(key="seg_embedder_choice").set_value("tfidf").run()
    at.button(key="seg_embed_apply").click().run()
    at.selectbox(key="seg_embedder_choice").set_value("fake").run()
    at.button(key="seg_embed_apply").click().run()
    _no_errors(at)
    assert fake_embedder.calls == 1  # once per dataset and embedder


@pytest.mark.parametrize("kind", ["parquet", "jsonl", "xlsx", "tsv"])
def test_uploads_in_every_format(kind, tmp_path):
    frame = make_reviews(n_users=30, reviews_per_user=2)
    path = tmp_path / f"reviews.{kind}"
    if kind == "parquet":
        frame.to_parquet(path)
    elif kind == "jsonl":
        frame.to_json(path, orient="records", lines=True)
    elif kind == "xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, sep="\t", index=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/data.py")
    at.run()
    at.file_uploader(key="data_upload").set_value((path.name, path.read_bytes(), "application/octet-stream")).run()
    _no_errors(at)
    dataset = at.session_state["sk_dataset"]
    assert dataset.name == path.name and len(dataset.frame) == 60
    assert _metric(at, "Users") == "30"
    at.switch_page("pages/overview.py").run()
    _no_errors(at)
    assert int(_metric(at, "Segments")) >= 2


def test_a_failing_embedder_gets_a_sentence_and_a_way_back(monkeypatch):
    from segkit.embed.registry import EMBEDDERS

    monkeypatch.setitem(EMBEDDERS, "broken", "tests.test_app:BrokenEmbedder")
    at = _app(make_reviews(n_users=30, reviews_per_user=2), {"embedder": "broken"})
    at.switch_page("pages/segment.py")
    deadline = time.time() + 30
    at.run()
    while not any("could not finish" in w.value for w in at.warning) and time.time() < deadline:
        time.sleep(0.2)
        at.run()
    assert not at.exception
    # The embedder runs behind the TF-IDF preview: its failure is one sentence, the preview stays.
    assert any("could not finish" in w.value and "RuntimeError" in w.value for w in at.warning)
    assert at.session_state["sk_last"]["embedder"] == "tfidf"
    at.selectbox(key="seg_embedder_choice").set_value("tfidf").run()
    at.button(key="seg_embed_apply").click().run()
    _no_errors(at)
    assert not any("could not finish" in w.value for w in at.warning)
    assert at.session_state["sk_last"]["embedder"] == "tfidf"


from segkit.embed.base import Embedder  # noqa: E402


class BrokenEmbedder(Embedder):
    name = "broken"
    description = "always fails"

    def embed(self, texts, progress=None):
        raise RuntimeError("model files are missing")
