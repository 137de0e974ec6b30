"""The History page under AppTest: runs saved in one session are listed, reopened, compared and
deleted in a fresh one (a server restart keeps nothing but the database); segments over time."""

from __future__ import annotations

import numpy as np
import pytest

from segkit.store import RunStore
from tests.conftest import make_reviews
from tests.test_app import _app, _dataset, _no_errors
from tests.test_store import make_record
from tests.test_timeline import planted

pytest.importorskip("streamlit")


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("SEGKIT_DB_URL", url)
    monkeypatch.setenv("SEGKIT_MAP_METHOD", "pca")
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path / "cache"))
    return url


def _history(at):
    at.switch_page("pages/history.py").run()
    _no_errors(at)
    return at


def test_runs_saved_in_the_dashboard_survive_a_restart(db_url):
    at = _app(make_reviews(n_users=60, reviews_per_user=2), {"auto_k": False, "params": {"kmeans": {"k": 3}}})
    at.run()
    at.switch_page("pages/compare.py").run()
    at.form_submit_button(key="cmp_save_submit").click().run()
    _no_errors(at)
    with RunStore(db_url) as store:
        listed = store.list()
        assert len(listed) == 1 and listed.loc[0, "source"] == "dashboard" and listed.loc[0, "n_segments"] == 3
        saved = store.get(int(listed.loc[0, "id"]))
    assert saved.n_users == 60 and (saved.labels >= 0).sum() == 60 and len(saved.summary) == 3
    assert saved.dataset_hash == at.session_state["sk_dataset"].key

    fresh = _history(_app())  # a new session: nothing in st.session_state
    table = fresh.dataframe[0].value
    assert table["Name"].tolist() == [saved.name] and table["Users"].tolist() == [60]
    assert "not loaded" in " ".join(c.value for c in fresh.caption)  # the sample is loaded, not this data
    assert len(fresh.dataframe) >= 2  # the stored summary
    fresh.button(key="hist_to_compare").click().run()
    assert len(fresh.session_state["sk_saved"]) == 1
    assert fresh.session_state["sk_saved"][0].user_labels.tolist() == saved.labels.tolist()


def test_compare_and_delete_stored_runs(db_url):
    with RunStore(db_url) as store:
        first = store.save(make_record(1))
        other = make_record(2)
        shuffled = np.array(other.labels)
        shuffled[1:10] = (shuffled[1:10] + 1) % 3
        second = store.save(other.__class__(**{**other.__dict__, "labels": shuffled, "name": "run 2"}))
        store.save(make_record(3, n_users=20))
    at = _history(_app())
    assert len(at.dataframe[0].value) == 3
    at.selectbox(key="hist_a").set_value(first).run()
    at.selectbox(key="hist_b").set_value(second).run()
    _no_errors(at)
    ari = float(next(m.value for m in at.metric if m.label == "Agreement (ARI)"))
    assert 0.3 < ari < 1.0
    assert len(at.get("plotly_chart")) >= 2  # heatmap and Sankey
    at.selectbox(key="hist_b").set_value(first + 2).run()
    assert any("different users" in w.value for w in at.warning)

    at.multiselect(key="hist_delete").set_value([first]).run()
    at.button(key="hist_delete_btn").click().run()
    _no_errors(at)
    with RunStore(db_url) as store:
        assert sorted(store.list()["id"]) == [second, first + 2]
    assert len(at.dataframe[0].value) == 2


def test_broken_database_is_one_message(tmp_path, monkeypatch):
    path = tmp_path / "runs.db"
    path.write_bytes(b"not sqlite" * 10)
    monkeypatch.setenv("SEGKIT_DB_URL", f"sqlite:///{path}")
    at = _app()
    at.run()
    at.switch_page("pages/history.py").run()
    assert not at.exception
    assert any("not an SQLite database" in e.value for e in at.error)
    assert path.read_bytes() == b"not sqlite" * 10


def test_segments_over_time_tab(db_url):
    frame = planted().drop(columns="topic")
    with RunStore(db_url) as store:
        store.save(make_record())
    at = _app(None, {"auto_k": False, "params": {"kmeans": {"k": 4}}})
    at.session_state["sk_dataset"] = _dataset(frame, "planted.csv")
    _history(at)
    at.toggle(key="hist_time_on").set_value(True).run()
    _no_errors(at)
    assert at.selectbox(key="hist_time_col").value == "ts"
    charts = at.get("plotly_chart")
    assert len(charts) >= 2  # sizes over time and the movers' Sankey
    texts = " ".join(i.value for i in at.info) + " ".join(w.value for w in at.warning)
    assert "grew" in texts  # the gamers' segment: 10% -> 30%
    assert "50 users in both periods" in " ".join(c.value for c in at.caption)


def test_reopen_with_the_runs_settings_and_edits(db_url):
    frame = make_reviews(n_users=60, reviews_per_user=2)
    at = _app(frame, {"auto_k": False, "params": {"kmeans": {"k": 3}}})
    at.run()
    at.switch_page("pages/segment.py").run()  # its widgets fill in every parameter, as for a real analyst
    at.switch_page("pages/segments.py").run()
    run_key = at.session_state["sk_last"]["run_key"]
    at.text_input(key=f"segs_name_{run_key[:8]}_0").set_value("Night owls").run()
    at.switch_page("pages/compare.py").run()
    at.form_submit_button(key="cmp_save_submit").click().run()
    _no_errors(at)

    fresh = _history(_app(frame))  # a new session on the same data, default (automatic K) settings
    assert "is loaded" in " ".join(c.value for c in fresh.caption)
    fresh.button(key="hist_reopen").click().run()
    _no_errors(fresh)
    settings = fresh.session_state["sk_settings"]
    assert settings["auto_k"] is False and settings["params"]["kmeans"]["k"] == 3
    assert fresh.session_state["sk_last"]["run_key"] == run_key  # the very same run
    assert fresh.session_state["sk_edits"][run_key]["names"] == {0: "Night owls"}


def test_history_in_chinese(db_url):
    with RunStore(db_url) as store:
        store.save(make_record())
    at = _app()
    at.session_state["sk_lang"] = "zh"
    _history(at)
    assert at.title[0].value == "历史记录"
    assert "编号" in at.dataframe[0].value.columns


def test_saving_with_a_broken_database_keeps_the_session_run(tmp_path, monkeypatch):
    path = tmp_path / "runs.db"
    path.write_bytes(b"not sqlite" * 10)
    monkeypatch.setenv("SEGKIT_DB_URL", f"sqlite:///{path}")
    at = _app(make_reviews(n_users=60, reviews_per_user=2), {"auto_k": False, "params": {"kmeans": {"k": 3}}})
    at.run()
    at.switch_page("pages/compare.py").run()
    at.form_submit_button(key="cmp_save_submit").click().run()
    assert not at.exception
    assert len(at.session_state["sk_saved"]) == 1
    assert "not in the run database" in at.session_state["hist_save_error"]
    at.switch_page("pages/history.py").run()
    assert any("not in the run database" in w.value for w in at.warning)
    assert path.read_bytes() == b"not sqlite" * 10
