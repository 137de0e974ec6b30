"""Benchmark: do user segments improve recommendations, and for whom?

For each dataset (read in place from /work/shared/data, or generated):
1. `cold_start_split`: 20% of the users with 2+ items become new users (known only by their
   first review; its item excluded from the candidates; their later items are the targets),
   20% keep only their first 1 or 2 items (thin history), the rest hold out their last item;
2. segments are fitted on the warm users' training-period text only (segkit's pipeline) and
   thin and new users are assigned with the saved model (`segkit assign`'s path);
3. global popularity, segment popularity (and with shuffled segments), nearest users by
   embedding, item-kNN and two item-kNN blends (segment prior / global prior, weight chosen on a
   validation split; the global one at the same weight, an ablation) are scored per group with NDCG@10 and paired
   bootstrap 95% intervals (`segkit.recommend.leakage_free_evaluation`).

Datasets: amazon (musical instruments 5-core), yelp (yelp_10k), planted (MovieLens-style:
generated users with demographics and ratings, no text; five planted taste groups the
demographics only partly reveal) and planted_null (the same without any link between
demographics and taste). The planted sets are segmented on their demographics given as
precomputed vectors, the route that works without text today.

    .venv/bin/python bench/recommend_bench.py                                 # amazon, TF-IDF
    .venv/bin/python bench/recommend_bench.py --datasets amazon yelp planted planted_null --k-sweep
    .venv/bin/python bench/recommend_bench.py --datasets amazon --embedder minilm   # cached vectors only

MiniLM runs read the file's vectors from ~/.cache/segkit (a miss stops the bench: it never runs the
model); `leakage_free_evaluation` then re-segments the training rows from those per-row vectors.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.datasets import DATA_ROOT  # noqa: E402
from segkit.config import RunConfig  # noqa: E402
from segkit.embed.cache import EmbeddingCache  # noqa: E402
from segkit.io.read import read_table  # noqa: E402
from segkit.io.roles import ColumnRoles  # noqa: E402
from segkit.recommend import InteractionColumns, prepare_interactions  # noqa: E402
from segkit.recommend.coldstart import format_cold_start  # noqa: E402
from segkit.recommend.k_sweep import recommendation_k_sweep  # noqa: E402
from segkit.recommend.leakage_free import leakage_free_evaluation  # noqa: E402

DATASETS = {
    "amazon": dict(path="amazon_musical_instruments_5core/reviews_Musical_Instruments_5.json.gz",
                   columns=InteractionColumns("reviewerID", "asin", "overall", "unixReviewTime"), text="reviewText"),
    "yelp": dict(path="yelp_10k/yelp.csv",
                 columns=InteractionColumns("user_id", "business_id", "stars", "date"), text="text"),
    "planted": dict(columns=InteractionColumns("user_id", "item_id", "rating", "timestamp"), text=None),
    "planted_null": dict(columns=InteractionColumns("user_id", "item_id", "rating", "timestamp"), text=None),
}
DEMOGRAPHICS = ("age", "gender", "occupation")


def load(name: str) -> pd.DataFrame:
    if name.startswith("planted"):
        return planted_ratings(linked=name == "planted")
    path = DATA_ROOT / DATASETS[name]["path"]
    data = path.read_bytes()
    if path.suffix == ".gz":  # read_table refuses compressed uploads; decompress in memory
        data = gzip.decompress(data)
        return read_table(data, filename=path.with_suffix("").with_suffix(".jsonl").name).frame
    return read_table(data, filename=path.name).frame


def planted_ratings(n_users: int = 2000, n_items: int = 600, n_groups: int = 5, linked: bool = True,
                    seed: int = 0) -> pd.DataFrame:
    """MovieLens-style rows (user, item, rating, time, age, gender, occupation), no text.

    Each user belongs to one of `n_groups` taste groups and rates 10-40 items, 80% from the
    group's own block of the catalogue (Zipf within it), 20% from the whole catalogue. With
    `linked`, occupation follows the group 60% of the time and age centres differ by group
    (sd 10 years); without, demographics are drawn independently of the group."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, n_groups, n_users)
    demo_group = group if linked else rng.integers(0, n_groups, n_users)
    occupations = np.array([f"job{j}" for j in range(2 * n_groups)])
    own_job = rng.random(n_users) < 0.6
    occupation = np.where(own_job, occupations[demo_group * 2 + rng.integers(0, 2, n_users)],
                          occupations[rng.integers(0, len(occupations), n_users)])
    age = np.clip(rng.normal(22 + 8 * demo_group, 10), 16, 80).round()
    gender = np.where(rng.random(n_users) < 0.3 + 0.1 * demo_group, "F", "M")
    block = n_items // n_groups
    zipf_block = 1.0 / np.arange(1, block + 1) ** 0.9
    zipf_all = 1.0 / np.arange(1, n_items + 1) ** 0.9
    rows = []
    for u in range(n_users):
        p = 0.2 * zipf_all / zipf_all.sum()
        p[group[u] * block:(group[u] + 1) * block] += 0.8 * zipf_block / zipf_block.sum()
        size = int(rng.integers(10, 41))
        items = rng.choice(n_items, size=size, replace=False, p=p / p.sum())
        for t, item in enumerate(items):
            rows.append((f"u{u:05d}", f"m{item:04d}", int(rng.integers(3, 6)), 978_300_000 + 3600 * t + u,
                         age[u], gender[u], occupation[u]))
    return pd.DataFrame(rows, columns=["user_id", "item_id", "rating", "timestamp", *DEMOGRAPHICS])


