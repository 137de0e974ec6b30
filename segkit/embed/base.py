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
    `texts_per_second` is a rough figure measured on a 2-core laptop on texts of
    `reference_chars` characters, used to show the expected time before a run starts;
    the cost grows with the texts' length (down to half for short texts) up to
    `window_chars` (a model's token window: the rest of a text is cut off).
    """

    name: str = ""
    version: str = "1"
    texts_per_second: float = 1000.0
    reference_chars: float | None = 400.0  # None: the time per text barely depends on its length
    window_chars: float | None = None
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

    def expected_seconds(self, n_texts: int, mean_chars: float | None = None) -> float:
        """Rough seconds to embed `n_texts` texts of `mean_chars` characters on average."""
        seconds = n_texts / max(self.texts_per_second, 1e-9)
        if mean_chars and self.reference_chars:
            window = self.window_chars if self.window_chars is not None else float("inf")
            seconds *= max(0.5, min(float(mean_chars), window) / self.reference_chars)
        return seconds


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
