"""How many CPU threads the cheap (post-embedding) steps may use.

K-means, PCA and the metrics call into OpenMP/BLAS thread pools. On a small, shared
machine (the 2-core laptop segkit targets, a dashboard server with several sessions)
those pools oversubscribe the cores and spin-wait: measured here, a 20,000-user
K-means fit took 5.5 s with the default pools and 0.5 s with one thread. So the
cheap steps run single-threaded unless SEGKIT_CLUSTER_THREADS says otherwise
(a positive number of threads, or 0 for the libraries' defaults).

The pools are process-wide, and a dashboard runs several sessions in threads of one
process. threadpoolctl's own context manager saves the current limits on entry and puts
them back on exit, so two overlapping blocks restore each other's limits in the wrong
order (the BLAS pools stayed at 1 thread after both had finished). So for BLAS, whose
thread count is one number for the whole process, one process-wide counter does it:
the first block to enter applies the limit and saves the original sizes, blocks that
overlap it only count, and the last one to leave restores the originals. OpenMP's
thread count is per calling thread (each session's script thread has its own), so each
block sets and restores it for its own thread, which cannot disturb another session.
"""

from __future__ import annotations

import contextlib
import os
import threading

from threadpoolctl import ThreadpoolController, threadpool_limits


def cluster_threads() -> int | None:
    raw = os.environ.get("SEGKIT_CLUSTER_THREADS", "1").strip()
    try:
        value = int(raw)
    except ValueError:
        return 1
    return None if value <= 0 else value


_LOCK = threading.Lock()
_STATE: dict = {"depth": 0, "saved": None, "limit": None}


@contextlib.contextmanager
def _shared_limit(threads: int):
    with _LOCK:
        if _STATE["depth"] == 0:
            controller = ThreadpoolController()  # the libraries loaded by now
            _STATE["saved"] = [(pool, pool.num_threads) for pool in controller.lib_controllers
                               if pool.user_api == "blas"]
            _STATE["limit"] = threads
            for pool, _ in _STATE["saved"]:
                pool.set_num_threads(threads)
        _STATE["depth"] += 1
    try:
        with threadpool_limits(limits=threads, user_api="openmp"):  # this thread's own setting
            yield
    finally:
        with _LOCK:
            _STATE["depth"] -= 1
            if _STATE["depth"] == 0:
                for pool, original in _STATE["saved"] or []:
                    pool.set_num_threads(original)
                _STATE["saved"] = None


def limited_threads():
    """Context manager: the thread limit above for OpenMP and BLAS, while any block holds it."""
    threads = cluster_threads()
    if threads is None:
        return contextlib.nullcontext()
    return _shared_limit(threads)
