"""Segment summaries: sizes and trait profiles over everyone in Spark; keywords,
representative texts, quality metrics and the 2-D map from a stratified sample."""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.fuse.fusion import MISSING_LEVEL as MISSING
from segkit.io.roles import ColumnRoles


def segment_sizes(labeled) -> pd.DataFrame:
    from pyspark.sql import functions as F

    table = (labeled.groupBy("segment_id")
             .agg(F.count(F.lit(1)).alias("size"), F.avg("confidence").alias("mean_confidence"))
             .toPandas().sort_values("segment_id").reset_index(drop=True))
    table["share"] = table["size"] / table["size"].sum()
    return table


def numeric_profile(labeled, columns: list[str]) -> pd.DataFrame:
    """Per segment: mean of each trait and z = (segment mean - overall mean) / overall std."""
    from pyspark.sql import functions as F

    if not columns:
        return pd.DataFrame(columns=["segment_id"])
    overall = labeled.select(*[F.avg(F.col(f"`{c}`")).alias(f"m_{c}") for c in columns],
                             *[F.stddev_pop(F.col(f"`{c}`")).alias(f"s_{c}") for c in columns]).first()
    means = (labeled.groupBy("segment_id").agg(*[F.avg(F.col(f"`{c}`")).alias(c) for c in columns])
             .toPandas().sort_values("segment_id").reset_index(drop=True))
    out = means[["segment_id"]].copy()
    for column in columns:
        std = overall[f"s_{column}"]
        out[f"mean_{column}"] = means[column].astype(float)
        out[f"z_{column}"] = (means[column].astype(float) - (overall[f"m_{column}"] or 0.0)) / (
            std if std and std > 0 else np.nan)
    return out


def categorical_makeup(labeled, column: str, top: int = 8) -> pd.DataFrame:
    """Long form: segment_id (-99 = all users), value, share within the segment; top values overall."""
    from pyspark.sql import functions as F

    counts = (labeled.groupBy("segment_id", F.coalesce(F.col(f"`{column}`"), F.lit(MISSING)).alias("value"))
              .count().toPandas())
    overall = counts.groupby("value")["count"].sum().sort_values(ascending=False)
    keep = overall.index[:top]
    counts["share"] = counts["count"] / counts.groupby("segment_id")["count"].transform("sum")
    rows = counts[counts["value"].isin(keep)][["segment_id", "value", "share"]]
    everyone = pd.DataFrame({"segment_id": -99, "value": keep, "share": (overall[keep] / overall.sum()).to_numpy()})
    return pd.concat([rows, everyone], ignore_index=True).sort_values(["segment_id", "value"]).reset_index(drop=True)


def stratified_sample(labeled, rows, sizes: pd.DataFrame, per_segment: int, seed: int,
                      extra_cols: list[str]) -> pd.DataFrame:
    """Up to about `per_segment` users of each segment with their texts joined (driver-side frame)."""
    from pyspark.sql import functions as F

    fractions = {int(s): min(1.0, 1.2 * per_segment / max(int(n), 1))
                 for s, n in zip(sizes["segment_id"], sizes["size"], strict=False)}
    picked = labeled.sampleBy("segment_id", fractions, seed=seed)
    texts = (rows.filter(F.col("text") != "").join(picked.select("user_id"), "user_id", "left_semi")
             .groupBy("user_id").agg(F.substring(F.array_join(F.sort_array(F.collect_list("text")), "\n"),
                                                 1, 5000).alias("text")))
    columns = ["user_id", "segment_id", "confidence", "fused", *extra_cols]
    frame = picked.select(*[f"`{c}`" for c in columns]).join(texts, "user_id", "left").toPandas()
    frame["text"] = frame["text"].fillna("")
    # Trim each segment to per_segment, deterministically.
    frame = (frame.sample(frac=1.0, random_state=seed).groupby("segment_id", group_keys=False).head(per_segment)
             .sort_values(["segment_id", "user_id"]).reset_index(drop=True))
    return frame


def sample_descriptions(sample: pd.DataFrame, space: np.ndarray, density_based: bool, roles: ColumnRoles,
                        n_keywords: int = 10, n_examples: int = 5) -> dict:
    """Distinctive keywords, names and representative texts, from the sample's users
    (the same rules as segkit.describe.summary.describe_segments)."""
    from segkit.describe.examples import review_scorer
    from segkit.describe.keywords import keyword_scores, ranked_terms
    from segkit.describe.naming import auto_names
    from segkit.describe.representative import pick_examples, ranked_members
    from segkit.describe.summary import user_example_text

    labels = sample["segment_id"].to_numpy()
    texts = sample["text"].tolist()
    scores = keyword_scores(texts, labels)
    segments = sorted(int(s) for s in np.unique(labels) if s >= 0)
    ranked = {s: ranked_terms(scores, s, max(n_keywords, 30)) if scores else [] for s in segments}
    keywords = {s: terms[:n_keywords] for s, terms in ranked.items()}
    names = auto_names(ranked)
    picked = pick_examples(ranked_members(space, labels, sample["confidence"].to_numpy(), density_based, 20),
                           texts, review_scorer(scores), n_examples)
    examples = user_example_text(texts)
    rep_texts = {s: [text for _, text in v] for s, v in picked.items()}
    rep_ids = {s: [str(sample["user_id"].iloc[i]) for i, _ in v] for s, v in picked.items()}
    return {"keywords": keywords, "names": names, "representative_texts": rep_texts,
            "representative_user_ids": rep_ids, "examples": examples}
