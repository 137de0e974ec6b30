"""The sentiment scorer interface: texts in, one polarity score per text out.

A score lies in [-1, 1]: below 0 negative, above 0 positive. Each scorer says how wide
its neutral band is (`neutral_band`): |score| <= band counts as neutral, because the
backends' scales differ (VADER's compound is near 0 for factual text; a naive-Bayes
probability is rarely near 0.5).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"


class SentimentScorer(ABC):
    name: str = ""
    version: str = "1"  # bump when the scores for the same text would change (part of the cache key)
    language: str = "en"  # "en", "zh" or "any": the texts it understands
    neutral_band: float = 0.05
    description: str = ""

    def cache_token(self) -> str:
        return f"{self.name}:{self.version}"

    @abstractmethod
    def score(self, texts: Sequence[str]) -> np.ndarray:
        """float64 array of len(texts) in [-1, 1]; an empty text scores 0 (neutral)."""

    def polarity(self, scores: np.ndarray) -> np.ndarray:
        """'negative' / 'neutral' / 'positive' per score, by this scorer's neutral band."""
        scores = np.asarray(scores, dtype=float)
        out = np.full(scores.shape, NEUTRAL, dtype=object)
        out[scores > self.neutral_band] = POSITIVE
        out[scores < -self.neutral_band] = NEGATIVE
        return out
