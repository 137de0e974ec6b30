"""One OpenMP runtime per process: torch's, loaded before numba can load another.

numba (under UMAP and pynndescent) starts its OpenMP thread pool from the system's
libgomp; torch's wheel ships its own copy. Whichever is loaded first serves both (same
soname), and when it is the system one, torch's multi-threaded work later in the same
process ran 16-35x slower: plain sentence-transformers encode of 600 reviews took
36-53 s after a UMAP fit and a `minilm` embedding instead of 1.5-2.2 s, and distilling
the static model 164 s instead of 14 s (2 cores; bench/openmp_clash.py). The dashboard
does exactly that sequence. Loading torch's runtime first (a dlopen: torch
itself is not imported) removes the slowdown. The entry points do it first
(segkit.runtime.configure_process); segkit's UMAP paths do it again before `import umap`.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
from pathlib import Path


def torch_openmp_library() -> Path | None:
    """The OpenMP runtime inside the installed torch wheel, without importing torch."""
    try:
        spec = importlib.util.find_spec("torch")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidates = sorted((Path(location) / "lib").glob("libgomp*.so*"))
        if candidates:
            return candidates[0]
    return None


def load_torch_openmp() -> Path | None:
    """Load torch's OpenMP runtime globally if there is one; returns its path."""
    library = torch_openmp_library()
    if library is None:
        return None
    try:
        ctypes.CDLL(str(library), mode=ctypes.RTLD_GLOBAL)
    except OSError:  # an unusual build: leave the loader's choice alone
        return None
    return library


@functools.lru_cache(maxsize=1)
def ensure_torch_openmp() -> Path | None:
    """`load_torch_openmp` once per process."""
    return load_torch_openmp()
