"""The 2-D map shown to people. It is for looking only: clusters and metrics never use it."""

from __future__ import annotations

import threading

import numpy as np
from sklearn.decomposition import PCA

_umap_ready = threading.Event()


def umap_is_warm() -> bool:
    return _umap_ready.is_set()


def warm_up_umap(blocking: bool = False) -> threading.Thread | None:
    """Pay UMAP's numba compilation (~35 s, once per process) before anyone waits for it."""
    if _umap_ready.is_set():
        return None

    def _compile() -> None:
        rng = np.random.default_rng(0)
        data = rng.normal(size=(300, 8)).astype(np.float32)
        project_2d(data, method="umap", seed=0)
        _umap_ready.set()

    if blocking:
        _compile()
        return None
    thread = threading.Thread(target=_compile, name="segkit-umap-warmup", daemon=True)
    thread.start()
    return thread


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
        import umap

        model = umap.UMAP(
            n_components=2,
            n_neighbors=min(n_neighbors, n_samples - 1),
            min_dist=0.1,
            metric="cosine" if matrix.shape[1] > 20 else "euclidean",
            random_state=seed,
            low_memory=True,
        )
        coords = model.fit_transform(matrix).astype(np.float32)
        _umap_ready.set()
        return coords
    return PCA(n_components=2, random_state=seed).fit_transform(matrix).astype(np.float32)
