"""Embedding speed and quality: plain SentenceTransformer.encode vs segkit `minilm` vs `static`.

    python bench/embed_speed.py [--n 2000] [--ag-n 2000] [--rounds 2]

One run measures all three on the same sample of womens_clothing review texts
("Review Text", empty ones dropped; read in place, never copied), interleaving the
methods round by round so that load from other processes hits them alike; the
ratios matter more than absolute numbers on a shared 2-core machine. It reports
texts/s (wall clock, best round) and texts per CPU-second (the process's CPU time,
less sensitive to other processes), the ratio to plain, the mean cosine similarity
to the plain float32 vectors, the KMeans (true K) adjusted Rand index on
ag_news_test, and the fraction of the machine's peak FLOP/s that the MiniLM runs
reach (assumptions printed).

Models are loaded and warmed up before timing (loading is a one-off per process).
For `static` the per-process word cache is emptied before every timed run, so its
figure is for texts it has not seen (a warm cache is faster still).

The lead's bigger bench can import `run_benchmark`, `time_methods`, `ag_news_ari`,
`flop_estimate` and `machine_peak` from here.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

# common puts the repository on sys.path and imports segkit (offline variables set first).
from common import ROOT  # noqa: F401
from datasets import DATA_ROOT

REVIEWS_CSV = DATA_ROOT / "womens_clothing" / "womens_clothing_reviews.csv"

EmbedFn = Callable[[Sequence[str]], np.ndarray]


# --------------------------------------------------------------------------- data


def review_texts(n: int = 2000, seed: int = 0) -> list[str]:
    """A seeded random sample of n non-empty womens_clothing review texts."""
    import pandas as pd

    column = pd.read_csv(REVIEWS_CSV, usecols=["Review Text"])["Review Text"]
    texts = [t for t in column.dropna().astype(str) if t.strip()]
    if n >= len(texts):
        return texts
    chosen = np.sort(np.random.default_rng(seed).choice(len(texts), size=n, replace=False))
    return [texts[i] for i in chosen]


def ag_news_texts(n: int | None = 2000, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """ag_news_test (title + description), stratified sample of n (None: all 7,600)."""
    from datasets import ag_news  # bench/datasets.py

    frame = ag_news(n, seed=seed)
    return frame["text"].tolist(), frame["label"].to_numpy()


# --------------------------------------------------------------------------- methods


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def default_methods(batch_size_plain: int = 64) -> dict[str, tuple[EmbedFn, Callable[[], None]]]:
    """name -> (embed function, reset-before-timing function). Loads the models."""
    from segkit.embed.minilm import MiniLMEmbedder, load_model
    from segkit.embed.minilm_openvino import openvino_installed
    from segkit.embed.static import StaticEmbedder, reset_word_cache

    st_model = load_model()
    minilm = MiniLMEmbedder(engine="torch")
    static = StaticEmbedder()

    def plain(texts: Sequence[str]) -> np.ndarray:
        return st_model.encode(list(texts), batch_size=batch_size_plain, convert_to_numpy=True)

    def nothing() -> None:
        return None

    methods = {"plain": (plain, nothing), "minilm": (minilm.embed, nothing)}
    if openvino_installed():  # the optional extra: `minilm` runs here when it is installed
        methods["minilm_ov"] = (MiniLMEmbedder(engine="openvino").embed, nothing)
    methods["static"] = (static.embed, reset_word_cache)
    return methods


def time_methods(
    methods: dict[str, tuple[EmbedFn, Callable[[], None]]],
    texts: Sequence[str],
    rounds: int = 2,
    warmup: Sequence[str] | None = None,
) -> dict[str, dict]:
    """Time each method on `texts`, interleaved over `rounds`.

    Returns name -> {"wall_s": best wall seconds, "cpu_s": CPU seconds of that
    round, "texts_per_s", "cpu_texts_per_s", "vectors"}.
    """
    warmup = list(warmup) if warmup is not None else list(texts[:32])
    for fn, _reset in methods.values():
        fn(warmup)
    results: dict[str, dict] = {}
    for _ in range(max(1, rounds)):
        for name, (fn, reset) in methods.items():
            reset()
            cpu0, wall0 = time.process_time(), time.perf_counter()
            vectors = fn(texts)
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            best = results.get(name)
            if best is None or wall < best["wall_s"]:
                results[name] = {"wall_s": wall, "cpu_s": cpu, "vectors": unit_rows(vectors)}
    for entry in results.values():
        entry["texts_per_s"] = len(texts) / entry["wall_s"]
        entry["cpu_texts_per_s"] = len(texts) / max(entry["cpu_s"], 1e-9)
    return results


def mean_cosine(a: np.ndarray, b: np.ndarray) -> float:
    if a.shape != b.shape:  # different dimension (static is 256-d): not comparable
        return float("nan")
    return float(np.mean(np.sum(unit_rows(a) * unit_rows(b), axis=1)))


def kmeans_ari(vectors: np.ndarray, labels: np.ndarray, seed: int = 0) -> float:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    k = len(np.unique(labels))
    assigned = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(unit_rows(vectors))
    return float(adjusted_rand_score(labels, assigned))


def ag_news_ari(
    methods: dict[str, tuple[EmbedFn, Callable[[], None]]], n: int | None = 2000, seed: int = 0
) -> dict[str, float]:
    texts, labels = ag_news_texts(n, seed)
    return {name: kmeans_ari(fn(texts), labels, seed) for name, (fn, _reset) in methods.items()}


def womens_ari(
    methods: dict[str, tuple[EmbedFn, Callable[[], None]]], n: int | None = 2000, seed: int = 0
) -> dict[str, float]:
    """True-K (6 departments) K-means ARI on a stratified womens_clothing sample."""
    from datasets import womens_clothing

    frame = womens_clothing(n, seed=seed)
    texts, labels = frame["text"].tolist(), frame["label"].to_numpy()
    return {name: kmeans_ari(fn(texts), labels, seed) for name, (fn, _reset) in methods.items()}


# --------------------------------------------------------------------------- FLOPs


def token_counts(texts: Sequence[str]) -> np.ndarray:
    """Tokens per text as MiniLM sees them ([CLS] + pieces + [SEP], cut at 256)."""
    from segkit.embed.minilm import load_model

    model = load_model()
    tokenizer = model[0].tokenizer
    ids = tokenizer(list(texts), truncation=True, max_length=int(model.max_seq_length or 256))
    return np.array([len(row) for row in ids["input_ids"]], dtype=np.int64)


def flop_estimate(lengths: np.ndarray, layers: int = 6, hidden: int = 384, ffn: int = 1536) -> float:
    """Useful FLOPs of a MiniLM-L6 forward pass over texts of these token counts.

    Per layer and token: Q, K, V, output projections 4*h*h and the FFN 2*h*ffn
    multiply-adds; attention scores and the weighted sum 2*L*h per token. One
    multiply-add = 2 FLOPs. Padding, softmax, LayerNorm, GELU and pooling are not
    counted (so the fraction of peak is a lower bound on the hardware's busy share).
    """
    lengths = np.asarray(lengths, dtype=np.float64)
    dense = 2.0 * (4 * hidden * hidden + 2 * hidden * ffn) * lengths
    attention = 2.0 * 2 * hidden * lengths**2
    return float(layers * np.sum(dense + attention))


def _cpu_flags_and_mhz() -> tuple[set[str], float | None, str]:
    flags: set[str] = set()
    mhz: float | None = None
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key == "flags" and not flags:
                flags = set(value.split())
            elif key == "cpu MHz" and mhz is None:
                mhz = float(value)
            elif key == "model name" and model == "?":
                model = value.strip()
    except OSError:
        pass
    return flags, mhz, model


def measured_gemm_flops(dtype_name: str, size: int = 1024, repeats: int = 8) -> float:
    """Best FLOP/s of a square matmul on ONE torch thread: an attainable per-core peak.

    Single-threaded so that other processes on the machine distort it less than an
    all-core run (whose threads wait on each other at every barrier).
    """
    import torch

    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16}[dtype_name]
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        a = torch.randn(size, size).to(dtype)
        b = torch.randn(size, size).to(dtype)
        torch.matmul(a, b)
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            torch.matmul(a, b)
            best = min(best, time.perf_counter() - start)
    finally:
        torch.set_num_threads(previous)
    return 2.0 * size**3 / best


def machine_peak() -> dict:
    """Theoretical peak FLOP/s from the CPU flags and clock, plus measured GEMM rates.

    Assumptions (printed with the table): an AVX-512 core retires two 512-bit FMAs
    per cycle = 64 fp32 FLOP/cycle (AVX2: 32); AVX512-BF16 dot products double that
    for bfloat16; with AMX, one core's tile unit does a 16x32 by 32x16 bfloat16 tile
    product (16,384 FLOP) every 16 cycles = 1,024 bfloat16 FLOP/cycle. In a VM
    /proc/cpuinfo shows the base clock, not the boost clock, so the clock used is the
    larger of that and the clock implied by the measured single-thread fp32 GEMM (a GEMM
    cannot beat the peak).
    """
    flags, mhz, model = _cpu_flags_and_mhz()
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    fp32_per_cycle = 64 if "avx512f" in flags else (32 if "avx2" in flags else 16)
    amx = "amx_bf16" in flags
    native_bf16 = amx or "avx512_bf16" in flags
    bf16_per_cycle = 1024 if amx else (2 * fp32_per_cycle if native_bf16 else fp32_per_cycle)
    gemm_fp32 = measured_gemm_flops("fp32")
    gemm_bf16 = measured_gemm_flops("bf16")
    nominal_ghz = (mhz or 0.0) / 1000.0
    implied_ghz = max(gemm_fp32 / fp32_per_cycle, gemm_bf16 / bf16_per_cycle) / 1e9
    ghz = max(nominal_ghz, implied_ghz)
    return {
        "model": model,
        "cores": cores,
        "amx": amx,
        "nominal_ghz": nominal_ghz,
        "implied_ghz": implied_ghz,
        "ghz": ghz,
        "fp32_per_cycle": fp32_per_cycle,
        "bf16_per_cycle": bf16_per_cycle,
        "peak_fp32": cores * ghz * 1e9 * fp32_per_cycle,
        "peak_bf16": cores * ghz * 1e9 * bf16_per_cycle,
        # single-threaded GEMM rate per core, times the cores
        "gemm_fp32": cores * gemm_fp32,
        "gemm_bf16": cores * gemm_bf16,
    }


def kernels_used() -> dict[str, str]:
    """Which matrix kernels each engine really runs (not what the flags promise).

    torch: one bfloat16 Linear under ONEDNN_VERBOSE in a child process (oneDNN prints the
    implementation, e.g. brg_matmul:avx10_1_512_amx); OpenVINO: the FullyConnected
    primitives of the compiled MiniLM (e.g. brgemm_avx512_amx_bf16).
    """
    import subprocess
    from collections import Counter

    code = ("import torch; torch.set_num_threads(1); m = torch.nn.Linear(384, 1536).bfloat16()\n"
            "with torch.inference_mode(): m(torch.randn(16, 64, 384).bfloat16())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "ONEDNN_VERBOSE": "1"})
    impls = [line.split(",")[6] for line in done.stdout.splitlines()
             if line.startswith("onednn_verbose") and ",exec," in line and ",matmul," in line]
    found = {"torch bf16 Linear": ", ".join(sorted(set(impls))) or "no oneDNN matmul seen"}
    from segkit.embed.minilm_openvino import load_openvino_encoder, openvino_installed

    if openvino_installed():
        from segkit.embed.minilm import MiniLMEmbedder

        # Dynamic shapes: the plugin picks the kernels at the first inference.
        MiniLMEmbedder(engine="openvino", precision="bf16").embed(["a review, so kernels are chosen"])
        runtime = load_openvino_encoder("bf16").compiled.get_runtime_model()
        counts = Counter(str(op.get_rt_info()["primitiveType"].astype(str))
                         for op in runtime.get_ordered_ops()
                         if op.get_rt_info()["layerType"].astype(str) == "FullyConnected")
        found["OpenVINO bf16 FullyConnected"] = ", ".join(f"{k} x{v}" for k, v in counts.items())
    return found


# --------------------------------------------------------------------------- report


def run_benchmark(n: int = 2000, ag_n: int | None = 2000, rounds: int = 2, seed: int = 0) -> dict:
    """Everything the table shows, as plain values (vectors dropped)."""
    from segkit.embed.minilm import MiniLMEmbedder

    texts = review_texts(n, seed)
    warm = review_texts(64, seed + 1)
    methods = default_methods()
    timed = time_methods(methods, texts, rounds=rounds, warmup=warm)
    plain = timed["plain"]
    rows = []
    for name, entry in timed.items():
        rows.append({
            "method": name,
            "texts_per_s": entry["texts_per_s"],
            "cpu_texts_per_s": entry["cpu_texts_per_s"],
            "ratio_wall": entry["texts_per_s"] / plain["texts_per_s"],
            "ratio_cpu": entry["cpu_texts_per_s"] / plain["cpu_texts_per_s"],
            "cos_vs_plain": mean_cosine(entry["vectors"], plain["vectors"]),
        })
    aris = ag_news_ari(methods, ag_n, seed)
    womens = womens_ari(methods, ag_n, seed)
    for row in rows:
        row["ari_ag_news"] = aris[row["method"]]
        row["ari_womens"] = womens[row["method"]]
    lengths = token_counts(texts)
    flops = flop_estimate(lengths)
    peak = machine_peak()
    kernels = kernels_used()
    return {
        "kernels": kernels,
        "n": len(texts),
        "ag_n": ag_n,
        "mean_tokens": float(lengths.mean()),
        "flops": flops,
        "rows": rows,
        "peak": peak,
        "minilm_precision": MiniLMEmbedder().precision,
        "timed": {k: {kk: vv for kk, vv in v.items() if kk != "vectors"} for k, v in timed.items()},
    }


def format_report(result: dict) -> str:
    peak = result["peak"]
    lines = [
        f"Embedding speed on {result['n']} womens_clothing reviews "
        f"(mean {result['mean_tokens']:.1f} tokens), best of the rounds; "
        f"load average {_load_average()}; minilm precision: {result['minilm_precision']}",
        "",
        f"{'method':<8} {'texts/s':>9} {'vs plain':>9} {'CPU texts/s':>12} {'vs plain':>9} "
        f"{'cos vs plain':>13} {'ARI ag_news':>12} {'ARI womens':>11}",
    ]
    for row in result["rows"]:
        cos = row["cos_vs_plain"]
        cos_text = "n/a (256-d)" if np.isnan(cos) else f"{cos:.5f}"
        lines.append(
            f"{row['method']:<8} {row['texts_per_s']:>9.1f} {row['ratio_wall']:>8.2f}x "
            f"{row['cpu_texts_per_s']:>12.1f} {row['ratio_cpu']:>8.2f}x {cos_text:>13} "
            f"{row['ari_ag_news']:>12.3f} {row['ari_womens']:>11.3f}"
        )
    ag = "all 7,600" if result["ag_n"] is None else f"{result['ag_n']} (stratified)"
    lines += [
        "",
        f"ARI: KMeans (true K: 4 classes, 6 departments; n_init=10, seed 0) on ag_news_test and "
        f"womens_clothing, {ag} texts each. minilm = torch engine; minilm_ov = the openvino engine "
        f"(what `minilm` runs when the extra is installed).",
        "CPU texts/s = texts per CPU-second of this process (all threads); less noisy than "
        "wall time when other processes share the cores.",
        "",
        "Fraction of peak FLOP/s (MiniLM runs):",
        f"  FLOPs counted: 6 layers x (2*(4*384^2 + 2*384*1536) per token + 4*384*L per token "
        f"for attention), no padding/softmax/LayerNorm/GELU: "
        f"{result['flops'] / result['n'] / 1e9:.2f} GFLOP per text, "
        f"{result['flops'] / 1e12:.2f} TFLOP for the sample.",
        f"  Peak assumed: {peak['cores']} cores x {peak['ghz']:.2f} GHz x {peak['fp32_per_cycle']} "
        f"fp32 FLOP/cycle (two 512-bit FMA pipes) = {peak['peak_fp32'] / 1e9:.0f} GFLOP/s fp32; "
        + (f"AMX tiles {peak['bf16_per_cycle']} bf16 FLOP/cycle = " if peak.get("amx") else
           f"bf16 dot products x{peak['bf16_per_cycle'] // peak['fp32_per_cycle']} = ")
        + f"{peak['peak_bf16'] / 1e9:.0f} GFLOP/s. Clock: max of /proc/cpuinfo "
        f"({peak['nominal_ghz']:.2f} GHz, the VM's base clock) and the clock implied by the "
        f"measured GEMM ({peak['implied_ghz']:.2f} GHz).",
        f"  Measured torch GEMM (1024^2 on one thread, best of 8, x {peak['cores']} cores): "
        f"fp32 {peak['gemm_fp32'] / 1e9:.0f} GFLOP/s, bf16 {peak['gemm_bf16'] / 1e9:.0f} GFLOP/s.",
    ]
    for row in result["rows"]:
        if row["method"] not in ("plain", "minilm", "minilm_ov"):
            continue
        bf16 = row["method"] != "plain" and result["minilm_precision"] == "bf16"
        theo = peak["peak_bf16"] if bf16 else peak["peak_fp32"]
        gemm = peak["gemm_bf16"] if bf16 else peak["gemm_fp32"]
        achieved = result["flops"] / (result["n"] / row["texts_per_s"])
        per_cpu_s = result["flops"] / (result["n"] / row["cpu_texts_per_s"])
        lines.append(
            f"  {row['method']:<7} {'bf16' if bf16 else 'fp32'}: {achieved / 1e9:7.1f} GFLOP/s wall = "
            f"{100 * achieved / theo:5.1f}% of assumed peak, "
            f"{100 * achieved / gemm:5.1f}% of measured GEMM; per CPU-second "
            f"{per_cpu_s / 1e9:.1f} GFLOP = {100 * per_cpu_s / (theo / peak['cores']):.1f}% "
            f"of one core's assumed peak"
        )
    lines.append("  static: table look-ups and a sparse sum, no dense FLOPs worth counting.")
    lines.append("Kernels that ran: " + "; ".join(f"{k}: {v}" for k, v in result.get("kernels", {}).items()))
    lines += issue16_target1(result["rows"])
    return "\n".join(lines)


def issue16_target1(rows: list[dict]) -> list[str]:
    """Issue 16 target 1: the OpenVINO engine vs torch `minilm` and plain, same run."""
    by = {row["method"]: row for row in rows}
    if "minilm_ov" not in by:
        return ["", "Issue 16 target 1: the openvino extra is not installed; not measured."]
    new, old, plain = by["minilm_ov"], by["minilm"], by["plain"]
    speed = new["texts_per_s"] / old["texts_per_s"]
    agree = (new["cos_vs_plain"] >= 0.99 and abs(new["ari_ag_news"] - plain["ari_ag_news"]) <= 0.01
             and abs(new["ari_womens"] - plain["ari_womens"]) <= 0.01)
    return [
        "",
        f"Issue 16 target 1: minilm_ov = {speed:.2f}x minilm (target >= 2x: "
        f"{'met' if speed >= 2 else 'not met'}), {new['ratio_wall']:.2f}x plain (target >= 12x: "
        f"{'met' if new['ratio_wall'] >= 12 else 'not met'}); per CPU-second "
        f"{new['cpu_texts_per_s'] / old['cpu_texts_per_s']:.2f}x minilm.",
        f"  agreement with fp32 (mean cosine >= 0.99, ARI within 0.01 on both sets): "
        f"{'met' if agree else 'not met'} (cosine {new['cos_vs_plain']:.5f}, ARI ag_news "
        f"{new['ari_ag_news'] - plain['ari_ag_news']:+.3f}, womens {new['ari_womens'] - plain['ari_womens']:+.3f})",
    ]


def _load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="review texts to time (default 2000)")
    parser.add_argument(
        "--ag-n", type=int, default=2000, help="ag_news texts for the ARI (0 = all 7,600)"
    )
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds per method")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = run_benchmark(
        n=args.n, ag_n=args.ag_n or None, rounds=args.rounds, seed=args.seed
    )
    print(format_report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
