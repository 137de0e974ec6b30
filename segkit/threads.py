"""How many CPU threads the cheap (post-embedding) steps may use.

K-means, PCA and the metrics call into OpenMP/BLAS thread pools. On a small, shared
machine (the 2-core laptop segkit targets, a dashboard server with several sessions)
those pools oversubscribe the cores and spin-wait: measured here, a 20,000-user
K-means fit took 5.5 s with the default pools and 0.5 s with one thread. So the
cheap steps run single-threaded unless SEGKIT_CLUSTER_THREADS says otherwise
(a positive number of threads, or 0 for the libraries' defaults).
"""

from __future__ import annotations

import contextlib
import os

from threadpoolctl import threadpool_limits


def cluster_threads() -> int | None:
    raw = os.environ.get("SEGKIT_CLUSTER_THREADS", "1").strip()
    try:
        value = int(raw)
    except ValueError:
        return 1
    return None if value <= 0 else value


def limited_threads():
    """Context manager: the thread limit above for OpenMP and BLAS, for the block's duration."""
    threads = cluster_threads()
    if threads is None:
        return contextlib.nullcontext()
    return threadpool_limits(limits=threads)
