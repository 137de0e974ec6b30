"""Splitting one segment into sub-segments (the Segments page's "look inside")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit.config import RunConfig
from segkit.drilldown import subsegment
from segkit.errors import SegkitInputError
from segkit.io.roles import ColumnRoles
from segkit.pipeline import run_segmentation

SUBS = {"sport": ["running", "cycling", "swimming"], "tech": ["phone", "laptop", "audio"]}
WORDS = {"running": "marathon pace trail", "cycling": "bike saddle gears", "swimming": "pool goggles lanes",
         "phone": "screen camera charger", "laptop": "keyboard trackpad processor", "audio": "headphones bass earbuds"}


def _users(n_per_sub: int = 50, seed: int = 0, dims: int = 8) -> pd.DataFrame:
    """Precomputed vectors with two levels: groups 12 apart, their sub-topics 5 apart."""
    rng = np.random.default_rng(seed)
    rows = []
    for g, (group, subs) in enumerate(SUBS.items()):
        group_centre = np.zeros(dims)
        group_centre[0] = 12.0 * g
        for s_, sub in enumerate(subs):
            centre = group_centre.copy()
            centre[1 + s_] = 5.0
            for i in range(n_per_sub):
                vector = centre + rng.normal(0, 1.0, dims)
                text = " ".join(rng.choice(WORDS[sub].split(), 3)) + " " + group
                rows.append({"user_id": f"{sub}{i}", "text": text, "group": group, "sub": sub,
                             **{f"v{d}": float(vector[d]) for d in range(dims)}})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def top_run():
    frame = _users()
    roles = ColumnRoles(text_cols=("text",), user_col="user_id", label_col="group",
                        vector_cols=tuple(f"v{d}" for d in range(8)))
    config = RunConfig(roles=roles, embedder="precomputed", algorithm_params={"k": 2})
    run = run_segmentation(frame, config, with_map=False)
    assert run.metrics["ari"] > 0.95  # the analyst's two big groups first
    return frame, run


def test_a_segment_splits_into_its_own_sub_topics(top_run):
    frame, run = top_run
    users = run.table.users.iloc[run.embeddings.user_index].reset_index(drop=True)
    sport = int(pd.Series(run.labels[users["group"].to_numpy() == "sport"]).mode()[0])
    inner = subsegment(run, sport)
    assert len(inner.labels) == int((run.labels == sport).sum())  # only that segment's users
    inner_users = run.table.users.iloc[inner.embeddings.user_index]
    assert set(inner_users["group"]) == {"sport"}
    from sklearn.metrics import adjusted_rand_score

    truth = frame.set_index("user_id").loc[inner_users["user_id"], "sub"].to_numpy()
    assert inner.metrics["auto_k"] == 3
    assert adjusted_rand_score(truth, inner.labels) > 0.8
    words = set(" ".join(inner.summary.table["keywords"]).replace(",", " ").split())
    assert {"marathon", "bike", "pool"} <= words or {"trail", "gears", "lanes"} & words


def test_too_small_a_segment_is_refused_with_a_reason(top_run):
    _, run = top_run
    labels = run.labels.copy()
    labels[:] = 0
    labels[:10] = 1
    with pytest.raises(SegkitInputError, match="has 10 users: splitting needs at least 30"):
        subsegment(run, 1, labels=labels)


def test_segments_page_looks_inside_a_segment():
    from tests.conftest import make_reviews
    from tests.test_app import _app, _no_errors

    at = _app(make_reviews(n_users=90, reviews_per_user=2), {"auto_k": False, "params": {"kmeans": {"k": 2}}})
    at.switch_page("pages/segments.py").run()
    _no_errors(at)
    toggles = [t for t in at.toggle if str(t.key).startswith("segs_split_")]
    assert toggles, "every segment of 30+ users offers the split"
    toggles[0].set_value(True).run()
    _no_errors(at)
    assert at.dataframe, "the sub-segments table"
    table = at.dataframe[0].value
    assert len(table) >= 2 and "Sub-segment" in table.columns
    assert any("sub-segments, K chosen automatically" in c.value for c in at.caption)
