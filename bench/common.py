"""Shared helpers for the benchmarks: timing, memory, tables, synthetic users from real ones."""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from segkit.io.prepare import UserTable, prepare_users  # noqa: E402
from segkit.io.roles import ColumnRoles  # noqa: E402
from segkit.pipeline import UserEmbeddings  # noqa: E402


def median_seconds(fn, repeat: int = 3) -> tuple[float, object]:
    """Median wall time of `repeat` calls, and the last call's result."""
    times, result = [], None
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far.

    VmHWM from /proc, not getrusage: Linux carries ru_maxrss across exec, so a child
    started by a big parent (bench/run.py after target 4: 5 GB) reported the parent's
    peak as its own.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0  # kB
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def print_table(title: str, rows: list[dict], note: str | None = None) -> None:
    print(f"\n## {title}")
    if note:
        print(note)
    if not rows:
        print("(no rows)")
        return
    frame = pd.DataFrame(rows)
    print(frame.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


def fmt_s(seconds: float | None) -> str:
    return "-" if seconds is None else (f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s")


def scaled_users(frame: pd.DataFrame, vectors: np.ndarray, n: int, seed: int = 0,
                 noise: float = 0.15) -> tuple[pd.DataFrame, np.ndarray]:
    """n synthetic users resampled (with replacement) from real rows and their cached vectors.

    Each copy's vector gets Gaussian noise (`noise` times the typical per-dimension spread)
    and is re-normalised, and its numeric traits are jittered, so copies are not duplicates;
    texts are the originals (keywords and examples stay real). Row i < len(frame) is the
    original row i, so a scaled set contains the real one.
    """
    rng = np.random.default_rng(seed)
    base = len(frame)
    pick = np.concatenate([np.arange(min(n, base)), rng.integers(0, base, size=max(0, n - base))])
    out = frame.iloc[pick].reset_index(drop=True).copy()
    vec = vectors[pick].astype(np.float32, copy=True)
    if n > base:
        spread = float(vectors.std(axis=0).mean())
        extra = slice(base, n)
        vec[extra] += rng.normal(0.0, noise * spread, size=vec[extra].shape).astype(np.float32)
        norms = np.linalg.norm(vec[extra], axis=1, keepdims=True)
        vec[extra] /= np.maximum(norms, 1e-12)
        for column in out.columns:
            if column in ("text", "label"):
                continue
            if pd.api.types.is_numeric_dtype(out[column]):
                values = out[column].to_numpy(dtype=float)
                std = np.nanstd(values[:base]) or 1.0
                values[base:] += rng.normal(0.0, 0.1 * std, size=n - base)
                out[column] = values
    out.insert(0, "user_id", [f"u{i}" for i in range(n)])
    return out, vec


def table_and_embeddings(frame: pd.DataFrame, vectors: np.ndarray, roles: ColumnRoles,
                         embedder: str) -> tuple[UserTable, UserEmbeddings]:
    """A UserTable for a one-row-per-user frame and its (already cached) vectors."""
    table = prepare_users(frame, roles)
    user_vectors = np.zeros((table.n_users, vectors.shape[1]), dtype=np.float32)
    ok = table.row_user >= 0
    user_vectors[table.row_user[ok]] = vectors[ok]
    return table, UserEmbeddings(user_vectors, np.arange(table.n_users), embedder, 0.0)


def cached_vectors(embedder_name: str, texts: list[str], compute: bool = True,
                   cache=None) -> np.ndarray | None:
    """Vectors for `texts` from segkit's embedding cache (computing and storing them when
    `compute`), or None when they are not cached and `compute` is False."""
    from segkit.embed.cache import EmbeddingCache, embed_with_cache, texts_key
    from segkit.embed.registry import get_embedder

    cache = cache or EmbeddingCache()
    embedder = get_embedder(embedder_name)
    unique, inverse = np.unique(np.asarray([str(t) for t in texts], dtype=object), return_inverse=True)
    unique = [str(t) for t in unique]
    if cache.load(texts_key(embedder.cache_token(), unique), len(unique)) is None:
        # Entries written by an earlier version of the same embedder (minilm 1 = the plain
        # sentence-transformers float32 path) are still that model's vectors: use them
        # rather than spend many minutes re-embedding on a shared machine.
        for token in LEGACY_TOKENS.get(embedder_name, ()):
            old = cache.load(texts_key(token, unique), len(unique))
            if old is not None:
                LEGACY_USED.add(f"{embedder_name} vectors from cache entries of '{token}'")
                return old[inverse.reshape(-1)]
        if not compute:
            return None
    return embed_with_cache(embedder, texts, cache)


LEGACY_TOKENS = {"minilm": ("minilm:1",)}
LEGACY_USED: set[str] = set()
