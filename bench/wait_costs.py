"""The cost model behind segkit's time-left figures (segkit/waits/costs.py): every phase of every wait, timed.

    python bench/wait_costs.py            # ~6 min: files, 5,000-200,000 users
    python bench/wait_costs.py --quick    # ~1.5 min: up to 20,000 users

Runs each wait the dashboard shows - reading a file and inferring its roles, preparing
users, building the clustering space (PCA, and UMAP-5 for HDBSCAN), clustering with
descriptions (K-means with automatic K, HDBSCAN, GMM, agglomerative), the 2-D UMAP map -
inside a `segkit.waits.Wait` whose phases the library announces, and prints each phase's
seconds with its units (segkit/waits/plans.py), then a least-squares fit of
`seconds = fixed + per_unit * units` per phase (non-negative), the form of
`segkit.waits.costs.COSTS`. Data: the real CSVs in /work/shared/data and the noisy
review users of bench/browser_scale.py (20,000 and 200,000 rows, built in a temp folder).
The per-machine corrections are off (a temp file), so nothing here is corrected.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import load_average, print_table  # noqa: E402
from datasets import DATA_ROOT  # noqa: E402

from segkit import waits  # noqa: E402
from segkit.waits import costs, plans  # noqa: E402

FILES = [DATA_ROOT / "yelp_10k" / "yelp.csv", DATA_ROOT / "womens_clothing" / "womens_clothing_reviews.csv",
         DATA_ROOT / "ag_news_test" / "ag_news_test.csv"]


def scaled_file(n_users: int, folder: Path) -> Path:
    """browser_scale.py's CSV of n noisy real reviews (user_id, review, rating)."""
    path = folder / f"users_{n_users}.csv"
    if not path.exists():
        from browser_scale import scale_csv

        path.write_bytes(scale_csv(n_users))
    return path


def timed(wait: waits.Wait, work):
    """Run `work()` inside `wait`; (result, {phase: seconds}, {phase: units}) for every phase
    that ran. Under `unit_costs` a phase's raw seconds are its units (revisions included)."""
    with waits.waiting(wait):
        result = work()
    ran = sorted(wait.actual.items())
    return result, {wait.phases[i].name: t for i, t in ran}, {wait.phases[i].name: wait.phases[i].raw for i, _ in ran}


KEYS = sorted(costs.COSTS)


class unit_costs:
    """COSTS = 0 s + 1 s per unit for every key while inside: plans' raw seconds are units."""

    def __enter__(self):
        self.saved = dict(costs.COSTS)
        costs.COSTS.update({key: (0.0, 1.0) for key in KEYS})

    def __exit__(self, *exc):
        costs.COSTS.update(self.saved)


