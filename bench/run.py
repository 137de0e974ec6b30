"""The one benchmark command (issue "Fast and right", then issue 16's speed and memory):

    python bench/run.py [--quick] [--only 16]

Runs every benchmark and prints one table per target, then which targets are met:
  1-2  embedding throughput (bench/embed_speed.py, run when present; it gives issue 16 target 1's
       verdict, MiniLM >= 2x the torch engine, and runs alone as 16.1), and embedding after
       UMAP in one process (bench/openmp_clash.py)
  3    time to first segments (bench/first_segments.py)
  16.2 a CLI MiniLM run's peak memory vs BERTopic's (bench/cli_memory.py)
  4    live feedback after a parameter change (bench/feedback.py; issue 16 target 4)
  5    200,000 users within 4 GB (bench/scale.py, in a child process)
  16.5 200,000 users uploaded in headless Chromium, TF-IDF and static, two sessions, baseline
       dd994fd served first in the same run (bench/browser_scale.py)
  6    quality against BERTopic (bench/quality.py; needs `pip install bertopic`)
  desc segment descriptions, issue 13: keyword and name distinctness, example purity
       (bench/describe_quality.py)
  hdb  HDBSCAN feels live, issue 16.3: first fit, min_cluster_size step, text-weight change at
       20,000 users and HDBSCAN quality, UMAP defaults vs segkit's layout budget
       (bench/hdbscan_live.py)
  waits honest waiting, issue 16.6: the time left every wait shows vs the time really left
       (bench/wait_accuracy.py)
--quick: smaller sizes everywhere (minutes instead of tens of minutes); its verdicts are
for those sizes only. Timings come from a shared 2-core machine: each table prints the
load average, and ratios against a baseline measured in the same run where one exists.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import traceback
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import common  # noqa: E402


def section(name, fn, verdicts: dict, key: str):
    start = time.perf_counter()
    try:
        return fn()
    except Exception:  # one broken benchmark must not hide the others
        print(f"\n## {name}: FAILED\n{traceback.format_exc(limit=3)}")
        verdicts[key] = "error"
        return None
    finally:
        print(f"   ({name} took {time.perf_counter() - start:.0f} s)", flush=True)


def targets_1_2(quick: bool, verdicts: dict):
    if importlib.util.find_spec("embed_speed") is None:
        print("\n## Targets 1-2: bench/embed_speed.py not present - not run")
        verdicts["1-2 embedding speed"] = "not run"
        return
    target_16_1(quick, verdicts)
    verdicts["1-2 embedding speed"] = "see the embedding engineer's table above"
    import openmp_clash

    rows = openmp_clash.run(200 if quick else 600)
    common.print_table(f"Targets 1-2, in the dashboard's process: plain encode after UMAP + minilm "
                       f"(load average {common.load_average()})", rows,
                       "'numba first' = without segkit/openmp.py's preload of torch's OpenMP runtime")


def target_16_1(quick: bool, verdicts: dict):
    """Issue 16 target 1: MiniLM's OpenVINO engine vs torch `minilm` and plain encode."""
    import embed_speed

    result = embed_speed.run_benchmark(n=300 if quick else 1500, ag_n=300 if quick else 2000,
                                       rounds=1 if quick else 3)
    print("\n## Targets 1-2 and issue 16 target 1: embedding throughput, MiniLM on AMX (bench/embed_speed.py)")
    print(embed_speed.format_report(result))
    by = {row["method"]: row for row in result["rows"]}
    if "minilm_ov" in by:
        speedup = by["minilm_ov"]["texts_per_s"] / by["minilm"]["texts_per_s"]
        verdicts["16.1 minilm >= 2x the torch engine"] = speedup >= 2
        verdicts["16.1 minilm >= 12x plain encode"] = by["minilm_ov"]["ratio_wall"] >= 12
    else:
        verdicts["16.1 MiniLM on AMX"] = "not run (the openvino extra is not installed)"


