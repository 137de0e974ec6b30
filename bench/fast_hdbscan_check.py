"""Issue #16 target 3: fast-hdbscan (multicore Boruvka) measured against the hdbscan package segkit uses.

On the clustering space HDBSCAN sees in the dashboard (bench/feedback.py's users: womens_clothing
reviews resampled with noise, traits age and rating, TF-IDF; UMAP-5 at text weight 0.7 and 0.5)
at 20,000 and 50,000 users, min_cluster_size 100, min_samples 10 (segkit's defaults for the bench):

* the fit: hdbscan (approximate minimum spanning tree, its default, one core, as segkit runs it), hdbscan
  with the exact tree, and fast-hdbscan (exact Boruvka on all cores; its min_samples counts the
  point itself one less than hdbscan's, so 9 gives hdbscan's core distances);
* agreement: segments, unassigned share and ARI against hdbscan as segkit runs it.

fast-hdbscan is not a segkit dependency: pip install fast-hdbscan to run this. Its numba code
compiles once per machine (cached on disk); the first call is timed apart.

    .venv/bin/python bench/fast_hdbscan_check.py [--sizes 20000 50000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import load_average, print_table, scaled_users, table_and_embeddings  # noqa: E402
from feedback import ROLES, source_users  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402

from segkit.config import RunConfig  # noqa: E402
from segkit.pipeline import build_space  # noqa: E402
from segkit.reduce.map2d import warm_up_umap  # noqa: E402


def timed(fit):
    started = time.perf_counter()
    labels = fit()
    return time.perf_counter() - started, labels


def rows_for(n: int, fast_hdbscan, hdbscan) -> list[dict]:
    frame, vectors, used = source_users("tfidf")
    users, vec = scaled_users(frame, vectors, n, seed=0)
    table, embeddings = table_and_embeddings(users, vec, ROLES, used)
    base = RunConfig(roles=ROLES, embedder=used, algorithm="hdbscan", algorithm_params={"min_cluster_size": 100})
    rows = []
    for weight in (0.7, 0.5):
        x = np.ascontiguousarray(build_space(table, embeddings, base.with_changes(text_weight=weight)).matrix,
                                 dtype=np.float64)
        fits = {
            "hdbscan (segkit today)": lambda: hdbscan.HDBSCAN(min_cluster_size=100, min_samples=10,
                                                                        core_dist_n_jobs=1).fit(x).labels_,
            "hdbscan, exact tree": lambda: hdbscan.HDBSCAN(min_cluster_size=100, min_samples=10,
                                                          approx_min_span_tree=False, core_dist_n_jobs=1).fit(x).labels_,
            "fast-hdbscan": lambda: fast_hdbscan.HDBSCAN(min_cluster_size=100, min_samples=9).fit(x).labels_,
        }
        reference = None
        for name, fit in fits.items():
            seconds, labels = timed(fit)
            if name == "fast-hdbscan":  # the first call may have compiled; time a second one
                seconds, labels = timed(fit)
            reference = labels if reference is None else reference
            rows.append({"users": n, "text weight": weight, "method": name, "fit_s": round(seconds, 3),
                         "segments": int(labels.max() + 1), "unassigned": f"{np.mean(labels < 0):.1%}",
                         "ARI vs segkit today": round(adjusted_rand_score(reference, labels), 4)})
    return rows


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 50_000])
    args = parser.parse_args(argv)
    try:
        import fast_hdbscan
    except ImportError:
        fast_hdbscan = None
    if not hasattr(fast_hdbscan, "HDBSCAN"):  # missing, or a folder left behind by an uninstall
        print("fast-hdbscan is not installed (pip install fast-hdbscan)", file=sys.stderr)
        return []
    import hdbscan

    warm_up_umap(blocking=True)
    warm = np.random.default_rng(0).normal(size=(500, 5))
    hdbscan.HDBSCAN(min_cluster_size=5, core_dist_n_jobs=1).fit(warm)
    started = time.perf_counter()
    fast_hdbscan.HDBSCAN(min_cluster_size=5).fit(warm)
    first_call = time.perf_counter() - started
    load = load_average()
    rows = [row for n in args.sizes for row in rows_for(n, fast_hdbscan, hdbscan)]
    print_table(f"fast-hdbscan vs hdbscan on the dashboard's HDBSCAN space (load average {load} -> "
                f"{load_average()}; fast-hdbscan's first call in this process {first_call:.1f} s)", rows)
    return rows


if __name__ == "__main__":
    main()
