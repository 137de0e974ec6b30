"""The 2-D map shown to people. It is for looking only: clusters and metrics never use it."""

from __future__ import annotations

import threading
import time

import numpy as np
from sklearn.decomposition import PCA

_umap_ready = threading.Event()  # small inputs (exact neighbours) will not compile
_umap_large_ready = threading.Event()  # nor will 4,096+ users (approximate neighbours)
_warm_up: dict = {}  # "thread" and "started" (time.monotonic()) of the running warm-up

# UMAP takes exact neighbours below 4,096 points and pynndescent's approximate ones from
# there on; each path, and each metric, is compiled by numba on first use.
UMAP_APPROXIMATE_FROM = 4_096


def umap_is_warm(n_samples: int = 0) -> bool:
    """Whether a UMAP fit on `n_samples` points would start without compiling first."""
    return (_umap_large_ready if n_samples >= UMAP_APPROXIMATE_FROM else _umap_ready).is_set()


def warm_up_umap(blocking: bool = False) -> threading.Thread | None:
    """Pay UMAP's numba compilation before anyone waits for it: ~12 s for the exact path
    (maps of the sample and anything under 4,096 users), then ~25 s more for the
    approximate-neighbour path bigger uploads take (measured on 2 cores; without this a
    first 20,000-user UMAP took 28.5 s instead of 8.5 s)."""
    if _umap_large_ready.is_set():
        return None

    def _compile() -> None:
        rng = np.random.default_rng(0)
        # Text spaces have many dimensions (cosine), trait-only spaces few (euclidean).
        for dims in (32, 8):
            project_2d(rng.normal(size=(300, dims)).astype(np.float32), method="umap", seed=0)
        _umap_ready.set()
        project_2d(rng.normal(size=(UMAP_APPROXIMATE_FROM + 100, 32)).astype(np.float32), method="umap", seed=0)
        _umap_large_ready.set()

    if blocking:
        _compile()
        return None
    thread = threading.Thread(target=_compile, name="segkit-umap-warmup", daemon=True)
    _warm_up.update(thread=thread, started=time.monotonic())
    thread.start()
    return thread


# UMAP's spectral start solves an eigenproblem of the neighbour graph with ARPACK, whose
# convergence slows sharply with size: a 2-D map of 50,000 fused users (bench/hdbscan_live.py's
# users) took 43.7 s from it and 18.2 s from the data's principal components, with the same
# share of each point's 15 nearest neighbours kept (0.163 / 0.166) and distances ranked more
# like the input's (Spearman 0.572 / 0.622). Maps beyond this size start from PCA. The
# clustering space keeps the spectral start: with only 30 layout rounds at that size, HDBSCAN
# on a PCA start left 77% of 100,000 users unassigned instead of 34%.
MAP_SPECTRAL_INIT_MAX_POINTS = 30_000


def map_init(n_samples: int) -> str:
    """How the 2-D map's UMAP layout starts: 'spectral' up to MAP_SPECTRAL_INIT_MAX_POINTS."""
    return "spectral" if n_samples <= MAP_SPECTRAL_INIT_MAX_POINTS else "pca"


def warm_up_seconds(n_samples: int) -> float | None:
    """Seconds the background warm-up has been compiling the path `n_samples` takes, or
    None when that path is compiled or no warm-up runs (a map then compiles by itself)."""
    thread = _warm_up.get("thread")
    if umap_is_warm(n_samples) or thread is None or not thread.is_alive():
        return None
    return time.monotonic() - _warm_up["started"]


def wait_until_warm(n_samples: int, timeout: float | None = None) -> bool:
    """Block until the running warm-up has compiled the path `n_samples` takes (True), or
    return False at once when no warm-up runs for it."""
    if warm_up_seconds(n_samples) is None:
        return umap_is_warm(n_samples)
    return (_umap_large_ready if n_samples >= UMAP_APPROXIMATE_FROM else _umap_ready).wait(timeout)


def project_2d(matrix: np.ndarray, method: str = "umap", seed: int = 0,
               n_neighbors: int = 15) -> np.ndarray:
    """(n, 2) coordinates; 'umap' falls back to PCA for tiny inputs."""
    matrix = np.asarray(matrix, dtype=np.float32)
    n_samples = matrix.shape[0]
    if n_samples < 3 or matrix.shape[1] < 2:
        coords = np.zeros((n_samples, 2), dtype=np.float32)
        coords[:, : min(2, matrix.shape[1])] = matrix[:, : min(2, matrix.shape[1])]
        return coords
    if method == "umap" and n_samples >= 10:
        from segkit.openmp import ensure_torch_openmp

        ensure_torch_openmp()  # before numba starts its threads (segkit/openmp.py)
        import umap

        from segkit import waits
        from segkit.reduce.umap_progress import layout_tqdm_kwds

        waits.phase("map.umap.graph")
        model = umap.UMAP(
            n_components=2,
            init=map_init(n_samples),
            n_neighbors=min(n_neighbors, n_samples - 1),
            min_dist=0.1,
            metric="cosine" if matrix.shape[1] > 20 else "euclidean",
            random_state=seed,
            low_memory=True,
            tqdm_kwds=layout_tqdm_kwds("map.umap"),  # layout rounds -> the open wait's progress
        )
        coords = model.fit_transform(matrix).astype(np.float32)
        (_umap_large_ready if n_samples >= UMAP_APPROXIMATE_FROM else _umap_ready).set()
        return coords
    return PCA(n_components=2, random_state=seed).fit_transform(matrix).astype(np.float32)
