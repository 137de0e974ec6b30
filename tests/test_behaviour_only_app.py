"""A traits-only file in the dashboard (issue 18 item 5): no text column, segmented on its
traits, through every page, with names from the traits and an export that keeps every row."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ["pages/segment.py", "pages/segments.py", "pages/explore.py", "pages/export.py", "pages/overview.py",
         "pages/compare.py", "pages/recommend.py", "pages/history.py"]


@pytest.fixture(autouse=True)
def _fast_env(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("SEGKIT_MAP_METHOD", "pca")
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "segkit-cache"))


def _customers(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    group = rng.integers(0, 3, n)
    return pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(n)],
        "spend": np.round(np.choose(group, [50, 400, 1500]) * rng.uniform(0.8, 1.2, n), 2),
        "orders": np.choose(group, [2, 8, 20]) + rng.integers(0, 3, n),
        "tier": np.choose(group, ["basic", "silver", "gold"]),
    })


def test_a_traits_only_file_segments_on_every_page():
    frame = _customers()
    at = AppTest.from_file(APP, default_timeout=300)
    at.switch_page("pages/data.py")
    at.run()
    at.file_uploader(key="data_upload").set_value(("customers.csv", frame.to_csv(index=False).encode(),
                                                   "text/csv")).run()
    assert not at.error and not at.exception, [e.value for e in [*at.error, *at.exception]]
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
    last = at.session_state["sk_last"]
    assert last["embedder"] == "none" and last["text_weight"] == 0.0  # the traits did all of it
    assert last["k"] == 3  # three planted spend groups
    at.switch_page("pages/export.py").run()
    exported = pd.read_csv(io.StringIO(at.session_state["out_labeled_csv"].decode("utf-8-sig")))
    assert len(exported) == len(frame) and exported["customer_id"].tolist() == frame["customer_id"].tolist()
    names = set(exported["segment_name"])
    assert len(names) == 3 and all(name for name in names)
    # Each planted group is one segment: the tier decides the segment.
    assert exported.groupby("tier")["segment_id"].nunique().max() == 1


def test_orders_with_dates_and_amounts_get_rfm_traits_that_survive_the_roles_form():
    rng = np.random.default_rng(1)
    rows = []
    for customer in range(120):
        heavy = customer % 2 == 0
        for _ in range(rng.integers(6, 10) if heavy else rng.integers(1, 3)):
            rows.append({"customer_id": f"c{customer}", "order_date": f"2026-{rng.integers(1, 12):02d}-15",
                         "amount": round(float(rng.uniform(80, 120) if heavy else rng.uniform(5, 15)), 2),
                         "channel": "web" if heavy else "store"})
    frame = pd.DataFrame(rows)
    at = AppTest.from_file(APP, default_timeout=300)
    at.switch_page("pages/data.py")
    at.run()
    at.file_uploader(key="data_upload").set_value(("orders.csv", frame.to_csv(index=False).encode(),
                                                   "text/csv")).run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    roles = at.session_state["sk_dataset"].roles
    assert (roles.time_col, roles.amount_col) == ("order_date", "amount")
    assert set(roles.derived_traits) == {"recency_days", "frequency", "monetary"}
    suffix = at.session_state["sk_dataset"].key[:10]
    assert at.selectbox(key=f"data_time_{suffix}").value == "order_date"
    at.form_submit_button(key=f"data_apply_{suffix}").click().run()  # applying the form keeps them
    assert not at.exception and not at.error
    after = at.session_state["sk_dataset"].roles
    assert after.time_col == "order_date" and set(after.derived_traits) == set(roles.derived_traits)
    at.switch_page("pages/segments.py").run()
    assert not at.exception and not at.error
    assert not any(m.value.startswith("**Words that set it apart") for m in at.markdown)
