"""Review rows -> one row per user, and the fused feature space, as Spark aggregations.

Mirrors segkit.io.prepare (user traits) and segkit.fuse.fusion (scaling) exactly, except
that the fill-in median of a numeric trait is Spark's percentile_approx (exact to
1/10,000 of the rank) instead of numpy's exact median. The statistics are computed by
Spark over all users; only O(dimensions) numbers reach the driver, and the per-user
transform runs in mapInPandas with those numbers broadcast: it is
segkit.fuse.FittedFusion.transform, the same code the pipeline and saved models run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.errors import SegkitInputError
from segkit.fuse.fusion import LOG_FLOOR, MISSING_LEVEL, SKEW_THRESHOLD, FittedFusion
from segkit.io.roles import ColumnRoles

MISSING = MISSING_LEVEL


def user_table(rows, roles: ColumnRoles):
    """user_id, n_reviews, numeric means, categorical (and label) modes: one row per user."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    aggs = [F.count(F.lit(1)).alias("n_reviews")]
    aggs += [F.avg(F.col(f"`{c}`")).alias(c) for c in roles.numeric_cols]
    users = rows.groupBy("user_id").agg(*aggs)
    for column in dict.fromkeys(roles.categorical_cols + ((roles.label_col,) if roles.label_col else ())):
        counts = (rows.filter(F.col(f"`{column}`").isNotNull())
                  .groupBy("user_id", F.col(f"`{column}`").alias("__v")).count())
        # Highest count wins; ties go to the alphabetically first value (as on one machine).
        order = Window.partitionBy("user_id").orderBy(F.desc("count"), F.asc("__v"))
        mode = (counts.withColumn("__r", F.row_number().over(order)).filter(F.col("__r") == 1)
                .select("user_id", F.col("__v").alias(column)))
        users = users.join(mode, "user_id", "left")
    return users


def user_vectors(vectors):
    """user_id, vec (ml Vector): the mean of each user's text vectors (Summarizer.mean)."""
    from pyspark.ml.functions import array_to_vector
    from pyspark.ml.stat import Summarizer
    from pyspark.sql import functions as F

    return (vectors.withColumn("v", array_to_vector(F.col("vec")))
            .groupBy("user_id").agg(Summarizer.mean(F.col("v")).alias("vec")))


def _text_moments(users) -> tuple[np.ndarray, np.ndarray]:
    """Mean and population variance of the l2-normalised user vectors.

    Each Arrow batch is reduced to (n, sum, sum of squares) in numpy inside mapInPandas;
    Spark sums those partials (an aggregation over a handful of rows per partition).
    Interpreted SQL lambdas over 100-400-element arrays were 5-10x slower.
    """

    def partials(batches):
        for batch in batches:
            if len(batch):
                vectors = np.stack(batch["vec"].to_numpy()).astype(np.float64)
                norms = np.linalg.norm(vectors, axis=1, keepdims=True)
                vectors = vectors / np.where(norms > 0, norms, 1.0)
                yield pd.DataFrame({"n": [len(vectors)], "s": [vectors.sum(0)], "q": [(vectors**2).sum(0)]})

    parts = users.select("vec").mapInPandas(partials, "n long, s array<double>, q array<double>").toPandas()
    n = float(parts["n"].sum())
    total = np.stack(parts["s"].to_numpy()).sum(0)
    squares = np.stack(parts["q"].to_numpy()).sum(0)
    mean = total / n
    return mean, np.maximum(squares / n - mean**2, 0.0)


