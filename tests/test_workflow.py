"""Every step does what the user expects (issue 15 items 1, 2 and 4), the way a user meets it.

A new file starts from the default settings (with the old ones offered), deltas compare
runs of the same data, names carry over to the segments that are mostly the same users,
the Recommend page uses the edited run, and the controls and charts say true things.
"""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from segkit.edits import carry_names
from tests.conftest import make_reviews

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TIMEOUT = 300


@pytest.fixture(autouse=True)
def _fast_env(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("SEGKIT_MAP_METHOD", "pca")
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "segkit-cache"))


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _upload(at: AppTest, name: str, frame: pd.DataFrame) -> AppTest:
    data = frame.to_csv(index=False).encode("utf-8")
    at.file_uploader(key="data_upload").set_value((name, data, "text/csv")).run()
    return at


def _app_on_data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/data.py")
    at.run()
    _no_exception(at)
    return at


# ---------------------------------------------------------------- 1: a new file starts from the defaults


def test_a_new_file_starts_from_the_defaults_and_offers_the_old_settings():
    from dashboard.state import DEFAULT_SETTINGS

    at = _app_on_data_page()
    at.switch_page("pages/segment.py").run()
    at.selectbox(key="seg_algorithm").set_value("agglomerative").run()
    at.toggle(key="seg_auto_k").set_value(False).run()
    at.slider(key="seg_agglomerative_k").set_value(7).run()
    _no_exception(at)
    assert at.session_state["sk_settings"]["algorithm"] == "agglomerative"

    at.switch_page("pages/data.py").run()
    _upload(at, "second.csv", make_reviews(n_users=40, reviews_per_user=2, seed=5))
    _no_exception(at)
    assert at.session_state["sk_settings"] == json.loads(json.dumps(DEFAULT_SETTINGS))
    assert any("starts from the default settings" in i.value for i in at.info)
    at.switch_page("pages/segment.py").run()
    _no_exception(at)
    assert at.selectbox(key="seg_algorithm").value == "kmeans" and at.toggle(key="seg_auto_k").value is True
    # No delta against the other file's run: the metrics have none on the first run of this file.
    assert not any(m.delta for m in at.metric), [(m.label, m.delta) for m in at.metric]

    at.button(key="sk_keep_settings").click().run()  # "use the settings from the sample instead"
    _no_exception(at)
    assert at.session_state["sk_settings"]["algorithm"] == "agglomerative"
    assert at.selectbox(key="seg_algorithm").value == "agglomerative"
    assert at.session_state["sk_last"]["k"] == 7


def test_a_failed_upload_says_so_in_the_sidebar():
    at = _app_on_data_page()
    at.file_uploader(key="data_upload").set_value(("broken.xlsx", b"not a workbook", "application/x")).run()
    _no_exception(at)
    warnings = [w.value for w in at.sidebar.warning]
    assert any("broken" in w and "failed" in w and "still using" in w for w in warnings), warnings
    at.switch_page("pages/overview.py").run()  # still there on other pages, until a file loads
    assert any("failed" in w.value for w in at.sidebar.warning)
    at.switch_page("pages/data.py").run()
    _upload(at, "good.csv", make_reviews(n_users=30, reviews_per_user=2))
    assert not [w.value for w in at.sidebar.warning if "failed" in w.value]


# ---------------------------------------------------------------- 2: edits follow the segments


def test_carry_names_goes_to_mostly_the_same_users_only():
    old = np.array([0] * 10 + [1] * 10 + [2] * 10 + [-2] * 3)
    new = old.copy()
    new[:2] = 1  # segment 0 keeps 8 of 10 users: Jaccard 0.8
    new[20:30] = 0  # segment 2's users join 0: old 0 and 2 both point at new 0
    carried = carry_names(old, {0: "Runners", 2: "Cooks", 1: "Gamers"}, new)
    assert carried[1] == "Gamers"  # 10 old + 2 new: 10/12
    # new 0 = 8 of old 0 + all of old 2 (18 users): best match old 2 (10/18) and mutual.
    assert carried == {1: "Gamers", 0: "Cooks"}
    reshuffled = np.random.default_rng(0).permutation(old)
    assert carry_names(old, {0: "Runners"}, reshuffled) == {}  # nothing is mostly the same users
    assert carry_names(old, {0: "Runners"}, old[:-1]) == {}  # other users: nothing to carry