def measure(quick: bool) -> list[dict]:
    from segkit.config import RunConfig
    from segkit.derived_cache import Memory
    from segkit.embed.cache import EmbeddingCache
    from segkit.io import infer_roles, prepare_users, read_table
    from segkit.pipeline import build_space, embed_users, resolve_reducer, segment_embedded
    from segkit.reduce.map2d import project_2d, warm_up_umap

    rows: list[dict] = []

    def record(label: str, measured: dict, units: dict, shape: tuple[int, int] = (0, 0)) -> None:
        for name, seconds in measured.items():
            rows.append({"data": label, "phase": name, "units": round(units.get(name) or 0.0, 4),
                         "seconds": round(seconds, 3), "rows": shape[0], "cols": shape[1]})
            print(rows[-1], flush=True)

    folder = Path(tempfile.mkdtemp(prefix="segkit-wait-costs-"))
    sizes = (5_000, 20_000) if quick else (5_000, 20_000, 50_000, 200_000)
    files = list(FILES) + [scaled_file(20_000, folder)] + ([] if quick else [scaled_file(200_000, folder)])
    warm_up_umap(blocking=True)
    big = None
    for path in files:
        n_bytes = path.stat().st_size

        def read_and_roles(path=path, n_bytes=n_bytes):
            loaded = read_table(path)
            plans.enter_roles(n_bytes, loaded.frame.shape)
            return loaded, infer_roles(loaded.frame)

        (loaded, roles), measured, units = timed(plans.upload_wait(n_bytes), read_and_roles)
        record(path.name, measured, units, loaded.frame.shape)
        table, measured, units = timed(plans.prepare_wait(n_bytes), lambda: prepare_users(loaded.frame, roles))
        record(path.name, measured, units, loaded.frame.shape)
        if path.name.startswith("users_"):
            big = (loaded, roles, table)
    loaded, roles, _ = big
    methods = [("kmeans", sizes), ("hdbscan", sizes[:2] if quick else sizes[:3]), ("gmm", sizes[:2]),
               ("agglomerative", sizes[:1] if quick else sizes[:2]), ("minibatch_kmeans", sizes)]
    for n in sizes:
        frame = loaded.frame.iloc[:n].reset_index(drop=True)
        table = prepare_users(frame, roles)
        sub = embed_users(table, "tfidf", {}, cache=EmbeddingCache(), frame=frame)
        label = f"{n:,} users"
        n_rows = len(table.row_texts)
        mean_chars = float(np.mean([len(t) for t in table.row_texts]))
        for algorithm, at in methods:
            if n not in at:
                continue
            config = RunConfig(roles=roles, embedder="tfidf", algorithm=algorithm)
            reducer, params = resolve_reducer(config, n_users=n)
            dims = sub.vectors.shape[1] + len(roles.numeric_cols)
            memory = Memory()
            space, measured, units = timed(plans.space_wait(n, dims, reducer, params),
                                           lambda: build_space(table, sub, config, memory))
            record(label, measured, units)
            auto = algorithm in ("kmeans", "minibatch_kmeans", "gmm", "agglomerative")

            _, measured, units = timed(plans.cluster_wait(n, algorithm, auto, n_rows, mean_chars),
                                       lambda: segment_embedded(table, sub, config, with_map=False,
                                                                space=space, memory=memory))
            record(f"{label} {algorithm}", measured, units)
        if n <= (20_000 if quick else 50_000):
            config = RunConfig(roles=roles, embedder="tfidf")
            space = build_space(table, sub, config)
            _, measured, units = timed(plans.map_wait(n),
                                       lambda: project_2d(space.fused.matrix, method="umap", seed=0))
            record(label, measured, units)
    return rows


def fit(rows: list[dict]) -> list[dict]:
    """seconds = fixed + per_unit * units per phase, least squares with both >= 0."""
    from scipy.optimize import nnls

    out = []
    for name in sorted({r["phase"] for r in rows}):
        points = [(r["units"], r["seconds"]) for r in rows if r["phase"] == name]
        units = np.array([p[0] for p in points], dtype=float)
        seconds = np.array([p[1] for p in points], dtype=float)
        # Relative errors matter (a time left is read as a ratio): weight each point by 1/seconds.
        weight = 1.0 / np.maximum(seconds, 0.05)
        design = np.column_stack([np.ones_like(units), units]) * weight[:, None]
        (fixed, per_unit), _ = nnls(design, seconds * weight)
        predicted = fixed + per_unit * units
        worst = float(np.max(np.abs(predicted / np.maximum(seconds, 1e-3) - 1))) if len(points) else 0.0
        out.append({"phase": name, "points": len(points), "fixed_s": round(fixed, 4), "per_unit_s": f"{per_unit:.4g}",
                    "largest_s": round(float(seconds.max()), 2), "worst_error": f"{worst:+.0%}"})
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    os.environ[costs.SPEEDS_ENV] = str(Path(tempfile.mkdtemp(prefix="segkit-speeds-")) / "off.json")
    print(f"load average at the start: {load_average()}")
    started = time.perf_counter()
    with unit_costs():
        rows = measure(args.quick)
    print_table(f"Phases of every wait (load average {load_average()}, {time.perf_counter() - started:.0f} s)", rows)
    print_table("Fitted cost model (segkit/waits/costs.py COSTS)", fit(rows),
                "worst_error: the fit's largest relative miss over the points; small phases are noisy")


if __name__ == "__main__":
    main()
