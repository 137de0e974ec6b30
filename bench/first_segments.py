"""Target 3, time to first segments: upload -> read_table -> run_segmentation (defaults).

The library part of what the dashboard does after an upload, in one warm process
(imports done, UMAP compiled by warm_up_umap as the dashboard does at start):

* the bundled sample (sample_data/store_reviews.csv, 2,000 users): read_table +
  infer_roles + run_segmentation with the default RunConfig and the map by PCA, and
  by the warm UMAP, per embedder (tfidf, static), cold (a fresh embedding cache
  directory, keyword word counts forgotten) and warm (second run: same directory, and
  the process still holds the word counts, as a dashboard server does);
* 20,000 users (womens_clothing reviews, a stratified 20,000, one review = one user,
  traits age and rating): the same per embedder (tfidf, static, minilm), cold and warm.
  minilm cold at 20,000 takes tens of minutes on a loaded 2-core machine, so it is
  measured only with --minilm-cold; otherwise its cold row is marked not run.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import pandas as pd
from common import ROOT, fmt_s, load_average, print_table
from datasets import womens_clothing

from segkit.config import RunConfig
from segkit.embed import EmbeddingCache
from segkit.io.read import read_table
from segkit.io.roles import ColumnRoles, infer_roles
from segkit.pipeline import run_segmentation
from segkit.reduce.map2d import warm_up_umap

SAMPLE = ROOT / "sample_data" / "store_reviews.csv"
LIMIT_S = 5.0


def first_segments(source, embedder: str, cache: EmbeddingCache, map_method: str,
                   roles: ColumnRoles | None = None, cold: bool = False) -> tuple[float, dict, dict]:
    # `cold`: a first upload; every run_segmentation now starts with an empty memory of its own
    # (word counts for keywords), so a cold and a warm call differ only in the embedding cache.
    start = time.perf_counter()
    if isinstance(source, pd.DataFrame):
        frame = source
    else:
        frame = read_table(source).frame
    config = RunConfig(roles=roles or infer_roles(frame), embedder=embedder, map_method=map_method)
    run = run_segmentation(frame, config, cache=cache)
    return time.perf_counter() - start, run.timings, run.metrics


def run(quick: bool = False, minilm_cold: bool = False) -> list[dict]:
    warm_up_umap(blocking=True)  # the dashboard starts this at launch
    rows = []
    sample_embedders = ("tfidf",) if quick else ("tfidf", "static")
    for embedder in sample_embedders:
        cache = EmbeddingCache(tempfile.mkdtemp(prefix="segkit-bench-"))
        for state in ("cold", "warm"):
            for map_method in (("pca",) if state == "cold" else ("pca", "umap")):
                seconds, timings, metrics = first_segments(SAMPLE, embedder, cache, map_method, cold=state == "cold")
                rows.append({"data": "sample 2,000 users", "embedder": embedder, "cache": state,
                             "map": map_method + (" (warm)" if map_method == "umap" else ""),
                             "time": fmt_s(seconds), "limit": fmt_s(LIMIT_S),
                             "met": "yes" if seconds <= LIMIT_S else "NO",
                             "embed_s": timings.get("embed"), "cluster_s": timings.get("cluster"),
                             "describe_s": timings.get("describe"), "map_s": timings.get("map"),
                             "K": metrics.get("auto_k"), "ARI": round(metrics.get("ari", float("nan")), 3)})
    if quick:
        return rows
    users = womens_clothing(20_000)
    roles = ColumnRoles(text_cols=("text",), numeric_cols=("age", "rating"), label_col="label")
    for embedder in ("tfidf", "static", "minilm"):
        cache = EmbeddingCache(tempfile.mkdtemp(prefix="segkit-bench-"))
        for state in ("cold", "warm"):
            if embedder == "minilm" and state == "cold" and not minilm_cold:
                rows.append({"data": "womens 20,000 users", "embedder": embedder, "cache": state, "map": "pca",
                             "time": "not run", "limit": "-", "met": "-",
                             "note": "see --minilm-cold; warm row reuses the shared cache"})
                cache = EmbeddingCache()  # the shared cache, filled by earlier runs if any
                continue
            entries_before = set(cache.directory.rglob("*.npy"))
            seconds, timings, metrics = first_segments(users, embedder, cache, "pca", roles, cold=state == "cold")
            if state == "warm" and set(cache.directory.rglob("*.npy")) - entries_before:
                state = "cold (shared cache was empty)"  # it embedded: say so; the next run is warm
            rows.append({"data": "womens 20,000 users", "embedder": embedder, "cache": state, "map": "pca",
                         "time": fmt_s(seconds), "limit": "-", "met": "-",
                         "embed_s": timings.get("embed"), "cluster_s": timings.get("cluster"),
                         "describe_s": timings.get("describe"), "map_s": timings.get("map"),
                         "K": metrics.get("auto_k"), "ARI": round(metrics.get("ari", float("nan")), 3)})
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--minilm-cold", action="store_true")
    args = parser.parse_args(argv)
    rows = run(args.quick, args.minilm_cold)
    print_table(f"Target 3: time to first segments (load average {load_average()})", rows)
    return rows


if __name__ == "__main__":
    main()
