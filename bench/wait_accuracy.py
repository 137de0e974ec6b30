"""Issue 16 target 6, honest waiting: the time left each wait shows against the time really left.

    python bench/wait_accuracy.py            # ~10 min
    python bench/wait_accuracy.py --quick    # ~3 min: smaller sizes
    python bench/wait_accuracy.py --only map,minilm

For every wait the dashboard draws (segkit.waits.plans), one run in a fresh child process
does the work the dashboard does, inside the wait, while a sampler reads `wait.status()`
every 50 ms - what the bar shows. At 10, 25, 50 and 75% of the wait's real duration the
time left shown is compared with the time that was really left (error = shown / left - 1).

* "constants": a machine with no learned speeds (the cost model of segkit/waits/costs.py,
  fitted by bench/wait_costs.py on this machine on other days);
* "learned": after one earlier run of the same step on *other* data (a smaller size or
  other reviews) taught this machine's speed (segkit/waits/costs.py Speeds), the usual case;
* "today": what the dashboard showed before this change, in the same run: a spinner with no
  time for every wait but embedding; for embedding the old rule (the embedder's fixed
  texts/s estimate less the time spent, the rate since the start once 3% are done).

Data: the 20,000 and 200,000 noisy real reviews of bench/browser_scale.py (upload,
preparing users, TF-IDF embedding, K-means, maps, GMM's seed stability) and the
womens_clothing-based users of bench/hdbscan_live.py (HDBSCAN with the dashboard's
defaults, min_cluster_size 30, and its bootstrap stability);
MiniLM on yelp_10k / womens_clothing reviews, no cache, the model loaded in the child (a first
upload); the Recommend page's evaluation and K sweep on the Amazon musical-instruments users and
yelp_10k with their interactions (bench/recommend_bench.py's sets, TF-IDF, no cache). UMAP is compiled in each child before timing (the dashboard's server warm-up).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from common import load_average, print_table  # noqa: E402

CHECKPOINTS = (0.1, 0.25, 0.5, 0.75)
# wait -> (size learned from, size measured); quick sizes after the "|".
CASES = {
    "upload": ((20_000, 200_000), (5_000, 20_000)),
    "prepare": ((20_000, 200_000), (5_000, 20_000)),
    "tfidf": ((20_000, 200_000), (5_000, 20_000)),
    "hdbscan_space": ((5_000, 20_000), (2_000, 5_000)),
    "hdbscan_cluster": ((5_000, 20_000), (2_000, 5_000)),
    "kmeans_cluster": ((20_000, 200_000), (5_000, 20_000)),
    "map": ((20_000, 50_000), (5_000, 20_000)),
    "gmm_seeds": ((20_000, 200_000), (5_000, 20_000)),
    "hdbscan_bootstrap": ((10_000, 50_000), (5_000, 20_000)),
    "minilm": ((1_000, 5_000), (300, 1_000)),
    # The Recommend page, TF-IDF; the size names the data (RECOMMEND_DATA): learned on the
    # Amazon musical-instruments users, measured on yelp_10k.
    "recommend_eval": ((10_261, 10_000), (10_261, 10_000)),
    "recommend_sweep": ((10_261, 10_000), (10_261, 10_000)),
}
RECOMMEND_DATA = {10_261: "amazon", 10_000: "yelp"}


class Sampler:
    """wait.status() every `every` seconds on a thread: (seconds since start, time left)."""

    def __init__(self, wait, every: float = 0.05) -> None:
        self.wait, self.every, self.samples = wait, every, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            status = self.wait.status()
            if self.wait.started is not None and not status.done:
                self.samples.append((status.elapsed, status.left))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def shown_at(samples, total: float) -> dict:
    """The time left shown at each checkpoint (the last sample before it) vs really left."""
    out = {}
    for point in CHECKPOINTS:
        before = [(t, left) for t, left in samples if t <= point * total]
        if not before:
            out[f"{point:.0%}"] = None
            continue
        t, left = before[-1]
        out[f"{point:.0%}"] = (round(left, 2), round(total - t, 2))
    return out


def _csv(n: int, folder: Path) -> Path:
    path = folder / f"users_{n}.csv"
    if not path.exists():
        from browser_scale import scale_csv

        path.write_bytes(scale_csv(n))
    return path


def _table(n: int, folder: Path):
    from segkit.embed.cache import EmbeddingCache
    from segkit.io import infer_roles, prepare_users, read_table
    from segkit.pipeline import embed_users

    loaded = read_table(_csv(n, folder))
    roles = infer_roles(loaded.frame)
    table = prepare_users(loaded.frame, roles)
    return table, embed_users(table, "tfidf", {}, cache=EmbeddingCache(), frame=loaded.frame), roles


def _hdbscan_users(n: int):
    from common import scaled_users, table_and_embeddings
    from feedback import ROLES, source_users

    frame, vectors, used = source_users("tfidf")
    users, vec = scaled_users(frame, vectors, n, seed=0)
    table, embeddings = table_and_embeddings(users, vec, ROLES, used)
    return table, embeddings, ROLES


def _warmed(table, embeddings, roles):
    """A Memory (the dashboard's one per process) that has segmented 500 of the users once:
    the server did so for the sample at start (imports, VADER's lexicon), never for these texts."""
    from segkit.config import RunConfig
    from segkit.derived_cache import Memory
    from segkit.pipeline import UserEmbeddings, segment_embedded

    memory = Memory()
    few = UserEmbeddings(embeddings.vectors[:500], embeddings.user_index[:500], embeddings.embedder, 0.0)
    segment_embedded(table, few, RunConfig(roles=roles, embedder="tfidf"), with_map=False, memory=memory)
    memory.sentiment.clear()
    memory.term_counts.clear()
    return memory


def one(case: str, n: int, folder: Path) -> dict:
    """Run the wait `case` at size n in this process; its samples and real duration."""
    from segkit import waits
    from segkit.config import RunConfig
    from segkit.derived_cache import Memory
    from segkit.pipeline import build_space, resolve_reducer, segment_embedded
    from segkit.reduce.map2d import project_2d, warm_up_umap
    from segkit.waits import plans

    progress_calls: list[tuple[float, int, int]] = []
    extra: dict = {}
    if case in ("hdbscan_space", "map"):
        warm_up_umap(blocking=True)
    if case == "upload":
        from segkit.io import infer_roles, read_table

        data, name = _csv(n, folder).read_bytes(), "users.csv"
        wait = plans.upload_wait(len(data), plans.read_kind(name))

        def work():
            loaded = read_table(data, name)
            plans.enter_roles(len(data), loaded.frame.shape)
            infer_roles(loaded.frame)
    elif case in ("prepare", "tfidf"):
        from segkit.embed.cache import EmbeddingCache
        from segkit.embed.choice import text_workload
        from segkit.embed.registry import get_embedder
        from segkit.io import infer_roles, prepare_users, read_table
        from segkit.pipeline import embed_users

        data = _csv(n, folder).read_bytes()
        loaded = read_table(data, "users.csv")
        roles = infer_roles(loaded.frame)
        if case == "prepare":
            wait = plans.prepare_wait(len(data))

            def work():
                prepare_users(loaded.frame, roles)
        else:  # the browser's first embedding at this size (dashboard/compute.py's _embed)
            table = prepare_users(loaded.frame, roles)
            n_texts, mean_chars = text_workload(table.row_texts)
            model_s = get_embedder("tfidf").expected_seconds(n_texts, mean_chars)
            wait = plans.embed_wait("tfidf", model_s, n_texts, mean_chars)
            extra = {"old_estimate_s": model_s}
            empty_cache = EmbeddingCache(tempfile.mkdtemp(prefix="segkit-wait-tfidf-"))

            def work():
                embed_users(table, "tfidf", {}, cache=empty_cache, progress=waits.progress_callback(),
                            frame=loaded.frame)
    elif case in ("hdbscan_space", "hdbscan_cluster"):
        table, embeddings, roles = _hdbscan_users(n)
        memory = _warmed(table, embeddings, roles)
        config = RunConfig(roles=roles, embedder="tfidf", algorithm="hdbscan")  # the dashboard's defaults
        n_users = len(embeddings.user_index)
        if case == "hdbscan_space":
            reducer, params = resolve_reducer(config, n_users)
            dims = embeddings.vectors.shape[1] + len(roles.numeric_cols)
            wait = plans.space_wait(n_users, dims, reducer, params)

            def work():
                build_space(table, embeddings, config, Memory())
        else:
            space = build_space(table, embeddings, config)
            wait = plans.cluster_wait(n_users, "hdbscan", False, *plans.text_size(table.row_texts))

            def work():
                segment_embedded(table, embeddings, config, with_map=False, space=space, memory=memory)
    elif case == "kmeans_cluster":
        table, embeddings, roles = _table(n, folder)
        memory = _warmed(table, embeddings, roles)
        config = RunConfig(roles=roles, embedder="tfidf")
        space = build_space(table, embeddings, config)
        wait = plans.cluster_wait(len(embeddings.user_index), "kmeans", True, *plans.text_size(table.row_texts))

        def work():
            segment_embedded(table, embeddings, config, with_map=False, space=space, memory=memory)
    elif case == "gmm_seeds":  # the Segment page's seed stability (5 fits), GMM with 8 segments
        from segkit.metrics.stability import seed_stability

        table, embeddings, roles = _table(n, folder)
        matrix = build_space(table, embeddings, RunConfig(roles=roles, embedder="tfidf", algorithm="gmm")).matrix
        wait = plans.seed_stability_wait(matrix.shape[0], "gmm")

        def work():
            seed_stability(matrix, "gmm", {"k": 8})
    elif case == "hdbscan_bootstrap":  # per-segment stability of HDBSCAN: 4 refits on 80% resamples
        from segkit.export.report import segment_stability

        warm_up_umap(blocking=True)
        table, embeddings, roles = _hdbscan_users(n)
        config = RunConfig(roles=roles, embedder="tfidf", algorithm="hdbscan")
        run = segment_embedded(table, embeddings, config, with_map=False, memory=Memory())
        wait = plans.segment_stability_wait(len(embeddings.user_index), "hdbscan", deterministic=True)

        def work():
            segment_stability(run, memory=Memory())
    elif case == "map":
        table, embeddings, roles = _table(200_000 if n > 20_000 else 20_000, folder)
        matrix = build_space(table, embeddings, RunConfig(roles=roles, embedder="tfidf")).fused.matrix[:n]
        wait = plans.map_wait(n)

        def work():
            project_2d(matrix, method="umap", seed=0)
    elif case == "minilm":
        from datasets import womens_clothing, yelp

        from segkit.embed.choice import text_workload
        from segkit.embed.registry import get_embedder

        source = womens_clothing() if os.environ.get("WAIT_BENCH_TEXTS") == "womens" else yelp()
        texts = source["text"].tolist()[:n]
        n_texts, mean_chars = text_workload(texts)
        embedder = get_embedder("minilm")
        model_s = embedder.expected_seconds(n_texts, mean_chars)
        wait = plans.embed_wait("minilm", model_s, n_texts, mean_chars)
        extra = {"old_estimate_s": model_s, "texts": os.environ.get("WAIT_BENCH_TEXTS", "yelp"),
                 "mean_chars": round(mean_chars)}

        def work():
            embedder.embed(texts, progress=waits.progress_callback())
    elif case in ("recommend_eval", "recommend_sweep"):
        from recommend_bench import DATASETS, setup

        from segkit.embed.cache import EmbeddingCache
        from segkit.recommend import prepare_interactions
        from segkit.recommend.k_sweep import recommendation_k_sweep
        from segkit.recommend.leakage_free import leakage_free_evaluation

        cache = EmbeddingCache(folder / f"cache-{case}-{n}-{os.getpid()}")  # nothing cached: a first evaluation
        frame, config, _ = setup(RECOMMEND_DATA[n], "tfidf", cache)
        columns = DATASETS[RECOMMEND_DATA[n]]["columns"]
        interactions = prepare_interactions(frame, columns)
        if case == "recommend_eval":
            wait = plans.recommend_wait(frame, config, frame[columns.user_col])

            def work():
                leakage_free_evaluation(frame, config, interactions=interactions, cache=cache)
        else:
            wait = plans.recommend_sweep_wait(frame, config, frame[columns.user_col])

            def work():
                recommendation_k_sweep(frame, config, interactions=interactions, cache=cache)
        extra = {"data": RECOMMEND_DATA[n]}
    else:
        raise SystemExit(f"unknown case {case}")
    if "old_estimate_s" in extra:  # embedding: keep the progress reports for the rule before
        report = wait.progress

        def spy(done, total):
            progress_calls.append((time.perf_counter(), int(done), int(total)))
            report(done, total)

        wait.progress = spy
    expected = wait.expected_s
    with Sampler(wait) as sampler, waits.waiting(wait):
        work()
    total = wait.ended - wait.started
    result = {"case": case, "n": n, "seconds": round(total, 2), "expected_s": round(expected, 2),
              "shown": shown_at(sampler.samples, total), "phases": {k: round(v, 2) for k, v in wait.measured().items()},
              **extra}
    if progress_calls:
        result["old"] = old_rule(progress_calls, wait.started, total, extra["old_estimate_s"])
    return result


def old_rule(calls, started: float, total: float, estimate: float) -> dict:
    """The time left the dashboard showed before (segkit.embed.background.eta_seconds of
    commit 96603c9), polled at each checkpoint with the progress reported so far."""
    out = {}
    for point in CHECKPOINTS:
        at = point * total
        done, count = 0, 0
        for t, d, c in calls:
            if t - started <= at:
                done, count = d, c
        if count and done >= max(32, 0.03 * count) and at > 1.0:
            shown = (count - done) * at / done
        else:
            shown = max(estimate - at, 0.0)
        out[f"{point:.0%}"] = (round(shown, 2), round(total - at, 2))
    return out


def child(case: str, n: int, speeds: Path, folder: Path, texts: str | None = None) -> dict:
    env = dict(os.environ, SEGKIT_WAIT_SPEEDS=str(speeds), PYTHONPATH=str(BENCH.parent))
    if texts:
        env["WAIT_BENCH_TEXTS"] = texts
    if case == "minilm":
        env["SEGKIT_CACHE_MAX_MB"] = env.get("SEGKIT_CACHE_MAX_MB", "2048")
    out = subprocess.run([sys.executable, __file__, "--child", case, str(n), str(folder)], env=env,
                         capture_output=True, text=True, check=False)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode or not lines:
        raise RuntimeError(f"{case} {n}: {out.stderr[-2000:]}")
    return json.loads(lines[-1])


def _errors(shown: dict) -> str:
    parts = []
    for point in CHECKPOINTS:
        pair = shown.get(f"{point:.0%}")
        parts.append("-" if not pair or not pair[1] else f"{pair[0] / pair[1] - 1:+.0%}")
    return " / ".join(parts)


def _eta_errors(shown: dict, total: float) -> list[float]:
    """The finish the bar implies (time so far + time left shown) against the real duration."""
    return [(total - left + shown_left) / total - 1 for shown_left, left in
            (shown.get(f"{point:.0%}") or (None, None) for point in CHECKPOINTS) if left is not None]


def _within(shown: dict, limit: float = 0.25) -> bool:
    pairs = [p for p in shown.values() if p and p[1]]
    return bool(pairs) and all(abs(a / b - 1) <= limit for a, b in pairs)


def _met(run: dict, limit: float = 0.25) -> str:
    """The issue's test: a wait of 2 s or more whose ETA stays within +-25% of its real duration."""
    errors = _eta_errors(run["shown"], run["seconds"])
    verdict = "yes" if errors and all(abs(e) <= limit for e in errors) else "NO"
    return verdict if run["seconds"] >= 2.0 else f"{verdict} (under 2 s)"


def run(quick: bool = False, only: set[str] | None = None) -> list[dict]:
    folder = Path(tempfile.mkdtemp(prefix="segkit-wait-accuracy-"))
    for n in sorted({n for case in ("upload", "prepare", "tfidf", "kmeans_cluster", "map", "gmm_seeds") for n in CASES[case][1 if quick else 0]}
                    | {20_000, 200_000 if not quick else 20_000}):
        _csv(n, folder)  # built here, not in a child that would then time a warmed-up heap
    rows = []
    for case, (full, small) in CASES.items():
        if only and case not in only:
            continue
        learn_n, measure_n = small if quick else full
        fresh = folder / f"{case}-fresh.json"
        learned = folder / f"{case}-learned.json"
        texts = {"learn": "womens", "measure": "yelp"} if case == "minilm" else {"learn": None, "measure": None}
        first = child(case, measure_n, fresh, folder, texts["measure"])
        child(case, learn_n, learned, folder, texts["learn"])  # teaches `learned` this machine's speed
        second = child(case, measure_n, learned, folder, texts["measure"])
        today = _errors(first["old"]) if "old" in first else "no time shown"
        label = f"{measure_n:,}" + (f" {texts['measure']} reviews" if case == "minilm" else "")
        if case.startswith("recommend"):
            label = f"{RECOMMEND_DATA[measure_n]} ({measure_n:,} reviews)"
        rows.append({"wait": case, "size": label, "actual_s": first["seconds"],
                     "today (10/25/50/75%)": today, "constants": _errors(first["shown"]),
                     "learned_from": RECOMMEND_DATA[learn_n] if case.startswith("recommend")
                     else f"{learn_n:,}" + (f" {texts['learn']}" if case == "minilm" else ""),
                     "actual_s_2": second["seconds"], "learned": _errors(second["shown"]),
                     "today_2": _errors(second["old"]) if "old" in second else "-",
                     "learned ETA": " / ".join(f"{e:+.0%}" for e in _eta_errors(second["shown"], second["seconds"])),
                     "left within 25%": "yes" if _within(second["shown"]) else "no",
                     "met": _met(second)})
        print(json.dumps({"first": first, "second": second}), flush=True)
        print(rows[-1], flush=True)
    return rows


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(CASES)}")
    parser.add_argument("--child", nargs=3, metavar=("CASE", "N", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        case, n, folder = args.child
        print(json.dumps(one(case, int(n), Path(folder))), flush=True)
        return []
    rows = report(args.quick, set(filter(None, args.only.split(","))))
    return rows


def report(quick: bool = False, only: set[str] | None = None) -> list[dict]:
    """run() and its table."""
    started = load_average()
    rows = run(quick, only)
    print_table(f"Target 6: time left shown vs really left, error at 10/25/50/75% of each wait "
                f"(load average {started} -> {load_average()})", rows,
                "constants: no learned speeds; learned: after one run on other data (learned_from); "
                "actual_s / actual_s_2: the two measured runs; learned ETA: (time so far + time left shown) / "
                "actual_s_2 - 1, the finish the bar implies; met: a wait of 2 s or more whose learned ETA "
                "stays within +-25% (the time left itself is the stricter column beside it)")
    return rows


if __name__ == "__main__":
    main()
