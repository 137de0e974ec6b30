"""Target 6, honest waiting: how close are segkit's embedding-time estimates to the real time?

For each embedder and a few sizes of real reviews (yelp_10k, womens_clothing), a fresh
embedder embeds the texts with no cache (the first call also loads the model: what a
first upload waits for), then a second, different set of texts of the same size (the
model is loaded: what a later upload waits for). Compared with both estimates segkit shows:
`Embedder.expected_seconds(n)` (the dashboard's time column, dashboard/resources.py) and
`segkit.embed.choice.expected_seconds(name, n, mean_chars)` (the default rule's message,
which scales MiniLM / e5 by text length). error = estimate / actual - 1; later_cpu_s is this process's
CPU time for the later call (well under wall time x cores: other jobs had the CPU).
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
                             "estimate_s": round(shown, 2), "err_first": f"{shown / cold - 1:+.0%}",
                             "err_later": f"{shown / warm - 1:+.0%}",
                             "rule_estimate_s": None if rule is None else round(rule, 2),
                             "rule_err_later": None if rule is None else f"{rule / warm - 1:+.0%}"})
                print(rows[-1], flush=True)
    return rows


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--embedders", default="tfidf,static,minilm")
    args = parser.parse_args(argv)
    rows = run(quick=args.quick, embedders=tuple(args.embedders.split(",")))
    print_table(f"Target 6: embedding-time estimates vs actual (load average {load_average()})", rows)
    return rows


if __name__ == "__main__":
    main()
