"""Issue #16 target 3, "HDBSCAN feels live": HDBSCAN's first fit, a min_cluster_size step and a
text-weight change at 20,000 users, with UMAP's settings before and after the layout budget
(segkit.pipeline.layout_rounds), in one run; and segment quality under both.

* before: UMAP's defaults (200 layout rounds beyond 10,000 users, 500 up to it; exact
  neighbours below 4,096 users), as segkit ran them until this change. Reproduced here by
  wrapping umap.UMAP (`umap_as_before`), so both rows come from the same code and run.
* after: what segkit does now (the "auto" reducer for a density method).

Timed (embeddings cached, UMAP compiled beforehand by warm_up_umap, as the dashboard does):
first fit = build_space (fuse + UMAP-5) + HDBSCAN (builds the single-linkage tree) + metrics;
min_cluster_size step = HDBSCAN re-condensing the cached tree + metrics; text weight change
= the same as a first fit at another weight (the UMAP space and the tree depend on it).
Users: bench/feedback.py's (womens_clothing reviews resampled with noise, traits age and
rating, tfidf vectors unless --embedder). Quality: HDBSCAN defaults, text only, on
ag_news_test (7,600) and a stratified 4,000 womens_clothing reviews by department (MiniLM,
as bench/quality.py; --quick: 2,000 of each), seeds 0-2; ARI counts unassigned users as a group.
"""

from __future__ import annotations

import argparse
import contextlib
import time

import numpy as np
from common import (
    cached_vectors,
    fmt_s,
    load_average,
    median_seconds,
    print_table,
    scaled_users,
    table_and_embeddings,
)
from datasets import DATASETS, TEXT_ONLY_ROLES, stratified_sample
from feedback import ROLES, source_users
from sklearn.metrics import adjusted_rand_score

from segkit.config import RunConfig
from segkit.derived_cache import Memory
from segkit.pipeline import build_space, cluster_space, evaluate, layout_rounds
from segkit.reduce.map2d import warm_up_umap

LIMITS = {"first fit": 5.0, "min_cluster_size step": 0.3, "text weight change": 3.0}
QUALITY_SIZES = {False: {"ag_news_test": None, "womens_clothing": 4000},
                 True: {"ag_news_test": 2000, "womens_clothing": 2000}}
SETTINGS = ("before", "after")


@contextlib.contextmanager
def umap_as_before(setting: str):
    """Inside: every umap.UMAP gets UMAP's default rounds and neighbour search (setting
    "before"); "after" leaves segkit's arguments alone."""
    import umap

    original = umap.UMAP
    if setting == "before":
        def before(**kwargs):
            kwargs.update(n_epochs=None, force_approximation_algorithm=False)
            return original(**kwargs)

        umap.UMAP = before
    try:
        yield
    finally:
        umap.UMAP = original


def fit(table, embeddings, config, memory, space=None):
    """(space, metrics, seconds of the UMAP build, seconds of tree + metrics)."""
    start = time.perf_counter()
    space = space or build_space(table, embeddings, config)
    built = time.perf_counter()
    result, _ = cluster_space(space, config, memory)
    metrics = evaluate(space, result, table, embeddings, config)
    return space, metrics, built - start, time.perf_counter() - built


def timing_rows(n: int, embedder: str, quick: bool) -> list[dict]:
    frame, vectors, used = source_users(embedder)
    users, vec = scaled_users(frame, vectors, n, seed=0)
    table, embeddings = table_and_embeddings(users, vec, ROLES, used)
    base = RunConfig(roles=ROLES, embedder=used, algorithm="hdbscan", algorithm_params={"min_cluster_size": 100})
    rows = []

    def add(setting, change, umap_s, rest_s, metrics, space):
        seconds = umap_s + rest_s
        limit = LIMITS[change.split(" (")[0]]
        met = seconds <= limit if change.startswith("text") or change.startswith("first") else seconds < limit
        epochs = space.reducer_params.get("n_epochs") if setting == "after" else "default"
        rows.append({"users": n, "setting": setting, "change": change, "time": fmt_s(seconds),
                     "seconds": round(seconds, 3), "umap": fmt_s(umap_s) if umap_s else "-",
                     "tree+metrics": fmt_s(rest_s), "limit": fmt_s(limit), "met": "yes" if met else "NO",
                     "n_epochs": epochs, "segments": metrics["n_segments"],
                     "noise": f"{metrics['noise_share']:.0%}", "ari_dept": round(metrics.get("ari", np.nan), 3)})

    for setting in SETTINGS:
        with umap_as_before(setting):
            memory = Memory()  # nothing cached from the other setting
            space, metrics, umap_s, rest_s = fit(table, embeddings, base, memory)
            add(setting, "first fit (text weight 0.7)", umap_s, rest_s, metrics, space)
            for size in (200, 50):  # the tree is cached: only condensing + metrics
                cfg = base.with_changes(algorithm_params={"min_cluster_size": size})
                rest_s, (_, metrics, _, _) = median_seconds(
                    lambda: fit(table, embeddings, cfg, memory, space), 1 if quick else 3)
                add(setting, f"min_cluster_size step (100->{size})", 0.0, rest_s, metrics, space)
            moved = base.with_changes(text_weight=0.5)
            space_w, metrics, umap_s, rest_s = fit(table, embeddings, moved, memory)
            add(setting, "text weight change (0.7->0.5)", umap_s, rest_s, metrics, space_w)
    return rows