def with_demographic_vectors(frame: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Demographics as precomputed vector columns (age scaled, one-hot gender and occupation)."""
    parts = [((frame["age"] - frame["age"].mean()) / frame["age"].std()).rename("vec_age").to_frame()]
    for column in ("gender", "occupation"):
        parts.append(pd.get_dummies(frame[column], prefix=f"vec_{column}", dtype=float))
    vectors = pd.concat(parts, axis=1)
    return pd.concat([frame, vectors], axis=1), tuple(vectors.columns)


def minilm_is_cached(frame: pd.DataFrame, text_col: str, user_col: str, cache) -> bool:
    """Whether MiniLM vectors of this whole file are in the cache (the bench never runs the model)."""
    from segkit.io.prepare import prepare_users
    from segkit.pipeline import embeddings_cached

    table = prepare_users(frame, ColumnRoles(text_cols=(text_col,), user_col=user_col))
    return embeddings_cached(table, "minilm", cache)


def setup(name: str, embedder: str, cache) -> tuple[pd.DataFrame, RunConfig, str]:
    spec = DATASETS[name]
    frame = load(name)
    user_col = spec["columns"].user_col
    if spec["text"] is None:
        frame, vector_cols = with_demographic_vectors(frame)
        roles = ColumnRoles(text_cols=(), user_col=user_col, vector_cols=vector_cols)
        return frame, RunConfig(roles=roles, embedder="precomputed"), "demographics as precomputed vectors"
    if embedder == "minilm" and not minilm_is_cached(frame, spec["text"], user_col, cache):
        raise SystemExit("MiniLM vectors for this file are not in ~/.cache/segkit; use --embedder tfidf.")
    roles = ColumnRoles(text_cols=(spec["text"],), user_col=user_col)
    return frame, RunConfig(roles=roles, embedder=embedder), embedder


def run_dataset(name: str, embedder: str, k: int, seed: int, n_boot: int, ks: list[str],
                k_sweep: bool) -> list[pd.DataFrame]:
    started = time.perf_counter()
    cache = EmbeddingCache()  # per-text embedders: every row embedded once (here: read), then reused
    frame, base, how = setup(name, embedder, cache)
    interactions = prepare_interactions(frame, DATASETS[name]["columns"])
    print(f"\n##### {name}: {len(interactions.frame)} interactions, {interactions.n_users} users, "
          f"{interactions.n_items} items; segments from {how}")
    tables = []
    for setting in ks:
        params = {} if setting == "auto" else {"k": int(setting)}
        config = base.with_changes(algorithm="kmeans", algorithm_params=params, seed=seed)
        result = leakage_free_evaluation(frame, config, interactions=interactions, k=k, seed=seed, n_boot=n_boot,
                                         cache=cache)
        label = f"K={setting}" if setting != "auto" else "auto-K"
        print(f"\n=== {name}, {label} ({result.n_segments} segments, {result.label}; "
              f"{time.perf_counter() - started:.0f} s so far) ===")
        print(format_cold_start(result.report))
        print("verdicts:")
        for line in result.verdict_lines():
            print(f"  {name}: {line}")
        for table, kind in ((result.report.comparisons, "comparison"), (result.report.table, "metrics")):
            table = table.copy()
            table.insert(0, "setting", label)
            table.insert(0, "kind", kind)
            table.insert(0, "dataset", name)
            tables.append(table)
    if k_sweep:
        config = base.with_changes(seed=seed)
        sweep = recommendation_k_sweep(frame, config, interactions=interactions, k=k, seed=seed, n_boot=n_boot,
                                       cache=cache)
        print(f"\n=== {name}: segment popularity's NDCG@{k} gain over global popularity per K "
              f"(silhouette on {sweep.attrs.get('sample_size')} users; default = the automatic K rule) ===")
        show = pd.DataFrame({"K": sweep["k"], "silhouette": sweep["silhouette"].map("{:.3f}".format),
                             "excess": sweep["silhouette_excess"].map("{:+.3f}".format),
                             "default": np.where(sweep["default"], "<-", "")})
        for group in ("warm", "thin", "new"):
            show[group] = [f"{g:+.4f} [{lo:+.4f}, {hi:+.4f}]" for g, lo, hi in
                           zip(sweep[f"{group}_ndcg_gain"], sweep[f"{group}_ci_low"], sweep[f"{group}_ci_high"],
                               strict=True)]
        print(show.to_string(index=False))
        sweep = sweep.assign(dataset=name, kind="k_sweep")
        tables.append(sweep)
    print(f"[{name}] {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["amazon"], choices=list(DATASETS))
    parser.add_argument("--embedder", default="tfidf", help="tfidf (default), static, or minilm (cached only)")
    parser.add_argument("--ks", nargs="+", default=["auto", "10"], help="segment counts: 'auto' or numbers")
    parser.add_argument("--k", type=int, default=10, help="list length")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--k-sweep", action="store_true", help="also the recommendation gain per K")
    parser.add_argument("--out", help="CSV of all results")
    args = parser.parse_args(argv)
    tables = []
    for name in args.datasets:
        tables += run_dataset(name, args.embedder, args.k, args.seed, args.n_boot, args.ks, args.k_sweep)
    if args.out:
        pd.concat(tables, ignore_index=True).to_csv(args.out, index=False)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