def test_names_follow_a_slider_move_and_recommend_uses_the_edited_run():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    from dashboard.state import DEFAULT_SETTINGS

    at.session_state["sk_settings"] = {**json.loads(json.dumps(DEFAULT_SETTINGS)),
                                       "auto_k": False, "params": {"kmeans": {"k": 6}}}
    at.switch_page("pages/segment.py").run()  # the controls store every parameter of the method
    at.switch_page("pages/segments.py").run()
    _no_exception(at)
    run_key = at.session_state["sk_last"]["run_key"]
    at.text_input(key=f"segs_name_{run_key[:8]}_0").set_value("Loyal families").run()
    _no_exception(at)
    at.switch_page("pages/segment.py").run()
    at.slider(key="seg_kmeans_k").set_value(5).run()  # a new run of the same data
    _no_exception(at)
    at.switch_page("pages/segments.py").run()
    _no_exception(at)
    new_key = at.session_state["sk_last"]["run_key"]
    assert new_key != run_key
    notes = [i.value for i in at.info]
    assert any("carried over from your earlier run" in n for n in notes), notes
    assert "Loyal families" in at.session_state["sk_edits"][new_key]["names"].values()
    # Recommend lists the edited names, not the automatic ones.
    users = pd.read_csv(ROOT / "sample_data" / "store_reviews.csv", usecols=["user_id", "product_category"])
    interactions = pd.DataFrame({"user_id": users["user_id"], "item_id": users["product_category"],
                                 "rating": 5})
    at.switch_page("pages/recommend.py").run()
    _no_exception(at)
    at.file_uploader(key="rec_interactions").set_value(
        ("interactions.csv", interactions.to_csv(index=False).encode(), "text/csv")).run()
    _no_exception(at)
    segment_box = next(box for box in at.selectbox if box.label == "Segment")
    shown = list(segment_box.options)  # as displayed: "id · name"
    assert any("Loyal families" in str(option) for option in shown), shown
    # Back to the earlier settings: the old run comes back with its own edits.
    at.switch_page("pages/segments.py").run()
    at.button(key="segs_back").click().run()
    _no_exception(at)
    assert at.session_state["sk_last"]["run_key"] == run_key and at.session_state["sk_last"]["k"] == 6
    assert at.session_state["sk_edits"][run_key]["names"][0] == "Loyal families"


# ---------------------------------------------------------------- 4: controls and honest numbers


def test_min_cluster_size_is_log_spaced_and_density_moves_wait_for_apply():
    from dashboard.segment_controls import log_stops

    stops = log_stops(2, 1661, 37)
    assert stops[0] == 2 and stops[-1] == 1661 and 37 in stops
    assert sum(10 <= s <= 100 for s in stops) >= len(stops) / 3  # the useful range is a third of the track
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    from dashboard.state import DEFAULT_SETTINGS

    at.session_state["sk_settings"] = {**json.loads(json.dumps(DEFAULT_SETTINGS)), "algorithm": "hdbscan",
                                       "reducer": "pca", "params": {"hdbscan": {"min_cluster_size": 30}}}
    at.switch_page("pages/segment.py").run()
    _no_exception(at)
    before = at.session_state["sk_last"]["run_key"]
    at.select_slider(key="seg_hdbscan_min_cluster_size").set_value(15).run()
    assert at.session_state["sk_last"]["run_key"] == before  # a step alone re-runs nothing
    at.select_slider(key="seg_hdbscan_min_cluster_size").set_value(15)
    next(b for b in at.button if b.key == "seg_params_form_apply").click()
    at.run()
    _no_exception(at)
    assert at.session_state["sk_last"]["run_key"] != before
    assert at.session_state["sk_settings"]["params"]["hdbscan"]["min_cluster_size"] == 15


def test_sizes_chart_labels_are_horizontal_and_outside_and_capped():
    from segkit.plots import sizes_figure

    table = pd.DataFrame({"segment_id": range(40), "segment_name": [f"s{i}" for i in range(40)],
                          "size": np.arange(40, 0, -1) * 17, "share": np.arange(40, 0, -1) / 820})
    fig = sizes_figure(table)
    bar = fig.data[0]
    assert bar.textposition == "outside" and bar.textangle == 0
    assert len(bar.y) == 25 and "s0" in bar.y and "s39" not in bar.y
    assert any("15 smaller segments" in a.text for a in fig.layout.annotations)
    assert fig.layout.xaxis.range[1] >= 1.25 * table["size"].max()


