"""On-disk embedding cache keyed by content, so the same texts are never embedded twice.

Entries are plain .npy files (never pickle: the cache directory may be shared). Before
an entry is read, its header is checked: NumPy's magic, a little-endian float32
C-order 2-D array, one row per text, a width the embedder can produce, and a file size
that matches the shape exactly; so a planted header claiming 10^13 rows is refused
without allocating anything. After reading, every value must be finite and the rows
must not all be one and the same non-zero vector. Any failure deletes the entry, notes
it (`EmbeddingCache.notes`, one line each, and the `segkit` logger) and the texts are
embedded again. A corpus-fitted embedder's state (TF-IDF's vocabulary, idf and SVD basis)
can sit beside its vectors as an .npz of plain arrays. The folder is bounded: after each
store the least recently used entries are deleted until the cache is under $SEGKIT_CACHE_MAX_MB (default 2,048 MB).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from segkit.embed.base import Embedder, ProgressCallback

LOG = logging.getLogger("segkit")
DEFAULT_CACHE_MAX_MB = 2048
CACHE_MAX_ENV = "SEGKIT_CACHE_MAX_MB"
_FLOAT32 = np.dtype("<f4")


def default_cache_dir() -> Path:
    env = os.environ.get("SEGKIT_CACHE_DIR")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "segkit"


def default_cache_max_bytes() -> int:
    raw = os.environ.get(CACHE_MAX_ENV, "").strip()
    try:
        megabytes = float(raw) if raw else DEFAULT_CACHE_MAX_MB
    except ValueError:
        megabytes = DEFAULT_CACHE_MAX_MB
    return int(max(megabytes, 0) * 1024 * 1024)


def texts_key(embedder_token: str, texts: Sequence[str]) -> str:
    digest = hashlib.sha256()
    digest.update(embedder_token.encode("utf-8"))
    for text in texts:
        encoded = text.encode("utf-8", "surrogatepass")
        # Length-prefix each text so ["ab", "c"] and ["a", "bc"] differ.
        digest.update(len(encoded).to_bytes(8, "little"))
        digest.update(encoded)
    return digest.hexdigest()


class BadEntry(ValueError):
    """A cache file that must not be used (the message says why)."""


def read_checked_npy(path: Path, n_rows: int, width_ok: Callable[[int], bool] | None = None) -> np.ndarray:
    """The float32 (n_rows, width) array in `path`, or BadEntry; the header is checked before any allocation."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        try:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
            else:
                raise BadEntry(f"unsupported .npy version {version}")
        except (ValueError, OSError, EOFError, SyntaxError) as exc:
            if isinstance(exc, BadEntry):
                raise
            raise BadEntry(f"unreadable header ({exc})") from None
        if dtype != _FLOAT32 or fortran:
            raise BadEntry(f"dtype {dtype}{' (Fortran order)' if fortran else ''}, expected little-endian float32")
        if len(shape) != 2:
            raise BadEntry(f"shape {shape}, expected 2 dimensions")
        rows, width = (int(v) for v in shape)
        if rows != n_rows:
            raise BadEntry(f"{rows:,} rows for {n_rows:,} texts")
        if width < 1 or (width_ok is not None and not width_ok(width)):
            raise BadEntry(f"width {width}, which this embedder does not produce")
        expected = handle.tell() + rows * width * _FLOAT32.itemsize
        if size != expected:
            raise BadEntry(f"file is {size:,} bytes, its header promises {expected:,}")
        vectors = np.fromfile(handle, dtype=_FLOAT32, count=rows * width).reshape(rows, width)
    if not np.isfinite(vectors).all():
        raise BadEntry("it holds NaN or infinite values")
    if rows > 1 and np.any(vectors[0]) and not np.any(vectors != vectors[0]):
        raise BadEntry("every text has the same vector")
    return vectors


