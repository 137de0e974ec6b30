"""The library's stage keys and the edits value (issue 14 items 2-3) and the layout rules.

StageKeys: each key changes exactly when its stage's inputs change, display-only fields
are in none of them. Edits: one value, applied once, carried by the run config so that
`segkit segment --config` reproduces the names a dashboard user gave. Layout: page files
stay thin, product files stay readable, the library never imports Streamlit.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from segkit.config import RunConfig
from segkit.edits import Edits
from segkit.errors import SegkitInputError
from segkit.io import infer_roles
from segkit.io.roles import ColumnRoles
from segkit.pipeline import run_segmentation
from segkit.stage_keys import StageKeys
from tests.conftest import make_reviews

ROOT = Path(__file__).resolve().parents[1]
ROLES = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("spend",))
BASE = RunConfig(roles=ROLES, embedder="tfidf")


def _keys(**changes) -> StageKeys:
    return StageKeys.from_config(BASE.with_changes(**changes), "data-1")


def test_each_key_changes_with_its_own_stage_and_the_ones_before():
    base = _keys()
    # (change, first stage whose key must change)
    cases = [({"roles": ColumnRoles(text_cols=("review",), user_col="user_id")}, "table"),
             ({"embedder": "static"}, "embed"),
             ({"text_weight": 0.5}, "fused"),
             ({"sentiment_trait": True}, "fused"),
             ({"reducer": "pca", "reducer_params": {"n_components": 5}}, "space"),
             ({"seed": 3}, "space"),
             ({"algorithm_params": {"k": 4}}, "cluster"),
             ({"noise_policy": "reassign"}, "cluster")]
    order = ["table", "embed", "fused", "space", "cluster"]
    for change, first in cases:
        other = _keys(**change)
        for stage in order:
            same = getattr(other, stage) == getattr(base, stage)
            assert same == (order.index(stage) < order.index(first)), (change, stage)
    assert StageKeys.from_config(BASE, "data-2").table != base.table


def test_display_fields_are_in_no_key():
    base = _keys()
    assert _keys(map_method="pca") == base
    assert _keys(input_path="/somewhere/else.csv") == base
    assert _keys(edits={"names": {"0": "Night owls"}, "merges": [[1, 2]]}) == base


def test_edits_round_trip_and_reject_nonsense():
    edits = Edits.of({2: "  Gift   buyers ", 0: ""}, [[3, 1]])
    assert edits.names == ((2, "Gift buyers"),) and edits.merges == ((1, 3),)
    assert Edits.from_dict(json.loads(json.dumps(edits.to_dict()))) == edits
    assert not Edits() and bool(edits)
    with pytest.raises(SegkitInputError, match="edits"):
        Edits.from_dict({"names": {"zero": "x"}})
    with pytest.raises(SegkitInputError, match="edits"):
        Edits.from_dict(["not", "a", "mapping"])


@pytest.fixture(scope="module")
def reviews() -> pd.DataFrame:
    return make_reviews(n_users=45, reviews_per_user=2)


def test_a_config_with_edits_reproduces_names_and_merges(reviews):
    config = RunConfig(roles=infer_roles(reviews), embedder="tfidf", algorithm_params={"k": 3}, map_method="pca")
    plain = run_segmentation(reviews, config, with_map=False)
    edits = Edits.of({0: "Bargain hunters"}, [[1, 2]])
    by_hand = edits.apply(plain)
    from_config = run_segmentation(reviews, config.with_changes(edits=edits.to_dict()), with_map=False)
    assert from_config.summary.names == by_hand.summary.names
    assert from_config.summary.names[0] == "Bargain hunters" and set(from_config.summary.names) == {0, 1}
    assert (from_config.user_labels() == by_hand.user_labels()).all()
    assert from_config.edits == edits and from_config.unedited is not None


def test_cli_config_with_edits_writes_the_given_names(tmp_path, reviews):
    data = tmp_path / "reviews.csv"
    reviews.to_csv(data, index=False)
    config = RunConfig(roles=infer_roles(reviews), embedder="tfidf", algorithm_params={"k": 3}, map_method="pca",
                       input_path=str(data), edits={"names": {"1": "Weekend readers"}, "merges": []})
    config_path = tmp_path / "run.json"
    config_path.write_text(config.to_json(), encoding="utf-8")
    out = tmp_path / "rows.csv"
    proc = subprocess.run([sys.executable, "-m", "segkit.cli", "segment", "--config", str(config_path), "--no-map",
                           "--quiet", "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = pd.read_csv(out)
    assert len(rows) == len(reviews)
    assert (rows.loc[rows["segment_id"] == 1, "segment_name"] == "Weekend readers").all()
    assert "Weekend readers" not in set(rows.loc[rows["segment_id"] != 1, "segment_name"])


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_page_files_are_thin_and_product_files_readable():
    pages = {p.name: _lines(p) for p in (ROOT / "pages").glob("*.py")}
    assert len(pages) >= 9
    assert {name: n for name, n in pages.items() if n >= 150} == {}
    product = [*(ROOT / "segkit").rglob("*.py"), *(ROOT / "dashboard").rglob("*.py"), ROOT / "app.py"]
    assert {str(p.relative_to(ROOT)): _lines(p) for p in product if _lines(p) > 450} == {}


def test_the_library_never_imports_streamlit():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "segkit").rglob("*.py")
                 if "import streamlit" in p.read_text(encoding="utf-8")
                 or "from streamlit" in p.read_text(encoding="utf-8")]
    assert offenders == []
