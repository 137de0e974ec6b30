"""Things there is one of per server process (st.cache_resource): models, caches, background workers."""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import streamlit as st

from dashboard.state import Dataset, default_map_method
from dashboard.words import _catalog, lang, tr
from segkit import waits
from segkit.derived_cache import Memory
from segkit.embed.background import EmbedJobs
from segkit.embed.cache import EmbeddingCache
from segkit.embed.registry import EMBEDDERS, get_embedder
from segkit.reduce.map2d import project_2d, wait_until_warm, warm_up_seconds, warm_up_umap
from segkit.threads import limited_threads
from segkit.waits import plans


@st.cache_resource(show_spinner=False)
def start_umap_warmup() -> bool:
    """Compile UMAP (numba, ~40 s in all) in the background once per server process."""
    if default_map_method() == "umap":
        warm_up_umap(blocking=False)
        return True
    return False


@st.cache_resource(show_spinner=False, max_entries=8)
def embedder_instance(name: str):
    """Embedder objects hold models (MiniLM...): one per process."""
    return get_embedder(name)


@st.cache_resource(show_spinner=False)
def disk_cache() -> EmbeddingCache:
    return EmbeddingCache()


@st.cache_resource(show_spinner=False)
def derived_memory() -> Memory:
    """Trees, word counts and sentiment scores, one set per process: a slider move re-reads them."""
    return Memory()


@st.cache_resource(show_spinner=False)
def embed_jobs() -> EmbedJobs:
    """Background embeddings (MiniLM behind a preview), shared by sessions, keyed by content."""
    return EmbedJobs()


def session_id() -> str:
    return st.session_state.setdefault("sk_session_id", uuid.uuid4().hex)


class MapJobs:
    """UMAP maps computed on one background thread, keyed by content.

    Pages show the (instant) PCA map while the UMAP map for the same features is being
    computed, and switch when it is ready; nobody waits for numba's compilation. The
    worker is shared by every session; each job remembers the sessions that asked for
    it, and a session only ever cancels queued jobs that no other session wants.
    """

    def __init__(self, max_jobs: int = 8) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="segkit-map")
        self.jobs: OrderedDict[str, Future] = OrderedDict()
        self.owners: dict[str, set[str]] = {}  # job key -> sessions whose latest request it is
        self.waits: dict[str, waits.Wait] = {}  # job key -> its progress and time left
        self.lock = threading.Lock()
        self.max_jobs = max_jobs

    def get(self, key: str, matrix: np.ndarray, seed: int, owner: str | None = None) -> Future:
        """The job for `key`, submitted if new. A failed job stays failed (no retry loop).
        Queued jobs this session asked for before, and that no other session wants, are
        cancelled, so a slider sweep does not queue a UMAP per position (they are
        resubmitted if someone comes back to them)."""
        owner = owner if owner is not None else _session_id()
        with self.lock:
            for other_key, owners in list(self.owners.items()):
                if other_key == key or owner not in owners:
                    continue
                owners.discard(owner)
                other = self.jobs.get(other_key)
                if not owners and other is not None and not other.running() and other.cancel():
                    self.jobs.pop(other_key)
                    self.owners.pop(other_key)
                    self.waits.pop(other_key, None)
            future = self.jobs.get(key)
            if future is None or future.cancelled():
                wait = plans.map_wait(matrix.shape[0], warm_up_seconds(matrix.shape[0]))
                future = self.pool.submit(_umap_map, matrix, seed, wait)
                self.jobs[key], self.waits[key] = future, wait
            self.owners.setdefault(key, set()).add(owner)
            self.jobs.move_to_end(key)
            while len(self.jobs) > self.max_jobs:
                oldest, job = next(iter(self.jobs.items()))
                if not job.done():
                    break
                self.jobs.pop(oldest)
                self.owners.pop(oldest, None)
                self.waits.pop(oldest, None)
            return future

    def status(self, key: str) -> waits.WaitStatus | None:
        """How far the map `key` is, with its time left (None for a job not submitted)."""
        with self.lock:
            wait = self.waits.get(key)
        return None if wait is None else wait.status()


    def peek(self, key: str) -> Future | None:
        """The job for `key` if one was submitted (never submits)."""
        with self.lock:
            future = self.jobs.get(key)
            return None if future is None or future.cancelled() else future


def _session_id() -> str:
    """This browser session's id (one per tab), or 'local' outside a Streamlit script run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else "local"


def _umap_map(matrix: np.ndarray, seed: int, wait: waits.Wait | None = None) -> np.ndarray:
    with limited_threads(), waits.waiting(wait or waits.Wait([])):
        # While the server's warm-up compiles UMAP, wait for it (the "map.umap.compile"
        # phase) instead of compiling the same code beside it.
        wait_until_warm(matrix.shape[0])
        return project_2d(matrix, method="umap", seed=seed)


@st.cache_resource(show_spinner=False)
def map_jobs() -> MapJobs:
    return MapJobs()


def _model_seconds(name: str, n_texts: int, mean_chars: float | None) -> float | None:
    """The embedder's own estimate, or None for a backend that cannot load."""
    try:
        return float(embedder_instance(name).expected_seconds(n_texts, mean_chars))
    except Exception:  # noqa: BLE001 - shown as unavailable; the embedding itself says what is wrong
        return None


def embedder_expected_seconds(name: str, n_texts: int, mean_chars: float | None = None) -> float | None:
    """Seconds to embed with `name` on this machine (its own estimate, corrected by the speed
    measured here before: segkit.waits), or None for a backend that cannot load."""
    seconds = _model_seconds(name, n_texts, mean_chars)
    return None if seconds is None else plans.embed_seconds(name, seconds, n_texts, mean_chars)


def embedder_wait(name: str, n_texts: int, mean_chars: float | None = None) -> waits.Wait:
    """The wait of embedding with `name` (learns this machine's speed when it finishes)."""
    seconds = _model_seconds(name, n_texts, mean_chars)
    return waits.Wait([]) if seconds is None else plans.embed_wait(name, seconds, n_texts, mean_chars)


@st.cache_resource(show_spinner=False)
def described_tables() -> set:
    """(dataset key, roles) of the tables this process has described: their sentiment scores
    and word counts are in derived_memory(), so a new segmentation of them skips that work."""
    return set()


def embedder_description(name: str) -> str:
    try:
        description = embedder_instance(name).description or name
    except Exception as exc:  # noqa: BLE001
        return tr("common.unavailable", error=type(exc).__name__)
    key = f"embedder.{name}"
    return tr(key) if lang() != "en" and key in _catalog() else description


def available_embedders(dataset: Dataset) -> list[str]:
    names = [n for n in EMBEDDERS if n != "precomputed"]
    if dataset.roles.vector_cols:
        names.append("precomputed")
    return names