def fusion_stats(users, roles: ColumnRoles, text_weight: float, has_text: bool = True) -> dict:
    """Every constant segkit.fuse.fusion computes, from Spark aggregations over `users`.

    `users`: the users being segmented, with `vec` (array<double>) and their traits.
    """
    from pyspark.sql import functions as F

    text_weight = float(text_weight)
    if not 0.0 <= text_weight <= 1.0:
        raise SegkitInputError(f"Text weight must be between 0 and 1 (got {text_weight}).")
    stats: dict = {"text_weight": text_weight, "numeric_cols": [], "categorical_levels": {}}
    n = users.count()
    stats["n_users"] = n
    if has_text and text_weight > 0:
        mean, variance = _text_moments(users)
        total = float(variance.sum())
        stats.update(text_mean=mean, text_scale=1.0 / np.sqrt(total) if total > 1e-12 else 0.0,
                     text_dims=len(mean))
    trait_means: list[float] = []
    trait_variance = 0.0
    numeric = list(roles.numeric_cols) if text_weight < 1 else []
    if numeric:
        first = users.select(
            *[F.percentile_approx(F.col(f"`{c}`"), 0.5, 10_000).alias(f"m{i}") for i, c in enumerate(numeric)],
            *[F.count(F.col(f"`{c}`")).alias(f"c{i}") for i, c in enumerate(numeric)],
        ).first()
        medians = []
        for i, column in enumerate(numeric):
            if first[f"c{i}"] == 0 and n > 0:
                raise SegkitInputError(f"Numeric column '{column}' has no numbers in it; unmap it or fix the file.")
            value = first[f"m{i}"]
            medians.append(float(value) if value is not None and np.isfinite(value) else 0.0)
        filled = [F.coalesce(F.col(f"`{c}`"), F.lit(m)) for c, m in zip(numeric, medians, strict=False)]
        aggs = []
        for i, value in enumerate(filled):
            logged = F.log1p(F.greatest(value, F.lit(LOG_FLOOR)))  # the clamp FittedFusion.transform applies
            aggs += [F.min(value).alias(f"min{i}"), F.skewness(value).alias(f"skew{i}"),
                     F.stddev_pop(value).alias(f"sd{i}"), F.avg(value).alias(f"mean{i}"),
                     F.avg(logged).alias(f"lmean{i}"), F.stddev_pop(logged).alias(f"lsd{i}")]
        second = users.select(*aggs).first()
        log, means, stds = [], [], []
        for i in range(len(numeric)):
            sd = second[f"sd{i}"] or 0.0
            skew = second[f"skew{i}"]
            skewed = bool(n >= 3 and second[f"min{i}"] >= 0 and sd >= 1e-12 and skew is not None
                          and skew > SKEW_THRESHOLD)
            log.append(skewed)
            mean, std = (second[f"lmean{i}"], second[f"lsd{i}"]) if skewed else (second[f"mean{i}"], sd)
            std = std or 0.0
            means.append(float(mean))
            stds.append(float(std) if std > 1e-12 else 1.0)
            trait_means.append(0.0)
            trait_variance += 1.0 if std > 1e-12 else 0.0
        stats.update(numeric_cols=numeric, numeric_medians=medians, numeric_log=log,
                     numeric_means=means, numeric_stds=stds)
    if text_weight < 1:
        for column in roles.categorical_cols:
            counts = (users.groupBy(F.coalesce(F.col(f"`{column}`"), F.lit(MISSING)).alias("v")).count()
                      .toPandas())
            counts = counts.sort_values("v")
            levels = counts["v"].astype(str).tolist()
            shares = (counts["count"] / max(n, 1)).to_numpy(dtype=np.float64)
            stats["categorical_levels"][column] = levels
            trait_means.extend(shares.tolist())
            trait_variance += float((shares * (1 - shares)).sum())
    has_traits = bool(trait_means)
    if has_traits:
        stats.update(trait_mean=np.asarray(trait_means),
                     trait_scale=1.0 / np.sqrt(trait_variance) if trait_variance > 1e-12 else 0.0)
    has_text_block = "text_mean" in stats
    stats["effective_text_weight"] = text_weight if has_text_block and has_traits else float(has_text_block)
    if not has_text_block and not has_traits:
        if not has_text:
            raise SegkitInputError("Nothing to segment on: no text vectors and no traits.")
        raise SegkitInputError(
            "Text weight is 0 but no numeric or categorical traits are mapped: add traits or raise the text weight."
        )
    stats["blocks"] = ("text" if has_text_block else "") + ("+traits" if has_traits else "")
    return stats


def fitted_fusion(stats: dict) -> FittedFusion:
    """`fusion_stats` as the FittedFusion the single-machine pipeline and saved models apply."""
    return FittedFusion.from_scaling(stats, stats["effective_text_weight"], stats["numeric_cols"],
                                     stats["categorical_levels"])


def fuse_batch(stats: dict, batch: pd.DataFrame) -> np.ndarray:
    """The fused rows for a pandas batch of users (vec + traits), given `fusion_stats`:
    FittedFusion.transform, the formula every other path applies."""
    fusion = fitted_fusion(stats)
    vectors = np.stack(batch["vec"].to_numpy()).astype(np.float64) if fusion.has_text else None
    return fusion.transform(vectors, batch)


def fuse_users(users, stats: dict):
    """user_id, fused (array<float>) for every user in `users`."""
    spark = users.sparkSession
    shared = spark.sparkContext.broadcast(stats)

    def run(batches):
        for batch in batches:
            if len(batch):
                fused = fuse_batch(shared.value, batch)
                yield pd.DataFrame({"user_id": batch["user_id"].to_numpy(), "fused": list(fused)})

    columns = ["user_id"] + (["vec"] if "text_mean" in stats else []) + list(stats["numeric_cols"]) + list(
        stats["categorical_levels"])
    return users.select(*[f"`{c}`" for c in columns]).mapInPandas(run, "user_id string, fused array<float>")
