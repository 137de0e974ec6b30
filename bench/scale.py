"""Target 5, scale: 200,000 users segmented end to end from cached embeddings, in < 4 GB.

Runs in a fresh child process (so peak RSS is this job's alone, via resource.getrusage):
200,000 users resampled from womens_clothing reviews and their cached vectors (see
common.scaled_users: noise on vectors and traits, real texts), then prepare_users and
segment_embedded with the default RunConfig (automatic K) and the map by PCA - the same
steps as run_segmentation after its embedding step (embeddings cached).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

LIMIT_MB = 4096


def child(n: int, embedder: str | None) -> dict:
    from common import peak_rss_mb, scaled_users, table_and_embeddings
    from feedback import ROLES, source_users

    from segkit.config import RunConfig
    from segkit.pipeline import segment_embedded

    frame, vectors, used = source_users(embedder)
    users, vec = scaled_users(frame, vectors, n, seed=1)
    del frame, vectors
    before_mb = peak_rss_mb()
    start = time.perf_counter()
    table, embeddings = table_and_embeddings(users, vec, ROLES, used)
    del vec
    prepare_s = time.perf_counter() - start
    run = segment_embedded(table, embeddings, RunConfig(roles=ROLES, embedder=used), map_method="pca")
    total_s = time.perf_counter() - start
    return {"users": n, "embedder": used, "dims": int(embeddings.vectors.shape[1]),
            "seconds": round(total_s, 2), "prepare_s": round(prepare_s, 2), **run.timings,
            "auto_k": run.metrics.get("auto_k"), "peak_rss_mb": round(peak_rss_mb(), 0),
            "rss_before_mb": round(before_mb, 0)}


def run(n: int = 200_000, embedder: str | None = None) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--n", str(n)]
    if embedder:
        command += ["--embedder", embedder]
    done = subprocess.run(command, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        return {"users": n, "error": (done.stderr or done.stdout)[-500:]}
    result = json.loads(lines[-1][len("RESULT "):])
    result["limit_mb"] = LIMIT_MB
    result["met"] = "yes" if result["peak_rss_mb"] <= LIMIT_MB else "NO"
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--embedder", default=None)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        print("RESULT " + json.dumps(child(args.n, args.embedder)), flush=True)
        return None
    from common import load_average, print_table

    result = run(args.n, args.embedder)
    print_table(f"Target 5: scale (load average {load_average()})", [result])
    return result


if __name__ == "__main__":
    main()
