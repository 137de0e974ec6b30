"""Chinese: SnowNLP's naive-Bayes sentiment model (trained by its author on product reviews).

SnowNLP's own word segmenter is pure Python and slow (~19 ms a short review on the
2-core test machine, so 10,000 reviews would take minutes); here the words come from
jieba (segkit's Chinese tokeniser) and go through SnowNLP's stop-word filter and its
trained classifier. `bench/sentiment_bench.py` measures both tokenisers. The score is
2 * P(positive) - 1; P within 0.4..0.6 (|score| <= 0.2) is neutral.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from segkit.sentiment.base import SentimentScorer


class SnowNLPScorer(SentimentScorer):
    name = "snownlp"
    version = "0.12.3-jieba-1"
    language = "zh"
    neutral_band = 0.2
    description = "SnowNLP naive Bayes (Chinese), jieba words; 2*P(positive)-1"

    def __init__(self, segmenter: str = "jieba") -> None:
        if segmenter not in ("jieba", "snownlp"):
            raise ValueError(f"segmenter must be 'jieba' or 'snownlp', not {segmenter!r}")
        from snownlp import normal
        from snownlp import sentiment as snow_sentiment

        self.segmenter = segmenter
        self._classifier = snow_sentiment.classifier
        self._filter = normal.filter_stop
        if segmenter == "snownlp":
            self.version = "0.12.3-own-1"

    def _words(self, text: str) -> list[str]:
        if self.segmenter == "snownlp":
            return self._classifier.handle(text)
        import jieba

        return self._filter([w for w in jieba.lcut(text) if w.strip()])

    def score(self, texts: Sequence[str]) -> np.ndarray:
        bayes = self._classifier.classifier
        out = np.zeros(len(texts), dtype=float)
        for i, text in enumerate(texts):
            if not text:
                continue
            label, prob = bayes.classify(self._words(text))
            p_positive = prob if label == "pos" else 1.0 - prob
            out[i] = 2.0 * p_positive - 1.0
        return out
