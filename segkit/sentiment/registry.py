"""The one place where sentiment scorers are registered by name.

Entries are "module:Class" strings: a backend's imports (VADER's lexicon, SnowNLP's
model, a sentence encoder) happen only when it is chosen.
"""

from __future__ import annotations

from segkit.registry import Registry
from segkit.sentiment.base import SentimentScorer

SCORERS = Registry("sentiment scorer", {
    "vader": "segkit.sentiment.vader:VaderScorer",
    "snownlp": "segkit.sentiment.snownlp_scorer:SnowNLPScorer",
    "minilm_axis": "segkit.sentiment.embedding_axis:EmbeddingAxisScorer",
    "e5_axis": "segkit.sentiment.embedding_axis:E5AxisScorer",
})
# What "auto" uses per language (chosen in bench/sentiment_bench.py; see bench/README.md).
DEFAULT_FOR_LANGUAGE = {"en": "vader", "zh": "snownlp"}


def get_scorer(name: str, **params) -> SentimentScorer:
    return SCORERS.create(name, **params)
