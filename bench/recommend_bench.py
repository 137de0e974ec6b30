"""Benchmark: do text-based segments improve recommendations over global popularity?

For each dataset with users, items and times (read in place from /work/shared/data):
1. the interactions are split by time: each user's last item is held out;
2. users are segmented with segkit's pipeline (TF-IDF embedder) from the text of their
   TRAINING reviews only (the held-out review's text would leak its item);
3. global popularity, segment popularity, segment item-kNN and item-kNN are scored with
   hit rate@10, NDCG@10 and coverage, with paired bootstrap intervals vs global popularity.

    .venv/bin/python bench/recommend_bench.py                      # amazon_musical_instruments_5core
    .venv/bin/python bench/recommend_bench.py --datasets amazon yelp --out bench/recommend_results.csv
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.datasets import DATA_ROOT  # noqa: E402
from segkit.config import RunConfig  # noqa: E402
from segkit.io.read import read_table  # noqa: E402
from segkit.io.roles import ColumnRoles  # noqa: E402
from segkit.pipeline import run_segmentation  # noqa: E402
from segkit.recommend import (  # noqa: E402
    InteractionColumns,
    evaluate_recommendations,
    format_report,
    prepare_interactions,
    split_interactions,
)
from segkit.recommend.interactions import id_strings  # noqa: E402

DATASETS = {
    "amazon": dict(path="amazon_musical_instruments_5core/reviews_Musical_Instruments_5.json.gz",
                   columns=InteractionColumns("reviewerID", "asin", "overall", "unixReviewTime"), text="reviewText"),
    "yelp": dict(path="yelp_10k/yelp.csv",
                 columns=InteractionColumns("user_id", "business_id", "stars", "date"), text="text"),
}


def load(name: str) -> pd.DataFrame:
    path = DATA_ROOT / DATASETS[name]["path"]
    data = path.read_bytes()
    if path.suffix == ".gz":  # read_table refuses compressed uploads; decompress in memory
        data = gzip.decompress(data)
        return read_table(data, filename=path.with_suffix("").with_suffix(".jsonl").name).frame
    return read_table(data, filename=path.name).frame


def settings(quick: bool) -> dict[str, dict]:
    grid = {"kmeans auto-K": {"algorithm": "kmeans", "algorithm_params": {}},
            "kmeans K=5": {"algorithm": "kmeans", "algorithm_params": {"k": 5}},
            "kmeans K=10": {"algorithm": "kmeans", "algorithm_params": {"k": 10}},
            "kmeans K=20": {"algorithm": "kmeans", "algorithm_params": {"k": 20}}}
    if quick:
        grid = {k: v for k, v in grid.items() if k in ("kmeans K=10",)}
    return grid


def run_dataset(name: str, k: int, seed: int, quick: bool, n_boot: int) -> pd.DataFrame:
    spec = DATASETS[name]
    started = time.perf_counter()
    frame = load(name)
    interactions = prepare_interactions(frame, spec["columns"])
    split = split_interactions(interactions, n_test=1, seed=seed)
    # Segment on the training reviews only: the rows whose (user, item) stayed in training.
    cols = spec["columns"]
    keys = pd.MultiIndex.from_arrays([id_strings(frame[cols.user_col]), id_strings(frame[cols.item_col])])
    train_keys = pd.MultiIndex.from_frame(split.train[["user", "item"]])
    train_rows = frame[keys.isin(train_keys)].reset_index(drop=True)
    roles = ColumnRoles(text_cols=(spec["text"],), user_col=cols.user_col)
    segmentations = {}
    for label, values in settings(quick).items():
        config = RunConfig(roles=roles, embedder="tfidf", seed=seed, **values)
        run = run_segmentation(train_rows, config, with_map=False)
        users = run.table.users["user_id"].astype(str).to_numpy()
        labels = run.user_labels()
        keep = labels >= 0
        segmentations[f"{label} ({run.result.n_clusters} seg.)"] = pd.Series(labels[keep], index=users[keep])
        print(f"[{name}] {label}: {run.result.n_clusters} segments, silhouette {run.metrics.get('silhouette'):.3f}",
              file=sys.stderr)
    report = evaluate_recommendations(interactions, segmentations, k=k, split=split, seed=seed, n_boot=n_boot,
                                      methods=("segment_popularity", "segment_item_knn"), include_item_knn=True)
    print(f"\n=== {name}: {len(interactions.frame)} interactions, {interactions.n_users} users, "
          f"{interactions.n_items} items; {time.perf_counter() - started:.0f} s ===")
    print(format_report(report))
    table = report.table.copy()
    table.insert(0, "dataset", name)
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["amazon"], choices=list(DATASETS))
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="one segmentation setting only")
    parser.add_argument("--out", help="CSV of all results")
    args = parser.parse_args(argv)
    tables = [run_dataset(name, args.k, args.seed, args.quick, args.n_boot) for name in args.datasets]
    if args.out:
        pd.concat(tables, ignore_index=True).to_csv(args.out, index=False)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
