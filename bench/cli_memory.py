"""Issue 16 target 2: peak memory of a CLI MiniLM run vs BERTopic's defaults, same texts.

    python bench/cli_memory.py [--n 4000] [--rounds 1]

A seeded random n of yelp_10k's reviews (mean ~700 characters; read in place, written
to a temporary CSV outside the repository for the CLI, deleted afterwards) go through

* `segkit segment FILE --no-cache` with MiniLM on torch (SEGKIT_MINILM_ENGINE=torch),
* the same with MiniLM on OpenVINO (the `openvino` extra; its converted model is built
  before timing, as set-up would),
* BERTopic's defaults (`BERTopic().fit_transform`) given the same packaged MiniLM as a
  SentenceTransformer (its default would fetch that model from the hub),

each in a fresh process, round-robin, under /usr/bin/time -v: "Maximum resident set size"
is the peak RSS of that process alone. The embedding cache is off, so each run embeds.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT  # noqa: F401  (puts the repository on sys.path)
from datasets import DATA_ROOT

_TIME = "/usr/bin/time"


def write_texts(path: Path, n: int, seed: int = 0) -> float:
    import numpy as np
    import pandas as pd

    raw = pd.read_csv(DATA_ROOT / "yelp_10k" / "yelp.csv", usecols=["text", "stars"])
    rows = np.sort(np.random.default_rng(seed).choice(len(raw), size=min(n, len(raw)), replace=False))
    sample = raw.iloc[rows]
    sample.to_csv(path, index=False)
    return float(sample["text"].str.len().mean())


def measured(command: list[str], env: dict) -> dict:
    """Peak RSS (MB) and wall seconds of one child process, from GNU time -v."""
    done = subprocess.run([_TIME, "-v", *command], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed: {done.stderr.strip()[-800:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", done.stderr)
    seconds = 0.0
    for part in wall.group(1).split(":"):
        seconds = seconds * 60 + float(part)
    return {"peak_mb": int(peak.group(1)) / 1024, "wall_s": seconds}


def bertopic_child(csv: str) -> None:
    """Runs in the child: BERTopic defaults on the packaged MiniLM."""
    import pandas as pd
    from bertopic import BERTopic

    from segkit.embed.minilm import load_model

    texts = pd.read_csv(csv)["text"].astype(str).tolist()
    topics, _ = BERTopic(embedding_model=load_model()).fit_transform(texts)
    print(f"BERTopic topics: {len(set(topics))}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--bertopic-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bertopic_child:
        bertopic_child(args.bertopic_child)
        return 0
    if not Path(_TIME).exists():
        print("needs GNU time (/usr/bin/time): apt-get install time")
        return 1
    run(args.n, args.rounds)
    return 0


def run(n: int = 4000, rounds: int = 1) -> dict[str, bool]:
    """Measures and prints the table; returns {segkit run: its peak <= BERTopic's} (empty
    without BERTopic)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    env.pop("SEGKIT_EMBEDDER", None)
    with tempfile.TemporaryDirectory(prefix="segkit-cli-memory-") as tmp:
        csv = Path(tmp) / "yelp.csv"
        mean_chars = write_texts(csv, n)
        segment = [sys.executable, "-m", "segkit.cli", "segment", str(csv), "--no-cache", "--quiet",
                   "--embedder", "minilm", "--out", str(Path(tmp) / "labeled.csv")]
        runs = {"segkit minilm (torch)": (segment, {**env, "SEGKIT_MINILM_ENGINE": "torch"})}
        from segkit.embed.minilm_openvino import openvino_installed

        if openvino_installed():
            subprocess.run([sys.executable, "-c", "from segkit.embed.minilm_openvino import ensure_ir; "
                            "ensure_ir()"], env=env, check=True)
            runs["segkit minilm (openvino)"] = (segment, {**env, "SEGKIT_MINILM_ENGINE": "openvino"})
        try:
            import bertopic  # noqa: F401

            runs["BERTopic defaults"] = ([sys.executable, str(Path(__file__)), "--bertopic-child",
                                          str(csv)], env)
        except ImportError:
            print("BERTopic not installed (pip install -e '.[bench]'): its row is missing")
        results: dict[str, list[dict]] = {name: [] for name in runs}
        loads = []
        for _ in range(max(rounds, 1)):
            for name, (command, run_env) in runs.items():
                loads.append(os.getloadavg()[0])
                results[name].append(measured(command, run_env))
    print(f"\nTarget 2: peak RSS of one process, {n} yelp_10k reviews (mean {mean_chars:.0f} "
          f"characters), no embedding cache; load average {min(loads):.2f}-{max(loads):.2f}\n")
    print("| run | peak RSS (MB) | wall (s) |")
    print("|---|---|---|")
    best = {name: min(r["peak_mb"] for r in rows) for name, rows in results.items()}
    for name, rows in results.items():
        print(f"| {name} | {best[name]:.0f} | {min(r['wall_s'] for r in rows):.1f} |")
    verdicts = {}
    if "BERTopic defaults" in best:
        for name in best:
            if name.startswith("segkit"):
                verdicts[name] = best[name] <= best["BERTopic defaults"]
                print(f"{name}: {best[name] / best['BERTopic defaults']:.2f}x BERTopic's peak: "
                      f"{'met' if verdicts[name] else 'not met'}")
    return verdicts


if __name__ == "__main__":
    sys.exit(main())
