"""Issue #18 items 1-3 figures: segment rules, how separable the segments are, and the saved
model's classifier beside nearest centre, on the bundled sample and on womens_clothing.

    python bench/explain_figures.py [--sets sample,womens_clothing] [--n 4000] [--embedder minilm]

Per set: segkit's defaults (K-means, automatic K) on `--embedder` vectors through the
EmbeddingCache, then

* rules (segkit.explain.rules.segment_rules): per segment the top rule, the rules'
  coverage and precision together, and the trees' overall agreement with the segments;
* separability (segkit.explain.separability.segment_separability): 5-fold cross-validated
  logistic regression on the fused space and the rule trees: per-segment precision, recall,
  F1, accuracy, macro F1, "hard to tell from" flags;
* assignment: a model saved from the run assigns its training users and held-out users
  (womens_clothing: `--holdout` reviews not used for the run, embedded anew) by nearest centre and by the
  classifier: agreement with the run's labels, and between the two methods.

Sample: every user of sample_data/store_reviews.csv, traits as inferred. womens_clothing:
a stratified seeded `--n` reviews (one review = one user), traits age and rating, labelled
by department; the held-out users are a disjoint stratified sample. womens_clothing_text:
the same users and texts without the traits.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import datasets  # noqa: E402
from common import load_average, print_table  # noqa: E402

from segkit.config import RunConfig  # noqa: E402
from segkit.embed.cache import EmbeddingCache  # noqa: E402
from segkit.explain.rules import segment_rules  # noqa: E402
from segkit.explain.separability import segment_separability  # noqa: E402
from segkit.io import infer_roles, read_table  # noqa: E402
from segkit.io.roles import ColumnRoles  # noqa: E402
from segkit.model import assign_users, fit_model  # noqa: E402
from segkit.model.assign_methods import assign_points  # noqa: E402
from segkit.model.segment_model import _reduce_new  # noqa: E402
from segkit.pipeline import run_segmentation  # noqa: E402

SAMPLE = BENCH.parent / "sample_data" / "store_reviews.csv"


def sample_set(n: int, holdout: int):
    frame = read_table(SAMPLE).frame
    return frame, infer_roles(frame), None


def womens_set(n: int, holdout: int):
    everything = datasets.womens_clothing(None)
    everything = everything.assign(user_id=[f"W{i:05d}" for i in range(len(everything))])
    train = datasets.stratified_sample(everything, "label", n, seed=0)
    rest = everything[~everything["user_id"].isin(train["user_id"])]
    held = datasets.stratified_sample(rest, "label", holdout, seed=1) if holdout else None
    roles = ColumnRoles(text_cols=("text",), user_col="user_id", numeric_cols=("age", "rating"), label_col="label")
    return train, roles, held


def womens_text_set(n: int, holdout: int):
    """The same users without traits: segments from what they wrote only."""
    train, roles, held = womens_set(n, holdout)
    return train, ColumnRoles(text_cols=("text",), user_col="user_id", label_col="label"), held


SETS = {"sample": sample_set, "womens_clothing": womens_set, "womens_clothing_text": womens_text_set}


def figures(name: str, frame: pd.DataFrame, roles: ColumnRoles, held: pd.DataFrame | None, embedder: str,
            k: int | None = None) -> None:
    config = RunConfig(roles=roles, embedder=embedder, algorithm_params={"k": k} if k else {})
    started = time.perf_counter()
    run = run_segmentation(frame, config, cache=EmbeddingCache(), with_map=False)
    seconds_run = time.perf_counter() - started
    names = run.summary.names
    started = time.perf_counter()
    rules = segment_rules(run)
    seconds_rules = time.perf_counter() - started
    started = time.perf_counter()
    separability = segment_separability(run)
    seconds_cv = time.perf_counter() - started
    table = separability.segment_table(names)
    rows = []
    for _, row in table.iterrows():
        segment = int(row["segment_id"])
        found = rules.rules.get(segment, ())
        rows.append({
            "segment": f"{segment} {row['segment_name']}"[:28], "users": int(row["users"]),
            "top rule (coverage, precision)": (f"{found[0].text()[:58]} ({found[0].coverage:.0%}, "
                                               f"{found[0].precision:.0%})") if found else "(none)",
            "rules cov": rules.set_coverage[segment], "rules prec": rules.set_precision[segment],
            "LR P": row["precision"], "LR R": row["recall"], "LR F1": row["f1"], "tree F1": row["tree_f1"],
            "flag": row["flag"],
        })
    tree = separability.tree
    note = (f"{embedder}, K = {len(table)} ({'automatic' if 'auto_k' in run.metrics else 'given'}), "
            f"{len(run.labels)} users; rules on {rules.n_users} users, trees agree with the segments for "
            f"{rules.agreement:.1%}; CV: {separability.folds} folds on {separability.n_users} users"
            f"{' (stratified sample)' if separability.sampled else ''}: logistic regression accuracy "
            f"{separability.linear.accuracy:.3f}, macro F1 {separability.linear.macro_f1:.3f}; rule trees accuracy "
            f"{tree.accuracy:.3f}, macro F1 {tree.macro_f1:.3f}. Seconds: run {seconds_run:.1f}, rules "
            f"{seconds_rules:.2f}, cross-validation {seconds_cv:.2f}; load average {load_average()}")
    print_table(f"{name}: rules and separability", rows, note)
    print("confusion (rows: segment, columns: predicted by the cross-validated logistic regression)")
    print(separability.linear.confusion.to_string())

    started = time.perf_counter()
    model = fit_model(run, frame)
    seconds_fit = time.perf_counter() - started
    # Training users are placed where the run placed them (the model's embedder check ties the
    # two), so their fused rows are reused instead of embedding them again.
    fused = np.asarray(run.space.fused.matrix, dtype=np.float64)
    labels = np.asarray(run.labels)
    ok = labels >= 0
    out = []
    for method in ("centroid", "classifier"):
        assigned = assign_points(model, fused, _reduce_new(model, fused), method)
        out.append({"method": method, "users": int(ok.sum()),
                    "agrees with run": float(np.mean(assigned["segment_id"].to_numpy()[ok] == labels[ok]))})
    note = f"model fit (with classifier) {seconds_fit:.1f} s; load average {load_average()}"
    if held is not None:
        by_centre, _ = assign_users(model, held, method="centroid")
        by_classifier, _ = assign_users(model, held, method="classifier")
        both = by_centre["segment_id"].notna() & by_classifier["segment_id"].notna()
        same = float((by_centre.loc[both, "segment_id"] == by_classifier.loc[both, "segment_id"]).mean())
        close = by_centre.loc[both, "distance_to_second"] / by_centre.loc[both, "distance_to_own"]
        note += (f"; {int(both.sum())} held-out users: the two methods agree for {same:.1%}; "
                 f"median distance_to_second / distance_to_own {float(close.median()):.3f}")
    print_table(f"{name}: saved model, nearest centre vs classifier (training users)", out, note)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="sample,womens_clothing,womens_clothing_text")
    parser.add_argument("--n", type=int, default=4000, help="womens_clothing users (stratified, seeded)")
    parser.add_argument("--holdout", type=int, default=500, help="womens_clothing held-out users (embedded anew)")
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--k", type=int, help="segments (default: segkit's automatic K)")
    args = parser.parse_args()
    pd.set_option("display.width", 250)
    for name in args.sets.split(","):
        frame, roles, held = SETS[name](args.n, args.holdout)
        figures(name, frame, roles, held, args.embedder, args.k)


if __name__ == "__main__":
    main()