def quality_rows(quick: bool, seeds=(0, 1, 2)) -> tuple[list[dict], list[str]]:
    rows, notes = [], []
    for name, n in QUALITY_SIZES[quick].items():
        frame = DATASETS[name](QUALITY_SIZES[False][name])  # embedded (and cached) as one set
        vectors = cached_vectors("minilm", frame["text"].tolist())
        if n is not None and n < len(frame):
            kept = stratified_sample(frame.assign(_row=np.arange(len(frame))), "label", n)["_row"].to_numpy()
            frame, vectors = frame.iloc[kept].reset_index(drop=True), vectors[kept]
        truth = frame["label"].to_numpy()
        table, embeddings = table_and_embeddings(frame, vectors, TEXT_ONLY_ROLES, "minilm")
        notes.append(f"{name}: {len(frame):,} docs, {len(set(truth))} labels; after = "
                     f"{layout_rounds(len(frame))} layout rounds")
        for setting in SETTINGS:
            aris, segments, noise, seconds = [], [], [], []
            with umap_as_before(setting):
                for seed in seeds:
                    config = RunConfig(roles=TEXT_ONLY_ROLES, embedder="minilm", algorithm="hdbscan", seed=seed)
                    start = time.perf_counter()
                    result, _ = cluster_space(build_space(table, embeddings, config), config)
                    seconds.append(time.perf_counter() - start)
                    aris.append(adjusted_rand_score(truth, result.labels))
                    segments.append(result.n_clusters)
                    noise.append(result.noise_share)
            rows.append({"dataset": name, "setting": setting, "ARI_mean": round(float(np.mean(aris)), 3),
                         "ARI_min": round(min(aris), 3), "ARI_max": round(max(aris), 3),
                         "ARI_per_seed": " ".join(f"{a:.3f}" for a in aris),
                         "segments": "/".join(map(str, segments)),
                         "noise": "/".join(f"{x:.0%}" for x in noise),
                         "s_per_fit": round(float(np.mean(seconds)), 2)})
    return rows, notes


def verdicts(timing: list[dict], quality: list[dict]) -> dict:
    after = [r for r in timing if r["setting"] == "after"]
    out = {
        "first fit <= 5 s": all(r["met"] == "yes" for r in after if r["change"].startswith("first")),
        "min_cluster_size step < 300 ms": all(r["met"] == "yes" for r in after if r["change"].startswith("min_")),
        "text weight change <= 3 s": all(r["met"] == "yes" for r in after if r["change"].startswith("text")),
    }
    for name in sorted({r["dataset"] for r in quality}):
        before = next(r for r in quality if r["dataset"] == name and r["setting"] == "before")
        new = next(r for r in quality if r["dataset"] == name and r["setting"] == "after")
        # Within seed-to-seed spread: the new mean is not below the old settings' worst seed.
        out[f"{name}: ARI within the old seeds' spread"] = new["ARI_mean"] >= before["ARI_min"]
    return out


def run(quick: bool = False, embedder: str = "tfidf", n: int = 20_000) -> tuple[list[dict], list[dict], dict]:
    warm_up_umap(blocking=True)  # what a user waits for after the dashboard's start-up compile
    timing = timing_rows(n, embedder, quick)
    print_table(f"HDBSCAN live (#16.3): {n:,} users, before/after the layout budget "
                f"(load average {load_average()})", timing,
                "umap = build_space (fuse + UMAP-5); tree+metrics = HDBSCAN + internal metrics; "
                "min_cluster_size steps re-read the cached tree")
    quality, notes = quality_rows(quick)  # 3 seeds in --quick too: 2 made the spread verdict a coin toss
    print_table(f"HDBSCAN defaults, text only: quality before/after (load average {load_average()})", quality,
                "\n".join(notes))
    checks = verdicts(timing, quality)
    for check, ok in checks.items():
        print(f"  {check}: {'MET' if ok else 'NOT MET'}")
    return timing, quality, checks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat per step, 2,000-doc quality sets")
    parser.add_argument("--embedder", default="tfidf", help="vectors of the 20,000 users (default tfidf, 128-d)")
    parser.add_argument("--users", type=int, default=20_000)
    args = parser.parse_args(argv)
    return run(args.quick, args.embedder, args.users)


if __name__ == "__main__":
    main()
