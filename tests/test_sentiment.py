"""Sentiment per review (issue 13): fixed sentences in both languages, caching, per-user summary."""

from __future__ import annotations

import numpy as np
import pytest

from segkit.errors import SegkitInputError
from segkit.sentiment import get_scorer, score_texts, text_languages, user_sentiment

POSITIVE_EN = ["This is wonderful, I love it!", "Great guitar, sounds amazing and the strings are excellent.",
               "Friendly staff and delicious food, highly recommend."]
NEGATIVE_EN = ["Terrible service, the food was cold and awful.", "It broke after a day, worst purchase ever.",
               "I hate this, completely useless and disappointing."]
POSITIVE_ZH = ["这个东西很好用，非常满意", "质量很好，强烈推荐，下次还会再买", "服务热情，味道好极了"]
NEGATIVE_ZH = ["质量太差了，非常失望，退货", "用了一天就坏了，太垃圾了", "服务态度恶劣，再也不来了"]


def test_clear_sentences_in_both_languages():
    texts = POSITIVE_EN + NEGATIVE_EN + POSITIVE_ZH + NEGATIVE_ZH
    scores, polarity = score_texts(texts)
    n = len(POSITIVE_EN)
    assert list(polarity[:n]) == ["positive"] * n
    assert list(polarity[n:2 * n]) == ["negative"] * n
    assert list(polarity[2 * n:3 * n]) == ["positive"] * n
    assert list(polarity[3 * n:]) == ["negative"] * n
    assert np.all((scores >= -1) & (scores <= 1))


def test_language_routing_and_neutral_empty_text():
    assert list(text_languages(["Nice strings", "很好用", ""])) == ["en", "zh", "en"]
    scores, polarity = score_texts(["", "The store opens at 9."])
    assert list(scores) == [0.0, 0.0] and list(polarity) == ["neutral", "neutral"]


def test_scores_are_kept_by_content_in_the_memory_given(monkeypatch):
    from segkit.derived_cache import Memory

    texts = ["Absolutely love it, cached test sentence 1", "Awful, cached test sentence 2"]
    memory = Memory()
    first = score_texts(texts, backend="vader", memory=memory)
    assert set(memory.scorers) == {"vader"}
    import segkit.sentiment as module

    real = module._score_uncached
    monkeypatch.setattr(module, "_score_uncached", lambda *_: pytest.fail("scored again"))
    second = score_texts(list(texts), backend="vader", memory=memory)
    assert np.array_equal(first[0], second[0])
    with pytest.raises(pytest.fail.Exception, match="scored again"):
        score_texts(texts, backend="vader")  # no memory: nothing is kept
    monkeypatch.setattr(module, "_score_uncached", real)


def test_repeated_texts_score_the_same():
    scores, _ = score_texts(["Love it!", "Hate it.", "Love it!"], backend="vader")
    assert scores[0] == scores[2] > 0 > scores[1]


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(SegkitInputError, match="Unknown sentiment scorer 'nope'"):
        score_texts(["x"], backend="nope")


def test_user_sentiment_counts_reviews_per_user():
    row_user = np.array([0, 0, 1, -1, 2])
    texts = ["I love it, wonderful!", "Terrible, awful.", "Great, excellent!", "orphan row: awful", ""]
    result = user_sentiment(row_user, texts, n_users=3)
    assert list(result.positive) == [1, 1, 0]
    assert list(result.negative) == [1, 0, 0]
    assert list(result.n_scored) == [2, 1, 0]
    assert np.isnan(result.mean[2]) and result.mean[1] > 0.5


def test_snownlp_own_segmenter_agrees_on_clear_cases():
    own = get_scorer("snownlp", segmenter="snownlp")
    scores = own.score(POSITIVE_ZH[:1] + NEGATIVE_ZH[:1])
    assert scores[0] > 0 > scores[1]


def test_the_windowed_vader_scores_exactly_as_the_stock_analyzer():
    """segkit's VADER hands the negation and idiom checks only the words they read; the
    scores must equal vaderSentiment's own on texts that exercise every rule."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from segkit.sentiment.vader import VaderScorer

    rng = np.random.default_rng(3)
    rules = ["not good", "never so happy", "without doubt great", "no problems at all", "kind of bad",
             "the food was the shit", "at least it works", "least favourite", "GREAT service but slow",
             "isn't bad", "hardly worth it", "very very good", "sort of nice", "cut the mustard",
             "not once did it fail", "no, not good at all", "and then we kiss of death", "and the dish was to die for",
             "what a dish to die for honestly", "they say it can cut the mustard", "Love it :) !!!", "What?? terrible...", "😀 fun"]
    words = "the was and good bad not never so this very really but least kind of no nor or great".split()
    texts = rules + [" ".join(rng.choice(words + rules, rng.integers(1, 40))) for _ in range(400)]
    texts += [t.upper() for t in texts[:60]] + ["", "!", "no", "not"]
    stock = SentimentIntensityAnalyzer()
    expected = np.array([stock.polarity_scores(t)["compound"] if t else 0.0 for t in texts])
    assert np.array_equal(VaderScorer().score(texts), expected)
