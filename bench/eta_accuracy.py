"""Target 6, honest waiting: how close are segkit's embedding-time estimates to the real time?

For each embedder and a few sizes of real reviews (yelp_10k, womens_clothing), a fresh
embedder embeds the texts with no cache (the first call also loads the model: what a
first upload waits for), then a second, different set of texts of the same size (the
model is loaded: what a later upload waits for). Compared with the estimate the
dashboard showed before segkit.waits (`Embedder.expected_seconds(n)`, "old_") and
today's, which the dashboard and the default rule share
(`segkit.embed.choice.expected_seconds(name, n, mean_chars)`: segkit.waits' cost model with
this machine's learned speeds, $SEGKIT_WAIT_SPEEDS or the cache folder's).
error = estimate / actual - 1; later_cpu_s is this process's CPU time for the later call
(well under wall time x cores: other jobs had the CPU).
A second table checks the time left shown during an embedding at 10-75% of the texts
against the time that was really left: the rule before segkit.waits and today's.
bench/wait_accuracy.py measures every wait (and MiniLM's first estimate) in fresh processes.
"""

from __future__ import annotations

import argparse
import time

from common import load_average, print_table
from datasets import womens_clothing, yelp

from segkit.embed.choice import expected_seconds
from segkit.embed.registry import get_embedder

SIZES = {"tfidf": (1000, 5000), "static": (1000, 5000), "minilm": (300, 1000)}
QUICK_SIZES = {"tfidf": (1000,), "static": (1000,), "minilm": (200,)}


def _seconds(embedder, texts) -> tuple[float, float]:
    """Wall and CPU seconds of this process (CPU / wall < cores used: other jobs had the CPU)."""
    start, cpu = time.perf_counter(), time.process_time()
    embedder.embed(texts)
    return time.perf_counter() - start, time.process_time() - cpu


CHECKPOINTS = (0.1, 0.25, 0.5, 0.75)
LIVE_SIZES = {"tfidf": 60_000, "static": 30_000, "minilm": 1_000}  # several progress steps each


def old_eta_seconds(done: int, total: int, elapsed: float, estimate_s: float | None = None) -> float | None:
    """The rule before segkit.waits (segkit.embed.background.eta_seconds at 96603c9): the
    rate since the start once 3% are done and a second has passed, else the estimate less
    the time spent. Kept here as the baseline."""
    if total and done >= max(32, 0.03 * total) and elapsed > 1.0:
        return (total - done) * elapsed / done
    if estimate_s is not None:
        return max(estimate_s - elapsed, 0.0)
    return None


def live_eta(name: str, texts: list[str]) -> dict:
    """The time left the dashboard shows while embedding against the time that was really
    left, at 10%, 25%, 50% and 75% of the texts, model loaded by a first call beforehand:
    before (old_eta_seconds with the embedder's fixed estimate) and now (segkit.waits'
    plans.embed_wait fed the same progress reports, read at the same moments)."""
    from segkit.embed.choice import text_workload
    from segkit.waits import plans

    embedder = get_embedder(name)
    embedder.embed(texts[:64])  # load the model: a later upload's wait
    calls: list[tuple[float, int, int]] = []
    n_texts, mean_chars = text_workload(texts)
    estimate = embedder.expected_seconds(len(texts), mean_chars)
    start = time.perf_counter()
    embedder.embed(texts, progress=lambda done, total: calls.append((time.perf_counter(), done, total)))
    end = time.perf_counter()
    clock = [0.0]
    wait = plans.embed_wait(name, estimate, n_texts, mean_chars)
    wait.clock = lambda: clock[0]
    wait.start()
    pending = list(calls)
    errors = {}
    for point in CHECKPOINTS:
        seen = next(((t, d, n) for t, d, n in calls if n and d / n >= point and d < n), None)
        if seen is None:
            errors[f"at_{point:.0%}"] = "no step"
            continue
        t, done, total = seen
        while pending and pending[0][0] <= t:  # the reports up to this moment, in order
            at, d, n = pending.pop(0)
            clock[0] = at - start
            wait.progress(d, n)
        clock[0] = t - start
        before, now, left = old_eta_seconds(done, total, t - start, estimate), wait.status().left, end - t
        errors[f"at_{point:.0%}"] = (f"{before:.1f}/{left:.1f} s ({before / left - 1:+.0%}); "
                                     f"now {now:.1f} s ({now / left - 1:+.0%})")
    return {"embedder": name, "texts": len(texts), "seconds": round(end - start, 1),
            "progress_calls": len(calls), **errors}


def run(quick: bool = False, embedders=("tfidf", "static", "minilm")) -> list[dict]:
    sets = {"yelp_10k": yelp()["text"].tolist(), "womens_clothing": womens_clothing()["text"].tolist()}
    rows = []
    for name in embedders:
        for set_name, texts in sets.items():
            for n in (QUICK_SIZES if quick else SIZES)[name]:
                first, second = texts[:n], texts[n:2 * n]
                embedder = get_embedder(name)
                cold, _ = _seconds(embedder, first)
                warm, warm_cpu = _seconds(embedder, second)
                mean_chars = sum(map(len, second)) / n
                shown = embedder.expected_seconds(n)
                rule = expected_seconds(name, n, mean_chars)
                rows.append({"embedder": name, "set": set_name, "texts": n, "mean_chars": round(mean_chars),
                             "first_s": round(cold, 2), "later_s": round(warm, 2), "later_cpu_s": round(warm_cpu, 2),
                             "old_estimate_s": round(shown, 2), "old_err_first": f"{shown / cold - 1:+.0%}",
                             "old_err_later": f"{shown / warm - 1:+.0%}",
                             "estimate_s": None if rule is None else round(rule, 2),
                             "err_first": None if rule is None else f"{rule / cold - 1:+.0%}",
                             "err_later": None if rule is None else f"{rule / warm - 1:+.0%}"})
                print(rows[-1], flush=True)
    return rows


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--embedders", default="tfidf,static,minilm")
    parser.add_argument("--live-only", action="store_true", help="only the time-left-while-embedding table")
    parser.add_argument("--scaled-texts", type=int, default=200_000,
                        help="also TF-IDF on this many noisy copies of the reviews (0: not)")
    args = parser.parse_args(argv)
    rows = [] if args.live_only else run(quick=args.quick, embedders=tuple(args.embedders.split(",")))
    if rows:
        print_table(f"Target 6: embedding-time estimates vs actual (load average {load_average()})", rows)
    texts = [t for frame in (yelp(), womens_clothing()) for t in frame["text"].tolist()]
    live = [live_eta(name, texts[:(LIVE_SIZES[name] // (10 if args.quick else 1))])
            for name in args.embedders.split(",")]
    if "tfidf" in args.embedders.split(",") and args.scaled_texts:
        # Beyond TF-IDF's fit sample (50,000): the real reviews with noise, as bench/browser_scale.py.
        import numpy as np
        from browser_scale import noisy_review

        rng = np.random.default_rng(0)
        many = [noisy_review(texts[i], rng) for i in rng.integers(0, len(texts), args.scaled_texts)]
        live.append(live_eta("tfidf", many))
    print_table(f"Target 6: time left shown while embedding (shown / really left; load average "
                f"{load_average()})", live)
    return rows + live


if __name__ == "__main__":
    main()
