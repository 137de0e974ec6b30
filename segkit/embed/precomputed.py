"""Vectors already in the file (one column per dimension), e.g. from a warehouse job.

The pipeline passes the vector columns' values directly; this embedder only exists so
that 'precomputed' is a registry choice like the others.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from segkit.embed.base import Embedder, ProgressCallback
from segkit.errors import SegkitInputError


class PrecomputedEmbedder(Embedder):
    name = "precomputed"
    version = "1"
    texts_per_second = 1e9
    description = "Use embedding columns already in the file (emb_0, emb_1, ...)."

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        raise SegkitInputError(
            "The 'precomputed' embedder reads vector columns, not texts: map the vector columns."
        )

    @staticmethod
    def vectors_from_frame(frame, columns: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return (vectors, row_ok): rows with any missing/non-finite value are not ok."""
        if not columns:
            raise SegkitInputError("The 'precomputed' embedder needs the vector columns (emb_0, emb_1, ...).")
        import pandas as pd

        values = frame[list(columns)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
        row_ok = np.isfinite(values).all(axis=1)
        values = np.where(np.isfinite(values), values, 0.0).astype(np.float32)
        return values, row_ok
