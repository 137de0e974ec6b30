"""The Spark job: the same run config as the dashboard, over a table of any size.

    spark = get_session("local[2]")
    frame = read_input(spark, "users.parquet")
    result = run_spark_segmentation(spark, frame, RunConfig.load("run.json"), "out/")
    bundle = load_bundle(result.bundle_path)

Writes `<out>/users/` (Parquet: every user exactly once, with segment_id, segment_name,
confidence, segkit_status) and `<out>/bundle/` (see segkit.spark.bundle). Nothing
proportional to the number of users is collected on the driver: only samples
(TF-IDF fitting, clustering in "sample" mode, the K choice, the per-segment description
sample) and per-segment aggregates.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from segkit.config import RunConfig
from segkit.errors import SegkitInputError
from segkit.io.roles import infer_roles
from segkit.labels import NOT_SEGMENTED, segment_name
from segkit.spark import cluster as spark_cluster
from segkit.spark import describe as spark_describe
from segkit.spark.bundle import write_bundle
from segkit.spark.embed import embed_rows, plan_embedding
from segkit.spark.features import fuse_users, fusion_stats, user_table, user_vectors
from segkit.spark.source import check_schema, numeric_col, prepare_rows


@dataclass(frozen=True)
class SparkOptions:
    mode: str = "sample"  # "sample" or "distributed" (see segkit.spark.cluster)
    fit_sample: int = 50_000  # users the driver clusters in "sample" mode
    k_sample: int = 20_000  # users the automatic K is chosen on in "distributed" mode
    tfidf_sample: int = 50_000  # distinct texts TF-IDF is fitted on
    describe_per_segment: int = 500  # users per segment in the description/map sample
    cache_dir: str | None = None  # per-text embedding cache table (None: no cache)
    with_map: bool = True

    def __post_init__(self) -> None:
        if self.mode not in spark_cluster.MODES:
            raise SegkitInputError(f"Unknown mode '{self.mode}'; use one of {', '.join(spark_cluster.MODES)}.")
        for name in ("fit_sample", "k_sample", "tfidf_sample", "describe_per_segment"):
            if int(getattr(self, name)) < 10:
                raise SegkitInputError(f"{name.replace('_', ' ')} must be at least 10 (got {getattr(self, name)}).")


@dataclass
class SparkRunResult:
    out_dir: str
    users_path: str
    bundle_path: str
    manifest: dict
    timings: dict = field(default_factory=dict)


def resolve_roles(frame, config: RunConfig, infer_rows: int = 5000) -> RunConfig:
    """A config without text/vector columns gets the single-machine inference on a head sample."""
    if config.roles.text_cols or config.roles.vector_cols:
        return config
    head = frame.limit(infer_rows).toPandas()
    if head.empty:
        raise SegkitInputError("The table has no rows.")
    return replace(config, roles=infer_roles(head))


def run_spark_segmentation(spark, frame, config: RunConfig, out_dir: str | Path,
                           options: SparkOptions | None = None, log=None) -> SparkRunResult:
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import functions as F

    options = options or SparkOptions()
    log = log or (lambda *a: None)
    out_dir = str(out_dir)
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(stage: str) -> None:
        now = time.perf_counter()
        timings[stage] = round(now - clock[0], 3)
        clock[0] = now
        log(f"{stage}: {timings[stage]:.1f}s")

    config = resolve_roles(frame, config)
    if not config.roles.text_cols and not config.roles.vector_cols:
        raise SegkitInputError("The Spark job segments what users wrote and this table has no text column; "
                               "segment a behaviour-only file on one machine (segkit segment FILE).")
    if config.roles.derived_traits:
        log("note: RFM traits (recency_days, frequency, monetary) are derived on one machine only; "
            "the Spark job leaves them out")
        config = replace(config, roles=replace(config.roles, derived_traits=()))
    roles = config.roles
    check_schema(frame, roles)
    from segkit.cluster.registry import CLUSTERERS, get_clusterer

    if config.algorithm not in CLUSTERERS and config.algorithm != "bisecting_kmeans":
        get_clusterer(config.algorithm)  # the specific "unknown algorithm" error
    # Fail before any Spark job on what the config alone rules out.
    if options.mode == "distributed" and config.algorithm not in spark_cluster.MLLIB_ALGORITHMS:
        raise SegkitInputError(
            f"'{config.algorithm}' has no distributed version; use --mode sample (fits it on a sample) "
            f"or one of {', '.join(spark_cluster.MLLIB_ALGORITHMS)}."
        )
    if options.mode == "sample" and config.algorithm not in CLUSTERERS:
        raise SegkitInputError(f"'{config.algorithm}' exists only in --mode distributed.")
    spark_cluster.reduction(config, 10_000)  # an unsupported reducer (umap) is refused here
    # One pass over the input for every count the checks need.
    user = F.trim(F.col(f"`{roles.user_col}`").cast("string")) if roles.user_col else F.lit("x")
    first = frame.select(
        F.count(F.lit(1)).alias("rows"),
        F.count(F.when(user.isNotNull() & (user != ""), 1)).alias("with_user"),
        *[F.count(numeric_col(c)).alias(f"n{i}") for i, c in enumerate(roles.numeric_cols)],
    ).first()
    n_input_rows, n_rows = int(first["rows"]), int(first["with_user"])
    if n_input_rows == 0:
        raise SegkitInputError("The table has no rows.")
    if n_rows == 0:
        raise SegkitInputError(f"No row has a user id in '{roles.user_col}'.")
    for i, column in enumerate(roles.numeric_cols):
        if first[f"n{i}"] == 0:
            raise SegkitInputError(f"Numeric column '{column}' has no numbers in it; unmap it or fix the file.")
    rows = prepare_rows(frame, roles, config.mask_personal_data).persist()
    users = user_table(rows, roles).persist()
    n_users = users.count()
    lap("read_prepare")

    embed_info: dict = {}
    if config.embedder == "auto":
        # A Spark job is for more users than MiniLM embeds within the default rule's time
        # budget (segkit.embed.choice), so the rule's large-data branch applies: static.
        config = config.with_changes(embedder="precomputed" if roles.vector_cols and not roles.text_cols
                                     else "static")
        embed_info["embedder_reason"] = ("auto: the static model (a distilled MiniLM) for a Spark-sized table; "
                                         "name --embedder minilm for the slower, better model")
    if config.embedder == "precomputed":
        values = [F.col(f"`{c}`").cast("float") for c in roles.vector_cols]
        complete = F.lit(True)
        for c in roles.vector_cols:
            complete = complete & F.col(f"`{c}`").isNotNull()
        vectors = rows.filter(complete).select("user_id", F.array(*values).alias("vec"))
    else:
        if not roles.text_cols:
            raise SegkitInputError("No text column chosen and none found: pick the column that holds what users wrote.")
        plan = plan_embedding(spark, rows, config.embedder, config.embedder_params, config.seed, options.tfidf_sample)
        embed_info.update(plan.info, embedder_token=plan.token)
        vectors, cache_info = embed_rows(rows, plan, options.cache_dir)
        embed_info.update(cache_info)
    per_user = user_vectors(vectors).select("user_id", vector_to_array("vec").alias("vec"))
    segmentable = users.join(per_user, "user_id").persist()
    n_segmentable = segmentable.count()
    lap("embed_aggregate")
    if n_segmentable < 2:
        raise SegkitInputError(f"Only {n_segmentable} user(s) have text to segment; segmenting needs at least 2.")

    stats = fusion_stats(segmentable, roles, config.text_weight)
    fused = fuse_users(segmentable, stats).persist()
    fused.count()
    dims = (len(stats["text_mean"]) if "text_mean" in stats else 0) + len(stats.get("trait_mean", ()))
    lap("fuse")

    gmm = None
    if options.mode == "sample":
        projection, cluster_info = spark_cluster.fit_sample(fused, config, n_segmentable, dims, options.fit_sample)
    else:
        projection, gmm, cluster_info = spark_cluster.fit_distributed(fused, config, n_segmentable, dims,
                                                                      options.k_sample)
    lap("cluster_fit")
    raw = spark_cluster.assign(fused, projection, gmm).persist()
    assigned, mapping = spark_cluster.order_by_size(raw)
    trait_cols = ["n_reviews", *roles.numeric_cols, *dict.fromkeys(
        roles.categorical_cols + ((roles.label_col,) if roles.label_col else ()))]
    labeled = assigned.join(segmentable.select("user_id", *[f"`{c}`" for c in trait_cols]), "user_id").persist()
    labeled.count()
    lap("assign")

    sizes = spark_describe.segment_sizes(labeled)
    numeric = spark_describe.numeric_profile(labeled, ["n_reviews", *roles.numeric_cols])
    categorical = {c: spark_describe.categorical_makeup(labeled, c) for c in roles.categorical_cols}
    sample = spark_describe.stratified_sample(labeled.join(fused, "user_id"), rows, sizes,
                                              options.describe_per_segment, config.seed, trait_cols[1:])
    sample_fused = np.stack(sample["fused"].to_numpy()).astype(np.float32)
    space = projection.project(sample_fused).astype(np.float32)
    density_based = bool(cluster_info.get("density_based", False))
    described = spark_describe.sample_descriptions(sample, space, density_based, roles)
    metrics = _metrics(labeled, sample, space, config, roles, n_users, n_segmentable)
    coords = None
    if options.with_map:
        from segkit.reduce.map2d import project_2d

        coords = project_2d(sample_fused, method=config.map_method, seed=config.seed)
    lap("describe")

    names = described["names"]
    segments = sizes.assign(
        segment_name=sizes["segment_id"].map(lambda s: segment_name(s, names)),
        keywords=sizes["segment_id"].map(lambda s: ", ".join(t for t, _ in described["keywords"].get(int(s), []))),
        example=sizes["segment_id"].map(lambda s: (described["representative_texts"].get(int(s)) or [""])[0]),
    )[["segment_id", "segment_name", "size", "share", "mean_confidence", "keywords", "example"]]
    for column in numeric.columns:
        if column.startswith("z_"):
            segments[column] = segments["segment_id"].map(dict(zip(numeric["segment_id"], numeric[column], strict=False))).round(3)

    users_path = f"{out_dir.rstrip('/')}/users"
    name_map = F.create_map(*[F.lit(x) for s, n in names.items() for x in (int(s), str(n))])
    output = (users.select("user_id", "n_reviews")
              .join(assigned.select("user_id", "segment_id", "confidence"), "user_id", "left")
              .select("user_id",
                      F.coalesce(F.col("segment_id"), F.lit(NOT_SEGMENTED)).cast("int").alias("segment_id"),
                      F.coalesce(name_map[F.col("segment_id")], F.lit("")).alias("segment_name"),
                      F.col("confidence"), F.col("n_reviews"),
                      F.when(F.col("segment_id").isNull(), F.lit("no usable text")).otherwise(F.lit(""))
                      .alias("segkit_status")))
    output.write.mode("overwrite").parquet(users_path)
    lap("write_users")

    sample_out = sample.drop(columns=["fused"]).assign(
        segment_name=sample["segment_id"].map(lambda s: segment_name(s, names)),
        text=described["examples"])
    sample_out["x"] = coords[:, 0] if coords is not None else np.nan
    sample_out["y"] = coords[:, 1] if coords is not None else np.nan
    bundle_path = f"{out_dir.rstrip('/')}/bundle"
    manifest = {
        "config": config.to_dict(),
        "mode": options.mode,
        "options": asdict(options),
        "assignments_path": users_path,
        "counts": {"input_rows": n_input_rows, "rows_with_user": n_rows,
                   "rows_without_user_id": n_input_rows - n_rows, "users": n_users,
                   "users_segmented": n_segmentable, "users_not_segmented": n_users - n_segmentable,
                   "sample_users": int(len(sample))},
        "fused_dims": dims,
        "fusion_blocks": stats["blocks"],
        "embedding": embed_info,
        "clustering": cluster_info,
        "metrics": metrics,
        "keywords": {int(s): [[t, float(v)] for t, v in kw] for s, kw in described["keywords"].items()},
        "names": {int(s): n for s, n in names.items()},
        "representative_texts": {int(s): v for s, v in described["representative_texts"].items()},
        "representative_user_ids": {int(s): v for s, v in described["representative_user_ids"].items()},
        "spark": {"version": spark.version, "master": spark.sparkContext.master,
                  "default_parallelism": spark.sparkContext.defaultParallelism},
        "timings": timings,
    }
    write_bundle(bundle_path, manifest, segments, sample_out, numeric, categorical)
    lap("write_bundle")
    manifest["timings"] = timings
    for frame_ in (rows, users, segmentable, fused, raw, labeled):
        frame_.unpersist()
    return SparkRunResult(out_dir, users_path, bundle_path, manifest, timings)


def _metrics(labeled, sample: pd.DataFrame, space: np.ndarray, config: RunConfig, roles, n_users: int,
             n_segmentable: int) -> dict:
    from segkit.metrics.external import external_metrics
    from segkit.metrics.internal import internal_metrics

    metrics = internal_metrics(space, sample["segment_id"].to_numpy(), seed=config.seed,
                               silhouette_sample=config.silhouette_sample)
    metrics["internal_metrics_on"] = f"the {len(sample):,}-user stratified sample"
    metrics["n_users_segmented"] = n_segmentable
    metrics["n_users_total"] = n_users
    if roles.label_col:
        table = labeled.groupBy(roles.label_col, "segment_id").count().toPandas()
        truth = np.repeat(table[roles.label_col].to_numpy(dtype=object), table["count"].to_numpy())
        predicted = np.repeat(table["segment_id"].to_numpy(), table["count"].to_numpy())
        metrics.update(external_metrics(predicted, truth))
    return metrics