class EmbeddingCache:
    def __init__(self, directory: str | Path | None = None, max_bytes: int | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.max_bytes = default_cache_max_bytes() if max_bytes is None else int(max_bytes)
        self.notes: list[str] = []  # one line per entry that was refused and recomputed

    def _path(self, key: str) -> Path:
        return self.directory / "embeddings" / f"{key}.npy"

    def load(self, key: str, n_rows: int, width_ok: Callable[[int], bool] | None = None) -> np.ndarray | None:
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            vectors = read_checked_npy(path, n_rows, width_ok)
        except (BadEntry, OSError) as exc:
            return self._refuse(path, f"cached embeddings {path.name[:12]}… were unusable ({exc}); deleted, "
                                      "embedding again")
        _touch(path)
        return vectors

    def _refuse(self, path: Path, note: str) -> None:
        """Delete an unusable entry and say so (the latest 100 notes: the dashboard's cache lives long)."""
        self.notes = [*self.notes[-99:], note]
        LOG.warning(note)
        path.unlink(missing_ok=True)

    def _write(self, path: Path, write: Callable) -> None:
        """`write(file)` to a temporary file then renamed to `path`, so a crash never leaves a
        half-written entry behind; then the folder is trimmed to its bound."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as tmp:
                write(tmp)
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        self.evict(keep=path)

    def store(self, key: str, vectors: np.ndarray) -> None:
        self._write(self._path(key),
                    lambda tmp: np.save(tmp, np.ascontiguousarray(vectors, dtype=_FLOAT32), allow_pickle=False))

    def _state_path(self, key: str) -> Path:
        return self.directory / "embeddings" / f"{key}.state.npz"

    def store_state(self, key: str, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        """A corpus-fitted embedder's state beside the vectors of entry `key` (plain arrays and
        JSON, never pickle), so a saved model need not fit it again."""
        meta_bytes = np.frombuffer(json.dumps(meta).encode("utf-8"), np.uint8)
        self._write(self._state_path(key), lambda tmp: np.savez(tmp, **arrays, state_meta_json=meta_bytes))

    def load_state(self, key: str) -> tuple[dict, dict[str, np.ndarray]] | None:
        """(meta, arrays) stored by `store_state` for entry `key`, or None (missing or unreadable)."""
        path = self._state_path(key)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
            meta = json.loads(arrays.pop("state_meta_json").tobytes().decode("utf-8"))
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            return self._refuse(path, f"cached embedder state {path.name[:12]}… was unusable ({exc}); deleted")
        _touch(path)
        return meta, arrays

    def evict(self, keep: Path | None = None) -> None:
        """Delete least recently used entries until the folder is under max_bytes (never `keep`)."""
        folder = self.directory / "embeddings"
        entries = []
        for entry in [*folder.glob("*.npy"), *folder.glob("*.state.npz")]:
            try:
                stat = entry.stat()
            except OSError:
                continue
            entries.append((stat.st_mtime, stat.st_size, entry))
        total = sum(size for _, size, _ in entries)
        for _, size, entry in sorted(entries, key=lambda e: e[0]):
            if total <= self.max_bytes:
                break
            if keep is not None and entry == keep:
                continue
            entry.unlink(missing_ok=True)
            total -= size


def _touch(path: Path) -> None:
    try:
        os.utime(path)  # least-recently-used order for eviction
    except OSError:
        pass


def is_cached(embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache | None) -> bool:
    """Whether `embed_with_cache` would find these texts' vectors on disk (no loading)."""
    if cache is None:
        return False
    unique, _ = _distinct(texts)
    return cache._path(texts_key(embedder.cache_token(), unique)).is_file()


def _distinct(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The distinct texts in the order the cache key uses, and each text's position in them."""
    unique, inverse = np.unique(np.asarray([str(t) for t in texts], dtype=object), return_inverse=True)
    return [str(t) for t in unique], inverse.reshape(-1)


def embed_with_cache(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache | None = None,
    progress: ProgressCallback | None = None,
) -> np.ndarray:
    """Embed `texts` (duplicates embedded once), reading and filling the cache."""
    return _embed_cached(embedder, texts, cache, progress, with_state=False)[0]


def fit_with_cache(embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache | None = None,
                   progress: ProgressCallback | None = None) -> tuple[np.ndarray, object | None]:
    """A corpus-fitted embedder's (`corpus_fitted`, TF-IDF) vectors of `texts`, as
    `embed_with_cache` gives them, and the state it was fitted to on them (what a saved model
    keeps), both kept in `cache`. The state is None when the vectors come from an entry with
    no state beside it (written by `embed_with_cache`, or before states were kept)."""
    return _embed_cached(embedder, texts, cache, progress, with_state=True)


def _embed_cached(embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache | None,
                  progress: ProgressCallback | None, with_state: bool) -> tuple[np.ndarray, object | None]:
    unique_list, inverse = _distinct(texts)
    key = texts_key(embedder.cache_token(), unique_list)
    n_texts = len(unique_list)
    vectors = cache.load(key, n_texts, lambda width: embedder.produces_width(width, n_texts)) \
        if cache is not None else None
    state = None
    if vectors is None:
        if with_state:
            state, raw = embedder.embed_fitted(unique_list, progress=progress)
        else:
            raw = embedder.embed(unique_list, progress=progress)
        vectors = np.asarray(raw, dtype=np.float32)
        if vectors.shape[0] != len(unique_list):
            raise RuntimeError(
                f"embedder {embedder.name} returned {vectors.shape[0]} rows for {len(unique_list)} texts"
            )
        vectors = np.nan_to_num(vectors, nan=0.0, posinf=0.0, neginf=0.0)
        if cache is not None:
            cache.store(key, vectors)
            if state is not None:
                cache.store_state(key, state.meta(), state.arrays())
    else:
        if with_state and cache is not None:
            saved = cache.load_state(key)
            state = None if saved is None else embedder.state_from_saved(*saved)
        if progress is not None:
            progress(len(unique_list), len(unique_list))
    return vectors[inverse], state
