"""Throughput of the Spark job (segkit.spark) in local mode on generated users.

    SEGKIT_CACHE_DIR=/tmp/sk/cache .venv/bin/python bench/spark_bench.py --users 100000 --embedder tfidf
    .venv/bin/python bench/spark_bench.py --users 5000 --embedder minilm --master local[2]

One configuration per process, so the peak-memory figures belong to that run: the
Python driver's peak RSS (VmHWM) and the JVM's (in local mode the JVM holds the driver
*and* the executors; Python workers are not counted). The generated table (written once
per size under --data-dir) has about 3 reviews per user (1..5), 8 topics whose words mix
with words every topic uses, and age/spend/tier traits. Prints and appends one JSON line
per run to --results.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TOPIC_WORDS = 40
N_TOPICS = 8
SHARED_WORDS = 300


def generate(n_users: int, path: Path, seed: int = 0) -> Path:
    """Review-level Parquet: user_id, review, age, spend, tier, true_segment (row groups of 200k)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "pe", "da", "go", "fu", "zi", "be", "ho"]
    words = sorted({"".join(rng.choice(syllables, 3)) for _ in range(4 * (N_TOPICS * TOPIC_WORDS + SHARED_WORDS))})
    words = np.array(rng.permutation(words)[: N_TOPICS * TOPIC_WORDS + SHARED_WORDS], dtype=object)
    topic_vocab = words[: N_TOPICS * TOPIC_WORDS].reshape(N_TOPICS, TOPIC_WORDS)
    shared = words[N_TOPICS * TOPIC_WORDS:]
    topic = rng.integers(0, N_TOPICS, n_users)
    reviews = rng.integers(1, 6, n_users)
    age = np.clip(rng.normal(25 + 4 * topic, 6), 16, 90).round()
    spend = np.exp(rng.normal(5 + 0.2 * topic, 0.6)).round(2)
    tier = np.array(["none", "silver", "gold"], dtype=object)[(topic + rng.integers(0, 2, n_users)) % 3]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    writer = None
    chunk = 100_000
    for start in range(0, n_users, chunk):
        ids = np.arange(start, min(start + chunk, n_users))
        owner = np.repeat(ids, reviews[ids])
        n = len(owner)
        length = rng.integers(8, 25, n)
        texts = []
        for i in range(n):
            t = topic[owner[i]]
            k = length[i]
            from_topic = rng.random(k) < 0.5
            texts.append(" ".join(np.where(from_topic, topic_vocab[t][rng.integers(0, TOPIC_WORDS, k)],
                                           shared[rng.integers(0, SHARED_WORDS, k)])))
        table = pa.table({
            "user_id": [f"user{u:08d}" for u in owner], "review": texts, "age": age[owner], "spend": spend[owner],
            "tier": tier[owner], "true_segment": [f"t{t}" for t in topic[owner]],
        })
        if writer is None:
            writer = pq.ParquetWriter(str(tmp), table.schema)
        writer.write_table(table, row_group_size=200_000)
    writer.close()
    os.replace(tmp, path)
    return path


def peak_rss_mb(pid: int | str = "self") -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--embedder", default="tfidf")
    parser.add_argument("--mode", default="sample", choices=["sample", "distributed"])
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--data-dir", default="/tmp/segkit_spark_bench")
    parser.add_argument("--results", default="bench/results/spark_bench.jsonl")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    warnings.filterwarnings("ignore", message="The copy keyword is deprecated")

    from segkit.config import RunConfig
    from segkit.io.roles import ColumnRoles
    from segkit.spark.job import SparkOptions, run_spark_segmentation
    from segkit.spark.session import get_session

    data = generate(args.users, Path(args.data_dir) / f"users_{args.users}.parquet")
    roles = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age", "spend"),
                        categorical_cols=("tier",), label_col="true_segment")
    config = RunConfig(roles=roles, embedder=args.embedder, algorithm_params={"k": args.k}, map_method="umap")
    started = time.perf_counter()
    spark = get_session(args.master, app_name="segkit-bench", driver_memory=args.driver_memory)
    session_s = time.perf_counter() - started
    jvm_pid = getattr(getattr(spark.sparkContext._gateway, "proc", None), "pid", None)
    out = Path(args.data_dir) / f"out_{args.users}_{args.embedder}_{args.mode}"
    t0 = time.perf_counter()
    result = run_spark_segmentation(spark, spark.read.parquet(str(data)), config, str(out),
                                    SparkOptions(mode=args.mode), log=lambda m: print(m, file=sys.stderr))
    seconds = time.perf_counter() - t0
    counts = result.manifest["counts"]
    record = {
        "users": counts["users"], "reviews": counts["input_rows"], "embedder": args.embedder, "mode": args.mode,
        "master": args.master, "k": args.k, "seconds_end_to_end": round(seconds, 1),
        "users_per_second": round(counts["users"] / seconds, 1),
        "reviews_per_second": round(counts["input_rows"] / seconds, 1),
        "session_start_s": round(session_s, 1), "stages_s": result.timings,
        "peak_driver_python_rss_mb": round(peak_rss_mb() or 0, 1),
        "peak_jvm_rss_mb": round(peak_rss_mb(jvm_pid) or 0, 1) if jvm_pid else None,
        "ari_vs_generator": round(result.manifest["metrics"].get("ari", float("nan")), 4),
        "load_average_1m_at_end": os.getloadavg()[0], "cpus": os.cpu_count(),
    }
    spark.stop()
    print(json.dumps(record))
    results = Path(args.results)
    results.parent.mkdir(parents=True, exist_ok=True)
    with results.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
