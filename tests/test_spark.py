"""The Spark job (segkit.spark) in local[2] mode against the single-machine pipeline.

One SparkSession for the module; small generated data, so the module stays well under
two minutes. Skips when pyspark is missing, except in CI (where the extra is installed).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

try:
    import pyspark  # noqa: F401
except ImportError:
    if os.environ.get("CI"):
        raise
    pytest.skip("pyspark is not installed (pip install 'segkit[spark]')", allow_module_level=True)

from sklearn.metrics import adjusted_rand_score

from segkit.config import RunConfig
from segkit.embed.registry import EMBEDDERS
from segkit.errors import SegkitInputError
from segkit.io.roles import ColumnRoles

pytestmark = [pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
              pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]

REPO = Path(__file__).resolve().parents[1]
TOPICS = {
    "run": "running trail shoes marathon training grip knee pace miles hiking",
    "tech": "battery charger laptop screen bluetooth firmware pairing usb speaker",
    "skin": "skin serum cream moisturiser shade lipstick routine fragrance oily",
    "home": "sofa cushion lamp curtain rug drawer shelf wardrobe mattress",
}
SHARED = "order delivery price quality package arrived quick return size colour".split()
ROLES = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age", "spend"),
                    categorical_cols=("tier",), label_col="true_segment")


def make_users(n_users: int = 160, reviews: int = 3, seed: int = 1) -> pd.DataFrame:
    """Four topics, each review mixing topic words with words every topic uses; traits follow the topic."""
    rng = np.random.default_rng(seed)
    names = list(TOPICS)
    rows = []
    for u in range(n_users):
        topic = names[u % len(names)]
        words = TOPICS[topic].split()
        age = {"run": 30, "tech": 42, "skin": 26, "home": 50}[topic] + int(rng.integers(-6, 7))
        spend = float(np.exp(rng.normal({"run": 6.0, "tech": 6.8, "skin": 5.5, "home": 6.4}[topic], 0.5)))
        for _ in range(reviews):
            text = " ".join([*rng.choice(words, 4), *rng.choice(SHARED, 3)])
            rows.append({"user_id": f"u{u:04d}", "review": f"Bought it: {text}.", "age": age,
                         "spend": round(spend, 2), "tier": str(rng.choice(["none", "silver", "gold"])),
                         "true_segment": topic})
    rows.append({"user_id": "silent", "review": "", "age": 33, "spend": 10.0, "tier": "none", "true_segment": "run"})
    rows.append({"user_id": None, "review": "no id on this row at all", "age": 40, "spend": 5.0, "tier": "gold",
                 "true_segment": "tech"})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def spark():
    from segkit.spark.session import get_session

    # Workers import the test embedder (tests.fakes) by name, like a real one.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    session = get_session("local[2]", app_name="segkit-tests", driver_memory="1g", shuffle_partitions=4)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def fake_registered():
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(EMBEDDERS, "fake", "tests.fakes:HashingEmbedder")
        yield


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spark_in")
    frame = make_users()
    frame.to_parquet(folder / "reviews.parquet", index=False)
    frame.to_csv(folder / "reviews.csv", index=False)
    return folder, frame


def single_machine(frame: pd.DataFrame, config: RunConfig):
    from segkit.pipeline import run_segmentation

    run = run_segmentation(frame, config, cache=None, with_map=False)
    return pd.Series(run.user_labels(), index=run.table.users["user_id"].to_numpy()), run


@pytest.fixture(scope="module")
def sample_run(spark, fake_registered, data, tmp_path_factory):
    from segkit.spark.job import SparkOptions, run_spark_segmentation

    folder, frame = data
    config = RunConfig(roles=ROLES, embedder="fake", algorithm_params={"k": 4}, map_method="pca")
    out = tmp_path_factory.mktemp("spark_out")
    result = run_spark_segmentation(spark, spark.read.parquet(str(folder / "reviews.parquet")), config, str(out),
                                    SparkOptions(mode="sample", describe_per_segment=20))
    return config, result


def test_fused_space_equals_single_machine(spark, fake_registered, data):
    """Same vectors in -> the same fused matrix out (user means, modes, scaling, log, one-hot)."""
    from pyspark.ml.functions import vector_to_array

    from segkit.io.prepare import prepare_users
    from segkit.pipeline import build_space, embed_users
    from segkit.spark.embed import embed_rows, plan_embedding
    from segkit.spark.features import fuse_users, fusion_stats, user_table, user_vectors
    from segkit.spark.source import prepare_rows

    folder, frame = data
    config = RunConfig(roles=ROLES, embedder="fake", text_weight=0.6)
    table = prepare_users(frame, ROLES)
    embeddings = embed_users(table, "fake")
    expected = build_space(table, embeddings, config).fused.matrix
    expected_ids = table.users["user_id"].iloc[embeddings.user_index].to_numpy()

    rows = prepare_rows(spark.read.parquet(str(folder / "reviews.parquet")), ROLES)
    vectors, _ = embed_rows(rows, plan_embedding(spark, rows, "fake"))
    users = user_table(rows, ROLES).join(
        user_vectors(vectors).select("user_id", vector_to_array("vec").alias("vec")), "user_id")
    stats = fusion_stats(users, ROLES, 0.6)
    assert stats["numeric_log"] == [False, True]  # spend is log-normal: log-compressed, as on one machine
    got = fuse_users(users, stats).toPandas().set_index("user_id").loc[expected_ids]
    matrix = np.stack(got["fused"].to_numpy())
    assert matrix.shape == expected.shape
    np.testing.assert_allclose(matrix, expected, atol=2e-4)


def test_sample_mode_matches_single_machine(spark, sample_run, data):
    config, result = sample_run
    folder, frame = data
    users = spark.read.parquet(result.users_path).toPandas()
    # Every input user exactly once; the user without text is there, marked, not segmented.
    expected_users = set(frame["user_id"].dropna())
    assert len(users) == len(expected_users) and set(users["user_id"]) == expected_users
    silent = users.set_index("user_id").loc["silent"]
    assert silent["segment_id"] == -2 and silent["segkit_status"] == "no usable text"
    truth, _ = single_machine(frame, config)
    got = users.set_index("user_id")["segment_id"].loc[truth.index]
    segmented = truth.to_numpy() >= 0
    assert adjusted_rand_score(truth.to_numpy()[segmented], got.to_numpy()[segmented]) >= 0.95
    assert (got.to_numpy()[~segmented] == -2).all()
    confidence = users["confidence"].dropna()
    assert ((confidence >= 0) & (confidence <= 1)).all() and len(confidence) == segmented.sum()
    assert result.manifest["counts"]["rows_without_user_id"] == 1


def test_bundle_opens_as_pandas(sample_run):
    from segkit.spark.bundle import load_bundle

    config, result = sample_run
    bundle = load_bundle(result.bundle_path)
    assert isinstance(bundle.segments, pd.DataFrame) and isinstance(bundle.sample, pd.DataFrame)
    assert bundle.segments["size"].sum() == result.manifest["counts"]["users_segmented"] == 160
    assert sorted(bundle.segments["segment_id"]) == [0, 1, 2, 3]
    assert (np.diff(bundle.segments["size"].to_numpy()) <= 0).all()  # segment 0 is the largest
    assert {"x", "y", "text", "segment_id", "confidence", "age", "tier"} <= set(bundle.sample.columns)
    assert bundle.sample[["x", "y"]].notna().all().all()
    assert set(bundle.categorical) == {"tier"} and "z_spend" in bundle.numeric.columns
    assert all(bundle.keywords[s] for s in range(4))
    topic_words = {w for words in TOPICS.values() for w in words.split()}
    assert all(bundle.keywords[s][0][0] in topic_words for s in range(4))
    assert bundle.metrics["ari"] > 0.9  # against true_segment, from a Spark contingency table
    assert RunConfig.from_dict(bundle.config).algorithm_params == {"k": 4}


def test_cli_distributed_tfidf_on_csv_matches_single_machine(spark, data, tmp_path, capsys):
    """`segkit spark` end to end: CSV in, MLlib K-means, TF-IDF fitted on the driver (here on every text)."""
    from segkit.cli import main

    folder, frame = data
    config = RunConfig(roles=ROLES, embedder="tfidf", algorithm_params={"k": 4}, map_method="pca")
    config_path = tmp_path / "run.json"
    config_path.write_text(config.to_json(), encoding="utf-8")
    code = main(["spark", str(folder / "reviews.csv"), "--config", str(config_path), "--out", str(tmp_path / "o"),
                 "--mode", "distributed", "--no-map", "--quiet"])
    assert code == 0, capsys.readouterr().err
    users = spark.read.parquet(str(tmp_path / "o" / "users")).toPandas().set_index("user_id")
    assert len(users) == frame["user_id"].nunique()
    truth, _ = single_machine(frame, config)
    segmented = truth.to_numpy() >= 0
    got = users["segment_id"].loc[truth.index].to_numpy()
    assert adjusted_rand_score(truth.to_numpy()[segmented], got[segmented]) >= 0.95
    manifest = json.loads((tmp_path / "o" / "bundle" / "manifest.json").read_text())
    assert manifest["clustering"]["mllib"] == "KMeans" and manifest["embedding"]["tfidf_fit_share"] == 1.0


def _run(spark, frame, config, out, **options):
    from segkit.spark.job import SparkOptions, run_spark_segmentation

    return run_spark_segmentation(spark, frame, config, str(out), SparkOptions(**options))


def test_bad_paths_give_clear_errors(spark, tmp_path, capsys):
    from segkit.cli.spark import main
    from segkit.spark.bundle import load_bundle
    from segkit.spark.source import read_input

    with pytest.raises(SegkitInputError, match="Input not found"):
        read_input(spark, str(tmp_path / "nope.parquet"))
    empty = tmp_path / "empty_dir"
    empty.mkdir()
    with pytest.raises(SegkitInputError, match="Could not read"):
        read_input(spark, str(empty))  # no data files: Spark cannot infer a schema
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"this is not parquet")
    with pytest.raises(SegkitInputError, match="Could not read"):
        read_input(spark, str(broken))
    odd = tmp_path / "x.bin"
    odd.write_text("a")
    with pytest.raises(SegkitInputError, match="Cannot tell the format"):
        read_input(spark, str(odd))
    with pytest.raises(SegkitInputError, match="Table 'no_such_table' not found"):
        read_input(spark, "no_such_table", table=True)
    with pytest.raises(SegkitInputError, match="not found"):
        load_bundle(tmp_path / "missing_bundle")
    code = main([str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o"), "--quiet"])
    assert code == 2 and "Input not found" in capsys.readouterr().err


def test_bad_schemas_give_clear_errors(spark, data, tmp_path):
    folder, frame = data
    source = spark.read.parquet(str(folder / "reviews.parquet"))
    base = RunConfig(roles=ROLES, embedder="tfidf", algorithm_params={"k": 4})
    with pytest.raises(SegkitInputError, match="The text column 'body' is not in the file"):
        _run(spark, source, base.with_changes(roles=ROLES.with_overrides(text_cols=("body",))), tmp_path / "a")
    arrays = spark.createDataFrame([("u1", [1.0, 2.0], 3.0)], "user_id string, review array<double>, age double")
    with pytest.raises(SegkitInputError, match="text column 'review' holds array values"):
        _run(spark, arrays, RunConfig(roles=ColumnRoles(text_cols=("review",), user_col="user_id")), tmp_path / "b")
    words = spark.createDataFrame([("u1", "great shoes for running", "old"), ("u2", "nice lamp", "young")],
                                  "user_id string, review string, age string")
    roles = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age",))
    with pytest.raises(SegkitInputError, match="Numeric column 'age' has no numbers"):
        _run(spark, words, RunConfig(roles=roles), tmp_path / "c")
    with pytest.raises(SegkitInputError, match="no distributed version"):
        _run(spark, source, base.with_changes(algorithm="hdbscan"), tmp_path / "d", mode="distributed")
    with pytest.raises(SegkitInputError, match="Unknown mode"):
        _run(spark, source, base, tmp_path / "e", mode="everywhere")


def test_workers_mask_personal_data_like_one_machine_and_traits_only_is_refused(spark, tmp_path):
    from segkit.io.prepare import prepare_users
    from segkit.spark.source import prepare_rows

    frame = pd.DataFrame({"user_id": ["u1", "u2"], "review": ["mail me at jo@example.com", "call (415) 555-2671"],
                          "age": [30.0, 40.0]})
    roles = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age",))
    source = spark.createDataFrame(frame)
    masked = prepare_rows(source, roles, mask_personal_data=True).toPandas().sort_values("user_id")
    assert masked["text"].tolist() == list(prepare_users(frame, roles).row_texts)
    assert masked["text"].tolist() == ["mail me at [EMAIL]", "call [PHONE]"]
    kept = prepare_rows(source, roles).toPandas().sort_values("user_id")
    assert kept["text"].tolist() == frame["review"].tolist()
    traits = ColumnRoles(text_cols=(), user_col="user_id", numeric_cols=("age",))
    with pytest.raises(SegkitInputError, match="has no text column; segment a behaviour-only file on one machine"):
        _run(spark, source, RunConfig(roles=traits), tmp_path / "t")


def test_pyspark_is_not_imported_by_segkit_or_the_bundle_loader():
    import subprocess

    code = ("import sys, segkit, segkit.pipeline, segkit.cli, segkit.spark.bundle, segkit.cli.spark;"
            "print('pyspark' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "False"