def target_16_2(quick: bool, verdicts: dict):
    """Issue 16 target 2: a CLI MiniLM run's peak memory vs BERTopic's, same texts."""
    import cli_memory

    checks = cli_memory.run(n=1000 if quick else 4000)
    for name, ok in checks.items():
        verdicts[f"16.2 {name} peak RSS <= BERTopic's"] = ok
    if not checks:
        verdicts["16.2 memory vs BERTopic"] = "not run (BERTopic not installed)"


def target_3(quick: bool, verdicts: dict):
    import first_segments

    rows = first_segments.run(quick=quick)
    common.print_table(f"Target 3: time to first segments (load average {common.load_average()})", rows,
                       "library part after upload: read_table + infer_roles + run_segmentation(default config); "
                       "UMAP compiled beforehand by warm_up_umap")
    sample = [r for r in rows if r["data"].startswith("sample") and r["cache"] == "warm" and r["map"] == "pca"]
    verdicts["3 first segments < 5 s (sample, warm app)"] = all(r["met"] == "yes" for r in sample) and bool(sample)


def target_4(quick: bool, verdicts: dict):
    import feedback

    rows = feedback.run(sizes=(20_000, 100_000), quick=quick)
    common.print_table(f"Target 4: live feedback, embeddings cached (load average {common.load_average()})", rows,
                       "K / min_cluster_size change: cached fused+reduced space, cluster + metrics only; "
                       "silhouette on a 2,000-user sample (sil_sample)")
    def within(selected) -> bool | str:
        judged = [r for r in selected if r["met"] in ("yes", "NO")]
        return all(r["met"] == "yes" for r in judged) if judged else "not run"

    for n in (20_000, 100_000):
        at_n = [r for r in rows if r["users"] == n]
        for algorithm in ("kmeans", "minibatch_kmeans", "gmm", "agglomerative"):
            verdicts[f"4 K change ({algorithm}) at {n:,} users"] = within(
                r for r in at_n if r["algorithm"] == algorithm and r["change"].startswith("K change"))
        verdicts[f"4 min_cluster_size change (hdbscan) at {n:,} users"] = within(
            r for r in at_n if r["change"].startswith("min_cluster_size change"))
        verdicts[f"4 text weight change (k-means) at {n:,} users"] = within(
            r for r in at_n if r["algorithm"] == "kmeans" and r["change"].startswith("text weight"))
        verdicts[f"4 text weight change (hdbscan, UMAP-5) at {n:,} users"] = within(
            r for r in at_n if r["algorithm"] == "hdbscan" and r["change"] == "text weight change (UMAP-5 + tree)")


def target_5(quick: bool, verdicts: dict):
    import scale

    n = 50_000 if quick else 200_000
    result = scale.run(n)
    common.print_table(f"Target 5: scale, {n:,} users end to end from cached embeddings "
                       f"(load average {common.load_average()})", [result])
    verdicts[f"5 {n:,} users < 4 GB peak"] = result.get("met") == "yes"


def target_16_5(quick: bool, verdicts: dict):
    """Issue 16 target 5: upload to segments and map in headless Chromium, two sessions."""
    import browser_scale

    n = 50_000 if quick else 200_000
    for embedder in ("tfidf", "static"):
        rows, _ = browser_scale.run(n, embedder, sessions=2, baseline=browser_scale.BASELINE_COMMIT)
        sessions = [r for r in rows if r["code"] == "this tree" and r["met"] != "-"]
        verdicts[f"16.5 {n:,} users, {embedder}: map within 30 s, < 4 GB"] = (
            all(r["met"] == "yes" for r in sessions) and bool(sessions))


def target_6(quick: bool, verdicts: dict):
    import quality

    with_bertopic = importlib.util.find_spec("bertopic") is not None
    rows, checks, infos = quality.run(quick=quick, with_bertopic=with_bertopic)
    note = "\n".join(infos + sorted(common.LEGACY_USED))
    if not with_bertopic:
        note += "\nBERTopic not installed (pip install bertopic): its rows are missing"
    common.print_table(f"Target 6: quality vs BERTopic, same embeddings (load average {common.load_average()})",
                       rows, note)
    for check, ok in checks.items():
        verdicts[f"6 {check}"] = ok


