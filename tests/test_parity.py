"""One fusion formula: the pipeline, a saved model's assign and Spark's feature code place the
same users at the same point of the fused space (segkit.fuse.FittedFusion), with skewed and
negative traits among them."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit.config import RunConfig
from segkit.fuse import Fusion
from segkit.io.roles import ColumnRoles
from segkit.model import fit_model, load_model, save_model
from segkit.model.segment_model import fuse_new_users
from segkit.pipeline import run_segmentation

REPO = Path(__file__).resolve().parents[1]
ROLES = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age", "balance", "spend"),
                    categorical_cols=("tier",))
WORDS = {
    "run": "running trail shoes marathon training grip knee pace miles hiking".split(),
    "tech": "battery charger laptop screen bluetooth firmware pairing usb speaker".split(),
    "skin": "skin serum cream moisturiser shade lipstick routine fragrance oily".split(),
}


def make_frame(n_users: int = 90, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(n_users):
        topic = list(WORDS)[u % 3]
        spend = float(np.exp(rng.normal(5.0, 1.2)))  # heavy right tail: log-compressed
        balance = float(rng.normal(0, 300))  # negative and positive: never log-compressed
        for _ in range(2):
            rows.append({"user_id": f"u{u:03d}", "review": " ".join(rng.choice(WORDS[topic], 5)),
                         "age": int(rng.integers(18, 70)), "balance": round(balance, 2),
                         "spend": round(spend, 2), "tier": ["none", "gold", None][u % 3]})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def frame():
    return make_frame()


@pytest.fixture(scope="module")
def run(frame):
    config = RunConfig(roles=ROLES, embedder="tfidf", text_weight=0.6, algorithm_params={"k": 3})
    return run_segmentation(frame, config, cache=None, with_map=False)


def _pipeline_matrix(run) -> pd.DataFrame:
    ids = run.table.users["user_id"].iloc[run.embeddings.user_index].to_numpy()
    return pd.DataFrame(run.space.fused.matrix, index=ids)


def test_the_fixture_has_a_log_compressed_and_a_negative_trait(run):
    fitted = run.space.fused.fitted
    assert fitted.numeric_cols == ("age", "balance", "spend")
    assert fitted.numeric_log.tolist() == [False, False, True]
    assert (run.table.users["balance"] < 0).any()


def test_saved_model_places_training_users_where_the_pipeline_did(run, frame, tmp_path):
    model = load_model(save_model(fit_model(run, frame), tmp_path / "model"))
    table, index, fused = fuse_new_users(model, frame)
    got = pd.DataFrame(fused, index=table.users["user_id"].iloc[index].to_numpy())
    expected = _pipeline_matrix(run)
    assert sorted(got.index) == sorted(expected.index)
    np.testing.assert_allclose(got.loc[expected.index].to_numpy(), expected.to_numpy(), atol=1e-5)


def test_values_below_the_fitted_range_of_a_logged_trait_are_clamped_to_its_floor(run, frame, tmp_path):
    """A new user's negative spend (spend was fitted on values >= 0 and log-compressed) lands
    where a spend of 0 lands: finite, not log1p(-1 + 1e-9) = -20.7 nor NaN."""
    model = load_model(save_model(fit_model(run, frame), tmp_path / "model"))
    one = frame[frame["user_id"] == "u000"]
    _, _, at_zero = fuse_new_users(model, one.assign(spend=0.0))
    _, _, negative = fuse_new_users(model, one.assign(spend=-50.0))
    assert np.isfinite(negative).all()
    np.testing.assert_array_equal(negative, at_zero)
    # And the pipeline's own fitted fusion does the same (one formula).
    fitted = run.space.fused.fitted
    users = run.table.users.iloc[:1]
    vectors = run.embeddings.vectors[:1]
    np.testing.assert_array_equal(fitted.transform(vectors, users.assign(spend=-50.0)),
                                  fitted.transform(vectors, users.assign(spend=0.0)))


def test_fit_then_transform_is_the_fused_matrix(run):
    users = run.table.users.iloc[run.embeddings.user_index].reset_index(drop=True)
    fitted = Fusion(ROLES.numeric_cols, ROLES.categorical_cols, 0.6).fit(run.embeddings.vectors, users)
    np.testing.assert_array_equal(fitted.transform(run.embeddings.vectors, users), run.space.fused.matrix)
    # Squared distances split w : 1 - w between the blocks (each block has total variance 1).
    matrix = run.space.fused.matrix.astype(np.float64)
    dims = run.space.fused.text_dims
    assert matrix[:, :dims].var(axis=0).sum() == pytest.approx(0.6, rel=1e-4)
    assert matrix[:, dims:].var(axis=0).sum() == pytest.approx(0.4, rel=1e-4)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")
@pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")
def test_spark_feature_code_gives_the_pipelines_matrix(run, frame, tmp_path):
    pytest.importorskip("pyspark")
    from pyspark.ml.functions import vector_to_array

    from segkit.spark.embed import embed_rows, plan_embedding
    from segkit.spark.features import fuse_users, fusion_stats, user_table, user_vectors
    from segkit.spark.session import get_session
    from segkit.spark.source import prepare_rows

    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    spark = get_session("local[2]", app_name="segkit-parity", driver_memory="1g", shuffle_partitions=2)
    try:
        frame.to_parquet(tmp_path / "rows.parquet", index=False)
        rows = prepare_rows(spark.read.parquet(str(tmp_path / "rows.parquet")), ROLES)
        # TF-IDF fitted on every distinct text (the sample holds them all), as the pipeline fits it.
        vectors, _ = embed_rows(rows, plan_embedding(spark, rows, "tfidf", {}, 0, tfidf_sample=10_000))
        users = user_table(rows, ROLES).join(
            user_vectors(vectors).select("user_id", vector_to_array("vec").alias("vec")), "user_id")
        stats = fusion_stats(users, ROLES, 0.6)
        assert stats["numeric_log"] == [False, False, True]
        got = fuse_users(users, stats).toPandas().set_index("user_id")
        expected = _pipeline_matrix(run)
        assert sorted(got.index) == sorted(expected.index)
        matrix = np.stack(got.loc[expected.index, "fused"].to_numpy())
        np.testing.assert_allclose(matrix, expected.to_numpy(), atol=1e-5)
    finally:
        spark.stop()
