"""Segments over time on real dates: Amazon Musical Instruments 5-core (unixReviewTime) and
yelp_10k (date).

For each set: read the file with its time column (bench/datasets.py's loaders drop it), fit
a TF-IDF K-means model on period A (one year), let it assign period B's users, and report
sizes per period, grown/faded segments, movers and the outlier share. Then plant a shift on
the real data (keep only enough of B's users outside one segment that it triples its share)
and check that it is flagged. Also times `segkit drift` end to end.

    .venv/bin/python bench/timeline_bench.py [--set amazon|yelp|both] [--a 2013 --b 2014]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path("/work/shared/data") if Path("/work/shared/data").is_dir() else ROOT.parent / "shared" / "data"

from segkit.config import RunConfig  # noqa: E402
from segkit.io.roles import ColumnRoles  # noqa: E402
from segkit.model.segment_model import fit_model, save_model  # noqa: E402
from segkit.pipeline import run_segmentation  # noqa: E402
from segkit.timeline import (  # noqa: E402
    assign_by_period,
    choose_freq,
    drift_report,
    movers,
    parse_times,
    share_shifts,
    sizes_of,
)


def amazon() -> tuple[pd.DataFrame, str]:
    raw = pd.read_json(DATA / "amazon_musical_instruments_5core" / "reviews_Musical_Instruments_5.json.gz", lines=True)
    return pd.DataFrame({"user_id": raw["reviewerID"].astype(str), "text": raw["reviewText"].fillna("").astype(str),
                         "rating": raw["overall"].astype(float), "unixReviewTime": raw["unixReviewTime"]}), \
        "unixReviewTime"


def yelp() -> tuple[pd.DataFrame, str]:
    raw = pd.read_csv(DATA / "yelp_10k" / "yelp.csv")
    return pd.DataFrame({"user_id": raw["user_id"].astype(str), "text": raw["text"].fillna("").astype(str),
                         "rating": raw["stars"].astype(float), "date": raw["date"]}), "date"


def bench(name: str, frame: pd.DataFrame, time_col: str, year_a: str, year_b: str, k: int) -> None:
    times = parse_times(frame[time_col], time_col)
    print(f"\n== {name}: {len(frame):,} reviews, {frame['user_id'].nunique():,} users, "
          f"{times.min():%Y-%m-%d} .. {times.max():%Y-%m-%d}; auto period: {choose_freq(times)}")
    print("reviews per year:", times.dt.year.value_counts().sort_index().to_dict())
    roles = ColumnRoles(text_cols=("text",), user_col="user_id", numeric_cols=("rating",))
    a_rows = frame[(times.dt.year == int(year_a)).to_numpy()].reset_index(drop=True)
    config = RunConfig(roles=roles, embedder="tfidf", algorithm="kmeans", algorithm_params={"k": k}, map_method="pca")
    start = time.perf_counter()
    run = run_segmentation(a_rows[["user_id", "text", "rating"]], config, with_map=False)
    model = fit_model(run, a_rows)
    print(f"model on {year_a}: {len(a_rows):,} reviews, {run.table.n_users:,} users, K={k}, "
          f"silhouette {run.metrics['silhouette']:.3f}, {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    assigned, freq = assign_by_period(model, frame, time_col, "year", periods=[year_a, year_b])
    sizes = sizes_of(assigned, model.names)
    report = drift_report(assigned, sizes, year_a, year_b)
    moves = movers(assigned, year_a, year_b, model.names)
    print(f"assign {year_a} + {year_b} by the model: {time.perf_counter() - start:.1f} s")
    shifts = report.shifts[["segment_name", "users_a", "users_b", "share_a", "share_b", "change", "status"]]
    print(shifts.to_string(index=False))
    print(f"outliers: {report.outlier_share_a:.1%} in {year_a}, {report.outlier_share_b:.1%} in {year_b}; "
          f"warning: {report.new_segment_warning or 'none'}")
    print(f"users in both years: {moves.n_both:,}; moved segment: {moves.n_moved:,} ({moves.moved_share:.0%})")
    if not moves.flows.empty:
        print(moves.flows.head(5)[["from_segment", "to_segment", "users", "share_of_from", "example_users"]]
              .to_string(index=False, max_colwidth=36))

    # A planted shift on the real users: segment s triples its share in B by dropping other B users.
    b_users = assigned[(assigned["period"] == year_b) & (assigned["segment_id"] >= 0)]
    shares = b_users["segment_id"].value_counts(normalize=True)
    target = int(shares[(shares > 0.05) & (shares < 0.2)].index[0]) if ((shares > 0.05) & (shares < 0.2)).any() \
        else int(shares.index[-1])
    p = float(shares[target])
    inside = b_users[b_users["segment_id"] == target]
    outside = b_users[b_users["segment_id"] != target]
    keep_out = int(round(len(inside) * (1 - min(3 * p, 0.6)) / min(3 * p, 0.6)))
    rng = np.random.default_rng(0)
    planted_b = pd.concat([inside, outside.iloc[rng.choice(len(outside), size=min(keep_out, len(outside)),
                                                           replace=False)]])
    planted = pd.concat([assigned[assigned["period"] == year_a], planted_b])
    shifted = share_shifts(sizes_of(planted, model.names), year_a, year_b)
    row = shifted[shifted["segment_id"] == target].iloc[0]
    print(f"planted: '{row['segment_name']}' {row['share_a']:.0%} -> {row['share_b']:.0%} in {year_b}: "
          f"status {row['status']} ({'detected' if row['status'] == 'grew' else 'MISSED'})")

    with tempfile.TemporaryDirectory() as tmp:
        save_model(model, Path(tmp) / "model")
        data = Path(tmp) / "data.csv"
        frame[(times.dt.year.isin([int(year_a), int(year_b)])).to_numpy()].to_csv(data, index=False)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "segkit.cli", "drift", str(Path(tmp) / "model"), str(data),
                               "--time-col", time_col, "--freq", "year", "--out", str(Path(tmp) / "moves.csv")],
                              capture_output=True, text=True, cwd=ROOT, env={**__import__("os").environ,
                                                                              "PYTHONPATH": str(ROOT)})
        print(f"segkit drift CLI: exit {proc.returncode}, {time.perf_counter() - start:.1f} s, "
              f"{len(pd.read_csv(Path(tmp) / 'moves.csv')) if proc.returncode == 0 else 0} flows written")
        if proc.returncode:
            print(proc.stderr[-2000:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=["amazon", "yelp", "both"], default="both")
    parser.add_argument("--k", type=int, default=6)
    args = parser.parse_args()
    if args.set in ("amazon", "both"):
        bench("amazon_musical_instruments_5core", *amazon(), "2013", "2014", args.k)
    if args.set in ("yelp", "both"):
        bench("yelp_10k", *yelp(), "2011", "2012", args.k)


if __name__ == "__main__":
    main()