def descriptions(quick: bool, verdicts: dict):
    import describe_quality

    rows = describe_quality.run(n=4000)  # same users in --quick: their embeddings are cached
    common.print_table(f"Issue #13: segment descriptions, old (c4fe8b1) vs new (load average "
                       f"{common.load_average()})", rows,
                       "targets: kw_jaccard <= 0.20, name_share <= 0.10, example purity >= 0.90 (labelled sets)")
    verdicts["13 keyword Jaccard <= 0.20"] = all(r["kw_jaccard_new"] <= 0.20 for r in rows)
    verdicts["13 names sharing a word <= 10%"] = all(r["name_share_new"] <= 0.10 for r in rows)
    verdicts["13 example purity >= 90%"] = all(r["purity_new"] == "-" or r["purity_new"] >= 0.90 for r in rows)


def hdbscan_live(quick: bool, verdicts: dict):
    import hdbscan_live as live

    _, _, checks = live.run(quick=quick)
    for check, ok in checks.items():
        verdicts[f"16.3 {check}"] = ok


def honest_waiting(quick: bool, verdicts: dict):
    """Issue 16 target 6: every wait over 2 s with its ETA within +-25% (bench/wait_accuracy.py)."""
    import wait_accuracy

    for row in wait_accuracy.report(quick=quick):
        if "under 2 s" not in row["met"]:  # the target covers waits over 2 s
            verdicts[f"16.6 {row['wait']} at {row['size']}: ETA within 25%"] = row["met"] == "yes"


# Issue 16's targets: 1 MiniLM, 2 memory, 3 HDBSCAN live, 4 every method live (bench/feedback.py),
# 5 the browser at 200,000 users, 6 honest waiting.
ISSUE_16 = {"16.1", "16.2", "hdb", "4", "16.5", "waits"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes; minutes instead of tens of minutes")
    parser.add_argument("--only", default="", help="comma-separated subset of 12,3,4,5,16.1,16.2,16.5,6,desc,"
                                                   "hdb,waits; 16 = issue 16's targets (16.1,16.2,hdb,4,16.5,waits)")
    args = parser.parse_args(argv)
    chosen = set(args.only.split(",")) if args.only else {"12", "3", "4", "5", "16.5", "6", "desc", "hdb", "waits",
                                                          "16.2"}
    if "16" in chosen:
        chosen |= ISSUE_16
    if "12" in chosen:
        chosen.discard("16.1")  # "12" runs the same embedding benchmark and gives its verdicts
    verdicts: dict = {}
    print(f"segkit benchmarks ({'quick' if args.quick else 'full'}), load average {common.load_average()}")
    steps = [("12", "Targets 1-2", targets_1_2), ("16.1", "Issue 16 target 1 (MiniLM on AMX)", target_16_1),
             ("16.2", "Issue 16 target 2 (memory)", target_16_2),
             ("3", "Target 3", target_3), ("4", "Target 4", target_4),
             ("5", "Target 5", target_5), ("16.5", "Issue 16 target 5 (browser)", target_16_5),
             ("6", "Target 6", target_6),
             ("desc", "Descriptions (issue 13)", descriptions),
             ("hdb", "HDBSCAN live (issue 16.3)", hdbscan_live),
             ("waits", "Honest waiting (issue 16.6)", honest_waiting)]
    for key, name, fn in steps:
        if key in chosen:
            section(name, lambda fn=fn: fn(args.quick, verdicts), verdicts, name)
    print("\n## Targets met?")
    for target, ok in verdicts.items():
        print(f"  {target}: {ok if isinstance(ok, str) else ('MET' if ok else 'NOT MET')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
