"""The explanations where people read them (issue 18): rules on every segment card, the
classifier's per-segment F1 on the Segment page, in both languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(autouse=True)
def _fast_env(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("SEGKIT_MAP_METHOD", "pca")
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "segkit-cache"))


def _app(k: int = 6) -> AppTest:
    from dashboard.state import DEFAULT_SETTINGS

    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state["sk_settings"] = {**json.loads(json.dumps(DEFAULT_SETTINGS)), "auto_k": False,
                                       "params": {"kmeans": {"k": k}}}
    return at


def test_segment_page_shows_per_segment_f1_and_flags():
    at = _app()
    at.switch_page("pages/segment.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(h.value == "How well the segments stand apart" for h in at.subheader)
    # Off until asked: a cross-validation on every K move would slow every session.
    assert not [df for df in at.dataframe if "F1" in df.value.columns]
    at.toggle(key="seg_measure_separability").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(df.value for df in at.dataframe if "F1" in df.value.columns)
    assert len(table) == 6 and table["F1"].between(0, 1).all()
    # The sample's six planted segments are separable: a classifier tells most users apart.
    assert table["F1"].median() > 0.7
    accuracy = next(m for m in at.metric if m.label == "Classifier accuracy")
    assert accuracy.value.endswith("%")


def test_every_segment_card_has_its_rules_and_separability():
    at = _app()
    at.switch_page("pages/segments.py").run()
    assert sum(m.value == "**How well it stands apart**" for m in at.markdown) == 0  # not asked for yet
    at.switch_page("pages/segment.py").run()
    at.toggle(key="seg_measure_separability").set_value(True).run()
    at.switch_page("pages/segments.py").run()
    assert not at.exception, [e.value for e in at.exception]
    headings = [m.value for m in at.markdown]
    assert sum(h == "**Who is in it (rules)**" for h in headings) == 6
    assert sum(h == "**How well it stands apart**" for h in headings) == 6
    fragments = " ".join(h.proto.body for h in at.get("html"))
    assert "precision" in fragments and "F1" in fragments
    at.session_state["sk_lang"] = "zh"
    at.run()
    assert not at.exception
    assert sum(m.value == "**哪些人在这个分群（规则）**" for m in at.markdown) == 6
