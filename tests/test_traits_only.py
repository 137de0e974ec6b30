"""Behaviour-only segmentation (issue #18 item 5): a file with a user id and traits but no
text segments on its traits, with metrics, profiles, names from traits, exports and RFM
traits derived from a date and an amount."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit.config import RunConfig
from segkit.errors import SegkitInputError
from segkit.export.labeled import labeled_rows, user_rows
from segkit.io.roles import ColumnRoles, infer_roles
from segkit.pipeline import run_segmentation

ROOT = Path(__file__).resolve().parents[1]
KINDS = {  # orders per user, days before the file's last day, amount, age, tier
    "loyal": (8, (0, 30), 120.0, 35, "gold"),
    "lapsed": (2, (200, 360), 15.0, 60, "basic"),
    "young": (4, (60, 200), 50.0, 25, "silver"),
}


def orders(n_users: int = 90, seed: int = 0) -> pd.DataFrame:
    """Row per order: three groups of customers that differ in recency, frequency and spend."""
    rng = np.random.default_rng(seed)
    rows = []
    end = pd.Timestamp("2024-12-31")
    for u in range(n_users):
        kind = list(KINDS)[u % 3]
        n, (lo, hi), amount, age, tier = KINDS[kind]
        for _ in range(n):
            rows.append({"customer_id": f"C{u:03d}",
                         "order_date": (end - pd.Timedelta(days=int(rng.integers(lo, hi)))).date().isoformat(),
                         "amount": round(amount * float(rng.uniform(0.8, 1.2)), 2),
                         "age": age + int(rng.integers(-3, 4)),
                         "tier": tier if rng.random() < 0.9 else "basic",
                         "true_kind": kind})
    rows.append({**rows[0], "order_date": end.date().isoformat()})  # the file's last day
    return pd.DataFrame(rows)


def test_traits_only_file_is_inferred_with_time_amount_and_rfm():
    roles = infer_roles(orders())
    assert roles.text_cols == () and roles.user_col == "customer_id"
    assert roles.time_col == "order_date" and roles.amount_col == "amount"
    assert roles.derived_traits == ("recency_days", "frequency", "monetary")
    assert roles.label_col == "true_kind"
    assert set(roles.numeric_cols) == {"amount", "age"} and roles.categorical_cols == ("tier",)


def test_traits_only_run_segments_every_user_and_names_segments_from_traits():
    frame = orders()
    roles = infer_roles(frame)
    run = run_segmentation(frame, RunConfig(roles=roles, map_method="pca"))
    assert run.embeddings.embedder == "none" and run.effective_text_weight == 0.0
    assert run.metrics["n_users_segmented"] == 90 and run.metrics["auto_k"] == 3
    assert run.metrics["ari"] == pytest.approx(1.0)  # the three kinds, found from behaviour alone
    users = run.table.users
    first = users.iloc[0]  # C000: loyal, 8 orders plus the file's last day
    assert first["frequency"] == 9 and first["recency_days"] == 0
    assert first["monetary"] == pytest.approx(frame.loc[frame["customer_id"] == "C000", "amount"].sum())
    names = set(run.summary.table["segment_name"])
    assert names == {"Gold · high spend", "Basic · older", "Silver · younger"}, names
    lifts = set(run.summary.numeric_lift["trait"])
    assert {"recency_days", "frequency", "monetary", "age", "amount"} <= lifts
    assert all(not t for t in run.summary.representative_texts.values() for t in t)
    labeled = labeled_rows(frame, run)
    assert len(labeled) == len(frame) and (labeled["segkit_status"] == "ok").all()
    assert labeled["segment_id"].notna().all()
    per_user = user_rows(run)
    assert (per_user["segkit_status"] == "ok").all() and len(per_user) == 90


def test_without_rfm_and_without_a_user_column_it_still_segments_on_traits():
    frame = orders()
    roles = ColumnRoles(text_cols=(), numeric_cols=("amount", "age"), categorical_cols=("tier",))
    run = run_segmentation(frame, RunConfig(roles=roles, algorithm_params={"k": 3}, map_method="pca"),
                           with_map=False)
    assert run.metrics["n_users_segmented"] == len(frame)  # every row its own user
    assert "recency_days" not in run.table.users.columns


def test_text_and_traits_still_use_the_text(reviews):
    roles = infer_roles(reviews)
    assert roles.text_cols == ("review",) and roles.derived_traits == ()
    run = run_segmentation(reviews, RunConfig(roles=roles, embedder="tfidf", map_method="pca"), with_map=False)
    assert run.embeddings.vectors.shape[1] > 0 and 0 < run.effective_text_weight < 1


@pytest.mark.parametrize("roles, message", [
    (ColumnRoles(text_cols=()), "No text column chosen and none found"),
    (ColumnRoles(text_cols=(), user_col="customer_id", numeric_cols=("age",), derived_traits=("frequency",)),
     "need a time column and an amount column"),
    (ColumnRoles(text_cols=(), user_col="customer_id", time_col="order_date", amount_col="amount",
                 derived_traits=("loyalty",)), "Unknown derived trait 'loyalty'"),
])
def test_bad_traits_only_roles_get_a_specific_message(roles, message):
    with pytest.raises(SegkitInputError, match=message):
        run_segmentation(orders(), RunConfig(roles=roles), with_map=False)


def test_a_text_column_that_is_empty_is_still_refused_not_silently_dropped(reviews):
    roles = ColumnRoles(text_cols=(), user_col="user_id", numeric_cols=("age",))
    with pytest.raises(SegkitInputError, match="'review' is empty in every row"):
        run_segmentation(reviews.assign(review=""), RunConfig(roles=roles), with_map=False)


def test_traits_only_csv_through_the_cli(tmp_path):
    source, out, summary = tmp_path / "orders.csv", tmp_path / "labeled.csv", tmp_path / "summary.csv"
    model = tmp_path / "model"
    frame = orders()
    frame.to_csv(source, index=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "segkit.cli", "segment", str(source), "--no-map", "--out", str(out),
         "--summary", str(summary), "--save-model", str(model), "--quiet"],
        capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "automatic K = 3" in proc.stdout and "against 'true_kind': ARI 1.0000" in proc.stdout
    assert "text columns: no text" in proc.stdout
    labeled = pd.read_csv(out)
    assert len(labeled) == len(frame) and labeled["segment_id"].notna().all()
    table = pd.read_csv(summary)
    assert set(table["segment_name"]) == {"Gold · high spend", "Basic · older", "Silver · younger"}
    assert {"mean_monetary", "mean_recency_days", "mean_frequency"} <= set(table.columns)
    # The saved model assigns new customers from their traits (RFM derived again).
    assigned = tmp_path / "assigned.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "segkit.cli", "assign", str(model), str(source), "--out", str(assigned)],
        capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    again = pd.read_csv(assigned)
    assert again["segment_id"].tolist() == labeled["segment_id"].tolist()


def test_trait_names_read_like_a_marketer_and_stay_distinct():
    from segkit.describe.trait_naming import trait_names

    z = pd.DataFrame({("z", "monetary"): [1.5, -0.9, -0.8], ("z", "recency_days"): [-1.2, 1.4, 1.4],
                      ("z", "annual_income"): [0.1, 0.6, 0.6]}, index=[0, 1, 2])
    z.columns = pd.MultiIndex.from_tuples(z.columns)
    names = trait_names([0, 1, 2], z, {})
    assert names[0] == "High spend · recent"
    assert names[1] == "Lapsed · low spend" and names[2] == "Lapsed · low spend · high annual income"
    flat = pd.DataFrame({("z", "age"): [0.1, -0.1]}, index=[0, 1])
    flat.columns = pd.MultiIndex.from_tuples(flat.columns)
    from segkit.labels import default_name

    assert trait_names([0, 1], flat, {}) == {0: default_name(0), 1: default_name(1)}