def test_degenerate_data_gets_a_warning_not_silent_perfect_scores():
    texts = ["great product", "bad service", "fast delivery"]
    frame = pd.DataFrame({"user_id": [f"u{i}" for i in range(60)], "review": [texts[i % 3] for i in range(60)]})
    from dashboard.state import Dataset
    from segkit.io import ColumnRoles, read_table

    data = frame.to_csv(index=False).encode()
    loaded = read_table(data, "same.csv")  # texts this short are not inferred as text: mapped by hand
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["sk_dataset"] = Dataset("same.csv", "same-1", loaded,
                                             ColumnRoles(text_cols=("review",), user_col="user_id"), False, len(data))
    at.switch_page("pages/segment.py").run()
    _no_exception(at)
    assert any("distinct points among 60 users" in w.value for w in at.warning), [w.value for w in at.warning]


def test_noise_share_delta_is_in_percentage_points():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    from dashboard.state import DEFAULT_SETTINGS

    at.session_state["sk_settings"] = {**json.loads(json.dumps(DEFAULT_SETTINGS)), "algorithm": "hdbscan",
                                       "reducer": "pca", "params": {"hdbscan": {"min_cluster_size": 10}}}
    at.switch_page("pages/segment.py").run()
    at.select_slider(key="seg_hdbscan_min_cluster_size").set_value(60)
    next(b for b in at.button if b.key == "seg_params_form_apply").click()
    at.run()
    _no_exception(at)
    noise = next(m for m in at.metric if m.label == "Noise share")
    assert noise.delta, "min_cluster_size 10 -> 60 changes how many users are left unassigned"
    assert str(noise.delta).endswith(" pp") and "%" not in str(noise.delta)
    assert noise.value.endswith("%")


def _workbook_with_formulas(saved_values: bool) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["user_id", "review", "spend", "double"])
    for i in range(4):
        sheet.append([f"u{i}", f"text number {i}", i * 10, f"=C{i + 2}*2"])
    buffer = io.BytesIO()
    book.save(buffer)
    if not saved_values:
        return buffer.getvalue()
    # What Excel writes after a recalculation: each formula cell with its cached value.
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                for i in range(4):  # openpyxl writes an empty <v />; Excel writes the value
                    data = data.replace(f"<f>C{i + 2}*2</f><v />".encode(), f"<f>C{i + 2}*2</f><v>{i * 20}</v>".encode())
            target.writestr(item, data)
    return out.getvalue()


def test_xlsx_formula_cells_are_reported():
    from segkit.io.read import read_table

    never = read_table(_workbook_with_formulas(False), "f.xlsx")
    assert any("4 cell(s) held formulas with no saved value" in n for n in never.notes), never.notes
    assert never.frame["double"].isna().all()
    saved = read_table(_workbook_with_formulas(True), "f.xlsx")
    assert any("4 cell(s) held formulas; the values Excel last saved" in n for n in saved.notes), saved.notes
    assert [float(v) for v in saved.frame["double"]] == [0, 20, 40, 60]
    plain = pd.DataFrame({"user_id": ["a"], "review": ["x"]})
    buffer = io.BytesIO()
    plain.to_excel(buffer, index=False)
    assert not [n for n in read_table(buffer.getvalue(), "p.xlsx").notes if "formula" in n]


# ---------------------------------------------------------------- 3: Recommend evaluates without leaks


def test_recommend_page_is_leakage_free_by_default_with_a_cold_start_view():
    from dashboard.state import DEFAULT_SETTINGS

    frame = make_reviews(n_users=80, reviews_per_user=3, seed=7)
    rng = np.random.default_rng(0)
    frame["item_id"] = [f"i{rng.integers(0, 40)}" for _ in range(len(frame))]  # each review is of an item
    from dashboard.state import Dataset
    from segkit.io import infer_roles, read_table

    data = frame.to_csv(index=False).encode()
    loaded = read_table(data, "reviews.csv")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["sk_dataset"] = Dataset("reviews.csv", "rec-1", loaded, infer_roles(loaded.frame), False,
                                             len(data))
    at.session_state["sk_settings"] = {**json.loads(json.dumps(DEFAULT_SETTINGS)), "auto_k": False,
                                       "params": {"kmeans": {"k": 3}}}
    at.switch_page("pages/recommend.py").run()
    interactions = frame[["user_id", "item_id"]]
    at.file_uploader(key="rec_interactions").set_value(
        ("interactions.csv", interactions.to_csv(index=False).encode(), "text/csv")).run()
    _no_exception(at)
    assert not at.error, [e.value for e in at.error]
    said = [s.value for s in at.success] + [w.value for w in at.warning]
    # The text table ties each review to its item: segments re-fitted on training text only.
    assert any("Leakage-free" in s or "leakage-free" in s for s in said), said
    assert not any("optimistic" in w.value.lower() for w in at.warning)
    assert [t.label for t in at.tabs][:3] == ["New users (sign-up review only)", "Thin history (1-2 training items)",
                                             "Warm users (full history)"]
    verdicts = [re.sub(r"\\(.)", r"\1", m.value) for m in at.markdown]  # md() escapes punctuation
    assert any("new (cold-start) users" in v for v in verdicts), verdicts


