"""Test doubles: a deterministic, instant embedder so pipeline tests need no model."""

from __future__ import annotations

import hashlib

import numpy as np

from segkit.embed.base import Embedder, l2_normalise, report
from segkit.tokenize import tokenize


class HashingEmbedder(Embedder):
    """Bag of hashed words: texts sharing words get similar vectors. Counts its calls."""

    name = "fake"
    version = "1"
    texts_per_second = 1e6
    calls = 0

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    def embed(self, texts, progress=None):
        type(self).calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for token in tokenize(text):
                h = int(hashlib.md5(token.encode("utf-8")).hexdigest()[:8], 16)
                out[i, h % self.dim] += 1.0 if (h >> 8) % 2 else -1.0
            report(progress, i + 1, len(texts))
        return l2_normalise(out)
