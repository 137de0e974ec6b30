"""Chinese benchmark: which embedder segments Chinese text best, and how fast.

Data: TNEWS dev (Toutiao news titles, 15 topics) from /work/shared/data/zh_tnews_dev,
deduplicated on the sentence, then a random sample (default 2,000 titles, seed 0; the
same sample for every embedder). Each title is one "user"; the topic is the ground
truth, used only for ARI/NMI. For each embedder: embed once (no cache, so the speed is
real), then K-means with segkit's automatic K (silhouette over 2..15) and with the
true K. Prints a table, then the segments of the best setting with their keywords.

    .venv/bin/python bench/zh_bench.py                 # 2,000 titles
    .venv/bin/python bench/zh_bench.py --sample 0      # every title (multilingual: minutes)
    .venv/bin/python bench/zh_bench.py --embedders tfidf,multilingual
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from segkit.config import RunConfig  # noqa: E402
from segkit.io.language import detect_language, recommended_embedder  # noqa: E402
from segkit.io.prepare import prepare_users  # noqa: E402
from segkit.io.roles import ColumnRoles  # noqa: E402
from segkit.pipeline import embed_users, segment_embedded  # noqa: E402

DATA = Path("/work/shared/data/zh_tnews_dev/tnews_dev.json")


def load(sample: int, seed: int) -> pd.DataFrame:
    frame = pd.read_json(DATA, lines=True, dtype={"label": str})
    frame = frame.drop_duplicates("sentence").reset_index(drop=True)
    frame = frame[["sentence", "label_desc"]].rename(columns={"sentence": "title", "label_desc": "topic"})
    if 0 < sample < len(frame):
        frame = frame.sample(n=sample, random_state=seed).reset_index(drop=True)
    return frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=2000, help="titles to use (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--embedders", default="tfidf,minilm,multilingual")
    args = parser.parse_args(argv)

    frame = load(args.sample, args.seed)
    true_k = int(frame["topic"].nunique())
    roles = ColumnRoles(text_cols=("title",), user_col=None, label_col="topic")
    table = prepare_users(frame, roles)
    summary = detect_language(frame["title"])
    print(f"TNEWS dev: {len(frame)} titles (deduplicated, sample seed {args.seed}), {true_k} topics; "
          f"language: {summary.describe()}")
    names = [n.strip() for n in args.embedders.split(",") if n.strip()]
    print("recommended embedder:", recommended_embedder(summary, names))
    print()

    rows, runs = [], {}
    for name in names:
        started = time.perf_counter()
        try:
            embeddings = embed_users(table, name, cache=None)
        except Exception as exc:  # noqa: BLE001 - a missing model package skips that row
            print(f"{name}: skipped ({type(exc).__name__}: {exc})")
            continue
        seconds = time.perf_counter() - started
        for k_label, params in (("auto", {}), ("true", {"k": true_k})):
            config = RunConfig(roles=roles, embedder=name, algorithm="kmeans", algorithm_params=params)
            t0 = time.perf_counter()
            run = segment_embedded(table, embeddings, config, with_map=False)
            cluster_s = time.perf_counter() - t0
            m = run.metrics
            rows.append({
                "embedder": name, "K rule": k_label, "K": m["n_segments"],
                "ARI": m["ari"], "NMI": m["nmi"], "silhouette": m["silhouette"],
                "embed s": seconds, "texts/s": len(frame) / seconds, "segment s": cluster_s,
            })
            runs[(name, k_label)] = run
        print(f"{name}: embedded {len(frame)} titles in {seconds:.1f} s", flush=True)

    if not rows:
        return 1
    results = pd.DataFrame(rows)
    print()
    print(results.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    best = results.loc[results["ARI"].idxmax()]
    run = runs[(best["embedder"], best["K rule"])]
    print(f"\nsegments of the best setting: {best['embedder']}, {best['K rule']} K = {best['K']} "
          f"(ARI {best['ARI']:.3f})")
    truth = frame["topic"].to_numpy()[run.embeddings.user_index]
    labels = run.labels
    table_out = run.summary.table
    for _, seg in table_out.iterrows():
        members = truth[labels == seg["segment_id"]]
        top = pd.Series(members).value_counts()
        purity = top.iloc[0] / max(len(members), 1) if len(top) else float("nan")
        print(f"  {seg['segment_id']:>3} {seg['segment_name'][:24]:<24} n={seg['size']:<4} "
              f"majority={top.index[0] if len(top) else '-'} ({purity:.0%})  keywords: {seg['keywords'][:80]}")
    return 0


if __name__ == "__main__":
    np.set_printoptions(suppress=True)
    sys.exit(main())
