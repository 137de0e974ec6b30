"""A polarity axis in an embedding space, set by a few fixed anchor phrases (no training).

axis = mean(positive anchors) - mean(negative anchors), both L2-normalised vectors of the
packaged model. A text's score is its projection on the axis, centred on the midpoint of
the two anchor means and scaled so that the anchor means sit at +1 / -1, clipped to
[-1, 1]. The anchors are generic phrases written here, never taken from any data set.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from segkit.sentiment.base import SentimentScorer

ANCHORS = {
    "en": (
        ["This is excellent, I love it.", "Great quality, highly recommend.", "Wonderful experience, very happy.",
         "Works perfectly, best purchase ever.", "Amazing, friendly and fantastic."],
        ["This is terrible, I hate it.", "Poor quality, do not recommend.", "Awful experience, very disappointed.",
         "Broke immediately, worst purchase ever.", "Horrible, rude and useless."],
    ),
    "zh": (
        ["非常好，我很喜欢。", "质量很好，强烈推荐。", "体验很棒，非常满意。", "完美好用，买得值。", "太棒了，服务热情。"],
        ["非常差，我很讨厌。", "质量很差，不推荐。", "体验糟糕，非常失望。", "马上就坏了，浪费钱。", "太烂了，服务恶劣。"],
    ),
}


class EmbeddingAxisScorer(SentimentScorer):
    name = "minilm_axis"
    version = "1"
    language = "en"
    neutral_band = 0.1
    description = "projection on a positive-negative axis of the packaged MiniLM, from fixed anchor phrases"

    def __init__(self, embedder: str = "minilm", anchors: str = "en", cache=None) -> None:
        from segkit.embed.registry import get_embedder

        self.embedder_name = embedder
        self._embedder = get_embedder(embedder)
        self._cache = cache
        positive, negative = ANCHORS[anchors]
        pos = self._vectors(positive).mean(axis=0)
        neg = self._vectors(negative).mean(axis=0)
        axis = pos - neg
        self._axis = axis / np.linalg.norm(axis)
        self._mid = float(((pos + neg) / 2) @ self._axis)
        self._half = float((pos - neg) @ self._axis) / 2

    def cache_token(self) -> str:
        return f"{self.name}:{self.version}:{self._embedder.cache_token()}"

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        from segkit.embed.base import l2_normalise
        from segkit.embed.cache import embed_with_cache

        return l2_normalise(embed_with_cache(self._embedder, list(texts), self._cache)).astype(np.float64)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(texts), dtype=float)
        present = [i for i, text in enumerate(texts) if text]
        if present:
            vectors = self._vectors([texts[i] for i in present])
            out[present] = np.clip((vectors @ self._axis - self._mid) / self._half, -1.0, 1.0)
        return out


class E5AxisScorer(EmbeddingAxisScorer):
    name = "e5_axis"
    language = "zh"
    description = "projection on a positive-negative axis of multilingual-e5-small, from fixed Chinese anchors"

    def __init__(self, cache=None) -> None:
        super().__init__(embedder="multilingual", anchors="zh", cache=cache)
