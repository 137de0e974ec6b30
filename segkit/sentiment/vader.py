"""English: VADER (Hutto & Gilbert 2014), a lexicon and rules; no model, no download.

The score is VADER's `compound` in [-1, 1]; |compound| < 0.05 is neutral, as its
authors recommend.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from segkit.sentiment.base import SentimentScorer


class VaderScorer(SentimentScorer):
    name = "vader"
    version = "3.3.2-1"
    language = "en"
    neutral_band = 0.05
    description = "VADER lexicon and rules (English); compound score"

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._analyzer = SentimentIntensityAnalyzer()

    def score(self, texts: Sequence[str]) -> np.ndarray:
        polarity = self._analyzer.polarity_scores
        return np.array([polarity(text)["compound"] if text else 0.0 for text in texts], dtype=float)
