"""Embedding in a background thread, with progress, the time left (segkit.waits) and cancellation.

The dashboard shows a fast preview while a slow embedder (MiniLM) runs here; when the
job is done its vectors are in the embedding cache and the page swaps in the better
segments. Jobs are keyed by content (dataset, roles, embedder), so two sessions on the
same file share one job; a session that cancels only drops its own interest, and the
job stops when nobody is waiting for it any more.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from segkit import waits
from segkit.waits import Phase, Wait


class EmbeddingCancelled(Exception):
    """Raised inside the embedding loop when every session waiting for a job cancelled it."""


@dataclass(frozen=True)
class JobStatus:
    state: str  # "running", "queued", "done", "failed", "cancelled"
    done: int
    total: int
    elapsed_s: float
    eta_s: float | None  # seconds left; None until the rate is known
    error: str | None = None

    @property
    def fraction(self) -> float:
        return min(self.done / self.total, 1.0) if self.total else 0.0


class EmbedJob:
    def __init__(self, wait: Wait | None = None, estimate_s: float | None = None) -> None:
        """`wait`: the embedding's wait (segkit.waits.plans.embed_wait: the per-machine
        estimate, learning when done); else one made from `estimate_s` (seconds, or None)."""
        self.cancel_event = threading.Event()
        self.subscribers: set[str] = set()
        self.estimate_s = estimate_s if wait is None else wait.expected_s
        self.wait = wait if wait is not None else Wait([Phase("embed", estimate_s or 0.0)])
        self.done = 0
        self.total = 0
        self.started: float | None = None
        self.future: Future | None = None
        self.lock = threading.Lock()

    def progress(self, done: int, total: int) -> None:
        if self.cancel_event.is_set():
            raise EmbeddingCancelled("embedding cancelled")
        with self.lock:
            self.done, self.total = int(done), int(total)
        self.wait.progress(done, total)

    def status(self) -> JobStatus:
        future = self.future
        elapsed = time.perf_counter() - self.started if self.started else 0.0
        with self.lock:
            done, total = self.done, self.total
        if future is not None and future.done():
            if future.cancelled() or isinstance(future.exception(), EmbeddingCancelled):
                return JobStatus("cancelled", done, total, elapsed, None)
            if future.exception() is not None:
                error = future.exception()
                return JobStatus("failed", done, total, elapsed, None, f"{type(error).__name__}: {error}")
            return JobStatus("done", total, total, elapsed, 0.0)
        if self.started is None:
            return JobStatus("queued", 0, total, 0.0, self.estimate_s)
        return JobStatus("running", done, total, elapsed, self._eta())

    def _eta(self) -> float | None:
        """segkit.waits' time left; None while neither an estimate nor a measured rate exists."""
        if self.estimate_s is None and not self.wait.has_rate():
            return None
        return self.wait.status().left


class EmbedJobs:
    """Background embedding jobs on one worker thread (embedding already uses every core)."""

    def __init__(self, max_jobs: int = 8) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="segkit-embed")
        self.jobs: OrderedDict[str, EmbedJob] = OrderedDict()
        self.lock = threading.Lock()
        self.max_jobs = max_jobs

    def start(self, key: str, subscriber: str, work: Callable[[Callable[[int, int], None]], object],
              estimate_s: float | None = None, wait: Wait | None = None) -> EmbedJob:
        """The job for `key`, started if new (or if the last one was cancelled or failed);
        `work(progress)` computes the result and must call progress(done, total). Its time
        left comes from `wait` (segkit.waits.plans.embed_wait), else from `estimate_s`."""
        with self.lock:
            job = self.jobs.get(key)
            # A failed job stays failed for those who saw it fail (no retry loop on every
            # rerun); someone who cancelled, or a newcomer, starts it afresh.
            stale = job is not None and job.status().state in ("cancelled", "failed")
            if job is None or (stale and subscriber not in job.subscribers):
                job = EmbedJob(wait, estimate_s)

                def run() -> object:
                    job.started = time.perf_counter()
                    with waits.waiting(job.wait):
                        return work(job.progress)

                job.future = self.pool.submit(run)
                self.jobs[key] = job
            job.subscribers.add(subscriber)
            self.jobs.move_to_end(key)
            self._trim()
            return job

    def get(self, key: str) -> EmbedJob | None:
        with self.lock:
            return self.jobs.get(key)

    def cancel(self, key: str, subscriber: str) -> None:
        """Drop `subscriber`'s interest; stop the job when nobody else waits for it."""
        with self.lock:
            job = self.jobs.get(key)
            if job is None:
                return
            job.subscribers.discard(subscriber)
            if not job.subscribers:
                job.cancel_event.set()
                if job.future is not None:
                    job.future.cancel()  # only succeeds while queued

    def _trim(self) -> None:
        while len(self.jobs) > self.max_jobs:
            oldest_key, oldest = next(iter(self.jobs.items()))
            if oldest.future is not None and not oldest.future.done():
                break
            self.jobs.pop(oldest_key)
