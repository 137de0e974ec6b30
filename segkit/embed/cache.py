"""On-disk embedding cache keyed by content, so the same texts are never embedded twice.

Entries are plain .npy files read with allow_pickle=False (never pickle: the cache
directory may be shared) and validated for shape, dtype and finiteness before use; a
bad entry is deleted and recomputed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from segkit.embed.base import Embedder, ProgressCallback


def default_cache_dir() -> Path:
    env = os.environ.get("SEGKIT_CACHE_DIR")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "segkit"


def texts_key(embedder_token: str, texts: Sequence[str]) -> str:
    digest = hashlib.sha256()
    digest.update(embedder_token.encode("utf-8"))
    for text in texts:
        encoded = text.encode("utf-8", "surrogatepass")
        # Length-prefix each text so ["ab", "c"] and ["a", "bc"] differ.
        digest.update(len(encoded).to_bytes(8, "little"))
        digest.update(encoded)
    return digest.hexdigest()


class EmbeddingCache:
    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    def _path(self, key: str) -> Path:
        return self.directory / "embeddings" / f"{key}.npy"

    def load(self, key: str, n_rows: int) -> np.ndarray | None:
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            vectors = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError):
            vectors = None
        valid = (
            isinstance(vectors, np.ndarray)
            and vectors.dtype == np.float32
            and vectors.ndim == 2
            and vectors.shape[0] == n_rows
            and bool(np.isfinite(vectors).all())
        )
        if not valid:
            path.unlink(missing_ok=True)
            return None
        return vectors

    def store(self, key: str, vectors: np.ndarray) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a crash never leaves a half-written entry behind.
        handle, tmp_name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as tmp:
                np.save(tmp, np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise


def is_cached(embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache | None) -> bool:
    """Whether `embed_with_cache` would find these texts' vectors on disk (no loading)."""
    if cache is None:
        return False
    unique = sorted({str(t) for t in texts})  # np.unique's order, which embed_with_cache keys on
    return cache._path(texts_key(embedder.cache_token(), unique)).is_file()


def embed_with_cache(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache | None = None,
    progress: ProgressCallback | None = None,
) -> np.ndarray:
    """Embed `texts` (duplicates embedded once), reading and filling the cache."""
    texts = [str(t) for t in texts]
    unique_texts, inverse = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
    unique_list = [str(t) for t in unique_texts]
    key = texts_key(embedder.cache_token(), unique_list)
    vectors = cache.load(key, len(unique_list)) if cache is not None else None
    if vectors is None:
        vectors = np.asarray(embedder.embed(unique_list, progress=progress), dtype=np.float32)
        if vectors.shape[0] != len(unique_list):
            raise RuntimeError(
                f"embedder {embedder.name} returned {vectors.shape[0]} rows for {len(unique_list)} texts"
            )
        vectors = np.nan_to_num(vectors, nan=0.0, posinf=0.0, neginf=0.0)
        if cache is not None:
            cache.store(key, vectors)
    elif progress is not None:
        progress(len(unique_list), len(unique_list))
    return vectors[inverse.reshape(-1)]