def test_recommend_page_labels_an_evaluation_it_cannot_make_leakage_free_optimistic():
    from dashboard.state import DEFAULT_SETTINGS

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)  # the sample: its reviews name no item
    at.session_state["sk_settings"] = {**json.loads(json.dumps(DEFAULT_SETTINGS)), "auto_k": False,
                                       "params": {"kmeans": {"k": 4}}}
    users = pd.read_csv(ROOT / "sample_data" / "store_reviews.csv", usecols=["user_id", "product_category"])
    interactions = pd.DataFrame({"user_id": users["user_id"], "item_id": users["product_category"]})
    at.switch_page("pages/recommend.py").run()
    at.file_uploader(key="rec_interactions").set_value(
        ("interactions.csv", interactions.to_csv(index=False).encode(), "text/csv")).run()
    _no_exception(at)
    warnings = [w.value for w in at.warning]
    assert any("optimistic" in w.lower() for w in warnings), warnings


# ---------------------------------------------------------------- the map at scale (issue 16 item 5)


def test_map_sample_keeps_every_segment_and_its_share():
    from segkit.plots import map_sample

    labels = np.array([0] * 9000 + [1] * 900 + [2] * 90 + [3] * 10)
    drawn = map_sample(labels, 1000, seed=0)
    assert len(drawn) <= 1003 and (np.diff(drawn) > 0).all()
    counts = np.bincount(labels[drawn])
    assert counts.tolist() == [900, 90, 9, 1]  # each segment in proportion, the smallest still there
    assert (map_sample(labels, 1000, seed=0) == drawn).all()  # seeded: the same points every rerun
    assert len(map_sample(labels[:500], 1000)) == 500  # below the cap every user is drawn


def test_explore_says_when_the_map_is_a_sample(monkeypatch):
    import segkit.plots

    monkeypatch.setattr(segkit.plots, "MAP_POINTS", 300)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/explore.py").run()
    _no_exception(at)
    captions = [c.value for c in at.caption]
    assert any("The map draws" in c and "of the 1,999 users" in c for c in captions), captions
    chart = at.get("plotly_chart")[0]
    figure = json.loads(chart.proto.spec)
    def points(values) -> int:  # plotly may send arrays typed: {"dtype": "f4", "bdata": base64}
        if isinstance(values, dict):
            return len(base64.b64decode(values["bdata"])) // np.dtype(values["dtype"]).itemsize
        return len(values)

    drawn = sum(points(trace.get("x", [])) for trace in figure["data"])
    assert 290 <= drawn <= 310, drawn


def test_the_recommend_page_writes_the_model_file_only_when_it_is_downloaded(monkeypatch, tmp_path):
    """Compressing the model took ~2 s on every run of the page; now the download builds it on
    click. The page runs without writing it, and the deferred file is the model, loadable."""
    import dashboard.recommend_sections as sections
    from segkit.model import load_model

    written = []
    real_save = sections.save_model
    monkeypatch.setattr(sections, "save_model", lambda *a, **k: written.append(a) or real_save(*a, **k))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    from tests.test_app import _dataset

    at.session_state["sk_dataset"] = _dataset(make_reviews(n_users=60, seed=9))
    at.switch_page("pages/recommend.py").run()
    _no_exception(at)
    assert written == []
    from segkit.config import RunConfig
    from segkit.io import infer_roles
    from segkit.model import fit_model
    from segkit.pipeline import run_segmentation

    frame = make_reviews(n_users=60, seed=9)
    run = run_segmentation(frame, RunConfig(roles=infer_roles(frame), algorithm_params={"k": 3}), with_map=False)
    model = fit_model(run, frame)
    data = sections._model_file(model)()
    assert len(written) == 1 and "arrays_sha256" not in model.meta  # the page's model is left as it was
    (tmp_path / "m.npz").write_bytes(data)
    loaded = load_model(tmp_path / "m.npz")
    assert loaded.meta["n_segments"] == 3 and np.array_equal(loaded.arrays["centroids"], model.arrays["centroids"])
