"""The embedder interface: texts in, one float32 row per text out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import numpy as np

# progress(done, total): called as batches finish, so a UI or CLI can draw a bar.
ProgressCallback = Callable[[int, int], None]


class Embedder(ABC):
    """Turns texts into vectors.

    Subclasses set `name` (the registry key) and `version` (bump it whenever the
    vectors for the same text would change: it is part of the cache key).
    `texts_per_second` is a rough figure measured on a 2-core laptop, used to show
    the expected time before a run starts.
    """

    name: str = ""
    version: str = "1"
    texts_per_second: float = 1000.0
    # Data-dependent embedders (TF-IDF) fit on the corpus, so their vectors for a text
    # depend on the other texts; the cache key then covers the whole corpus (it always does).
    corpus_fitted: bool = False
    description: str = ""

    def cache_token(self) -> str:
        """Everything that changes the output for the same texts (name, version, params)."""
        return f"{self.name}:{self.version}"

    @abstractmethod
    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Return an array of shape (len(texts), dim), dtype float32, no NaN/inf."""

    # The width of every vector, when it never changes (a packaged model); None otherwise.
    fixed_dim: int | None = None

    def produces_width(self, width: int, n_texts: int) -> bool:
        """Could `embed` return vectors this wide for n_texts texts? (checks a cached entry)"""
        return width == self.fixed_dim if self.fixed_dim is not None else 1 <= width <= 65_536

    def expected_seconds(self, n_texts: int) -> float:
        return n_texts / max(self.texts_per_second, 1e-9)


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Row-normalise, leaving all-zero rows at zero instead of dividing by zero.

    Static models return zero vectors for texts made only of unknown tokens.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    safe = np.where(norms > 0, norms, 1.0)
    return vectors / safe


def report(progress: ProgressCallback | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
