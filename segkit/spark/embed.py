"""Embedding on the workers: one model per worker process, texts in Arrow batches.

Per-text embedders (`static`, `minilm`, anything registered whose vector for a text
does not depend on the other texts) map cleanly: each worker process builds the
embedder once (module-level cache below; Spark reuses Python workers) and embeds its
partition batch by batch in mapInPandas. `static` is distilled once on the driver
before the job, so workers only load it.

TF-IDF is fitted on the corpus. Here it is fitted on the driver on a sample of up to
`tfidf_sample` distinct texts with the single-machine embedder's own `fit` (so with a
sample that holds every text the vocabulary and SVD basis are the same), and the fitted
`TfidfState` is broadcast; workers only `transform`, as saved models do. The
choice over a hashing variant: the vectors stay comparable with the single-machine run,
and 50k-200k texts pin the vocabulary of a large corpus well; words first seen outside
the sample are ignored.

Cache: the single-machine cache keys one file by the whole list of texts; across a
cluster that key would never repeat. Here the key is per text: sha256(text) inside a
Parquet table per embedder token (name, version, parameters and, for TF-IDF, the hash of
the fitting sample), so a re-run embeds only texts it has not seen.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segkit.embed.cache import texts_key
from segkit.errors import SegkitInputError

_lock = threading.Lock()
_worker_embedders: dict[str, object] = {}  # per worker process: built once, reused by every task


@dataclass(frozen=True)
class EmbedPlan:
    name: str
    spec: str  # "module:Class" the workers import
    params: dict
    token: str  # cache token: what changes the vectors for a text
    fitted: object = None  # Spark broadcast of the TfidfState, or None
    info: dict = field(default_factory=dict)


def plan_embedding(spark, rows, name: str, params: dict | None = None, seed: int = 0,
                   tfidf_sample: int = 50_000) -> EmbedPlan:
    """Decide, on the driver, how workers embed (and fit TF-IDF on a sample)."""
    from segkit.embed.registry import EMBEDDERS, get_embedder

    params = dict(params or {})
    if name == "precomputed":
        raise SegkitInputError("The 'precomputed' embedder is handled without an embedding stage.")
    embedder = get_embedder(name, **params)  # raises the specific error for an unknown name
    spec = EMBEDDERS[name]
    if name == "tfidf":
        return _fit_tfidf(spark, rows, embedder, spec, params, tfidf_sample)
    info: dict = {}
    if name == "static":
        from segkit.embed.static import ensure_static_model

        # Distil once here, not on every worker; on a cluster ship the table with the job
        # (workers then read it from their SparkFiles directory).
        directory = ensure_static_model(getattr(embedder, "cache_dir", None))
        if not spark.sparkContext.master.startswith("local") and "cache_dir" not in params:
            spark.sparkContext.addFile(str(directory.parent), recursive=True)
            info["static_shipped"] = directory.parent.name
    return EmbedPlan(name, spec, params, embedder.cache_token(), None, info)


def _fit_tfidf(spark, rows, embedder, spec: str, params: dict, sample_size: int) -> EmbedPlan:
    from pyspark.sql import functions as F

    texts = rows.filter(F.col("text") != "").select("text")
    total = texts.count()
    if total == 0:
        raise SegkitInputError("No row has text to embed.")
    fraction = min(1.0, 1.2 * sample_size / total)
    picked = texts.sample(fraction=fraction, seed=embedder.seed) if fraction < 1 else texts
    sample = sorted(set(picked.toPandas()["text"].tolist()))
    if len(sample) > sample_size:
        rng = np.random.default_rng(embedder.seed)
        sample = sorted(rng.choice(np.array(sample, dtype=object), size=sample_size, replace=False).tolist())
    n = len(sample)
    state = embedder.fit(sample)[0]  # the single-machine fit; workers apply TfidfState.transform
    if len(state.vocabulary) == 0:
        raise SegkitInputError("TF-IDF found no words in the texts (only stop words or punctuation).")
    fitted_on = texts_key("tfidf-sample", sample)
    token = f"{embedder.cache_token()}:sample={fitted_on[:16]}"
    info = {"tfidf_fit_texts": n, "tfidf_fit_share": round(n / max(total, 1), 4),
            "tfidf_vocabulary": int(len(state.vocabulary)), "tfidf_dims": int(state.dim)}
    return EmbedPlan("tfidf", spec, params, token, spark.sparkContext.broadcast(state), info)


# ---- worker side -------------------------------------------------------------------------


def _worker_embedder(plan: EmbedPlan):
    key = plan.token
    with _lock:
        model = _worker_embedders.get(key)
        if model is None:
            if plan.fitted is not None:
                model = _FittedTfidf(plan.fitted.value)
            else:
                import importlib

                module_name, class_name = plan.spec.split(":")
                params = dict(plan.params)
                if plan.info.get("static_shipped"):
                    from pyspark import SparkFiles

                    params["cache_dir"] = SparkFiles.getRootDirectory()
                model = getattr(importlib.import_module(module_name), class_name)(**params)
                if plan.name == "minilm":
                    import torch

                    torch.set_num_threads(1)  # one task per core: no oversubscription
            _worker_embedders[key] = model
    return model


class _FittedTfidf:
    """A broadcast segkit.embed.tfidf.TfidfState with the embedder interface."""

    def __init__(self, state) -> None:
        self.state = state

    def embed(self, texts, progress=None) -> np.ndarray:
        return self.state.transform(texts)


def embed_texts(plan: EmbedPlan, texts: list[str]) -> np.ndarray:
    """Embed on a worker (also callable on the driver): duplicates embedded once."""
    model = _worker_embedder(plan)
    unique, inverse = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
    vectors = np.asarray(model.embed([str(t) for t in unique]), dtype=np.float32)
    vectors = np.nan_to_num(vectors, nan=0.0, posinf=0.0, neginf=0.0)
    return vectors[inverse.reshape(-1)]


def _embed_batches(plan: EmbedPlan, key_col: str, drop_zero: bool):
    def run(batches):
        for batch in batches:
            batch = batch[batch["text"].astype(bool)] if len(batch) else batch
            if len(batch) == 0:
                continue
            vectors = embed_texts(plan, batch["text"].tolist())
            keep = np.abs(vectors).sum(axis=1) > 0 if drop_zero else np.ones(len(vectors), dtype=bool)
            if not keep.any():
                continue
            yield pd.DataFrame({key_col: batch[key_col].to_numpy()[keep], "vec": list(vectors[keep])})

    return run


def embed_rows(rows, plan: EmbedPlan, cache_dir: str | None = None):
    """(user_id, vec) for every row whose text embeds to a non-zero vector."""
    from pyspark.sql import functions as F

    schema = "user_id string, vec array<float>"
    source = rows.filter(F.col("text") != "").select("user_id", "text")
    if cache_dir is None:
        return source.mapInPandas(_embed_batches(plan, "user_id", drop_zero=True), schema), {}
    return _embed_with_cache(source, plan, cache_dir)


def cache_table_path(cache_dir: str, token: str) -> str:
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()[:32]
    return f"{cache_dir.rstrip('/')}/spark-embeddings/{digest}"


def _embed_with_cache(source, plan: EmbedPlan, cache_dir: str):
    from pyspark.sql import functions as F

    spark = source.sparkSession
    path = cache_table_path(cache_dir, plan.token)
    keyed = source.withColumn("text_key", F.sha2(F.col("text"), 256))
    unique = keyed.select("text_key", "text").dropDuplicates(["text_key"])
    try:
        cached = spark.read.parquet(path)
        todo = unique.join(cached.select("text_key"), "text_key", "left_anti")
    except Exception:  # noqa: BLE001 - no cache table yet (or unreadable: start afresh)
        todo = unique
    fresh = todo.mapInPandas(_embed_batches(plan, "text_key", drop_zero=False), "text_key string, vec array<float>")
    fresh.write.mode("append").parquet(path)
    table = spark.read.parquet(path).dropDuplicates(["text_key"])
    nonzero = F.aggregate("vec", F.lit(0.0).cast("double"), lambda acc, x: acc + F.abs(x)) > 0
    vectors = keyed.join(table, "text_key").filter(nonzero).select("user_id", "vec")
    return vectors, {"cache_table": path}
