"""Quality thresholds on the bundled sample with the default settings (no model needed)."""

from pathlib import Path

from segkit.config import RunConfig
from segkit.io.read import read_table
from segkit.io.roles import infer_roles
from segkit.pipeline import run_segmentation

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "store_reviews.csv"


def test_default_settings_recover_the_sample_segments():
    frame = read_table(SAMPLE).frame
    roles = infer_roles(frame)
    assert roles.label_col == "true_segment" and roles.user_col == "user_id"
    run = run_segmentation(frame, RunConfig(roles=roles), with_map=False)
    assert run.metrics["auto_k"] == 6
    assert run.metrics["ari"] >= 0.8, run.metrics
