"""The audience export (issue 15 item 8): one row per user of the input, a CRM can import it.

Through the CLI as a user runs it (`segkit segment ... --users-out`), through the library
for an edited run, and on the dashboard's Export page.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from segkit.config import RunConfig
from segkit.edits import Edits
from segkit.export.audience import audience_rows
from segkit.io.roles import ColumnRoles
from segkit.pipeline import run_segmentation
from tests.conftest import make_reviews

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    frame = make_reviews(n_users=30, reviews_per_user=2, seed=4).rename(columns={"user_id": "customer_no"})
    frame["customer_no"] = frame["customer_no"].astype(object)
    silent = frame["customer_no"] == frame["customer_no"].iloc[0]
    frame.loc[silent, "review"] = ""  # a customer with no text at all: in the file, not segmented
    frame.loc[frame.index[-1], "customer_no"] = "=HYPERLINK(\"http://x\")"  # a hostile id
    return frame


def _segment(tmp_path: Path, frame: pd.DataFrame, *extra: str) -> subprocess.CompletedProcess:
    data = tmp_path / "customers.csv"
    frame.to_csv(data, index=False)
    return subprocess.run([sys.executable, "-m", "segkit.cli", "segment", str(data), "--embedder", "tfidf",
                           "--user-col", "customer_no", "--k", "3", "--no-map", "--quiet", *extra],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_cli_writes_one_row_per_user_including_those_not_segmented(tmp_path, customers):
    out = tmp_path / "audience.csv"
    proc = _segment(tmp_path, customers, "--users-out", str(out), "--audience-flags")
    assert proc.returncode == 0, proc.stderr
    audience = pd.read_csv(out, dtype={"customer_no": str}, keep_default_na=False)
    assert len(audience) == customers["customer_no"].nunique()
    plain_ids = set(customers["customer_no"].astype(str)) - {"=HYPERLINK(\"http://x\")"}
    assert plain_ids <= set(audience["customer_no"])
    assert list(audience.columns[:5]) == ["customer_no", "segment_id", "segment_name", "segment_confidence",
                                          "segkit_status"]
    silent = audience[audience["customer_no"] == str(customers["customer_no"].iloc[0])]
    assert silent["segkit_status"].str.startswith("not segmented").all() and (silent["segment_name"] == "").all()
    flags = [c for c in audience.columns if c.startswith("in_")]
    assert len(flags) == 3
    segmented = audience["segment_id"] != ""
    as_bool = audience[flags].astype(str).eq("True")
    assert (as_bool[segmented].sum(axis=1) == 1).all() and (as_bool[~segmented].sum(axis=1) == 0).all()
    assert {"age", "spend", "tier"} <= set(audience.columns)  # the users' aggregated traits
    # Formula-safe: the hostile id cannot run in a spreadsheet.
    assert not audience["customer_no"].str.startswith("=").any()
    assert f"wrote {len(audience)} users to {out}" in proc.stdout


def test_cli_parquet_keeps_values_and_refuses_other_formats(tmp_path, customers):
    out = tmp_path / "audience.parquet"
    assert _segment(tmp_path, customers, "--users-out", str(out)).returncode == 0
    audience = pd.read_parquet(out)
    assert len(audience) == customers["customer_no"].nunique()
    assert "=HYPERLINK(\"http://x\")" in set(audience["customer_no"])  # exact values: no spreadsheet here
    bad = _segment(tmp_path, customers, "--users-out", str(tmp_path / "audience.xlsx"))
    assert bad.returncode == 2 and "must end in .csv or .parquet" in bad.stderr
    lonely = _segment(tmp_path, customers, "--audience-flags")
    assert lonely.returncode == 2 and "--audience-flags needs --users-out" in lonely.stderr


def test_an_edited_run_exports_the_edited_names():
    frame = make_reviews(n_users=30, reviews_per_user=2)
    roles = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age",))
    run = run_segmentation(frame, RunConfig(roles=roles, embedder="tfidf", algorithm_params={"k": 3}),
                           with_map=False)
    edited = Edits.of({0: "VIP"}, [[1, 2]]).apply(run)
    audience = audience_rows(edited, segment_flags=True)
    assert set(audience["segment_name"]) == {"VIP", edited.summary.names[1]}
    assert [c for c in audience.columns if c.startswith("in_")] == ["in_vip", audience.columns[-1]]
    assert audience["in_vip"].sum() == (edited.user_labels() == 0).sum()
