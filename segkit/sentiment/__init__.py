"""Sentiment per review, offline, and its summary per user.

`score_texts(texts)` picks the scorer per text by script (segkit.io.language): texts
that are mostly Chinese go to SnowNLP, the rest to VADER (English). Scores lie in
[-1, 1] (negative .. positive). With a `memory` (segkit.derived_cache.Memory) they are kept
by text content, so a K change, a merge or a second page never scores the same texts again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from segkit import waits
from segkit.derived_cache import Memory, get_or_build
from segkit.sentiment.base import NEGATIVE, NEUTRAL, POSITIVE, SentimentScorer
from segkit.sentiment.registry import DEFAULT_FOR_LANGUAGE, SCORERS, get_scorer

SCORE_CHUNK = 1000
CHINESE_TEXT_AT = 0.3  # a text whose letters are at least this share Chinese ideographs is scored as Chinese


def scorer(name: str, memory: Memory | None = None) -> SentimentScorer:
    """The scorer `name`, built once per memory (VADER loads its lexicon, SnowNLP its model)."""
    if memory is None:
        return get_scorer(name)
    if name not in memory.scorers:
        memory.scorers[name] = get_scorer(name)
    return memory.scorers[name]


def text_languages(texts: Sequence[str]) -> np.ndarray:
    """'zh' or 'en' per text, by the share of its letters that are Chinese."""
    from segkit.io.language import cjk_text_share

    return np.array(["zh" if text and cjk_text_share([text]) >= CHINESE_TEXT_AT else "en" for text in texts],
                    dtype=object)


def _score_uncached(texts: list[str], backend: str, memory: Memory | None) -> tuple[np.ndarray, np.ndarray]:
    first: dict[str, int] = {}
    inverse = np.array([first.setdefault(t, len(first)) for t in texts], dtype=np.int64)
    if len(first) < len(texts):  # repeated texts are scored once
        scores, polarity = _score_unique(list(first), backend, memory)
        return scores[inverse], polarity[inverse]
    return _score_unique(texts, backend, memory)


def _score_unique(texts: list[str], backend: str, memory: Memory | None) -> tuple[np.ndarray, np.ndarray]:
    scores = np.zeros(len(texts), dtype=float)
    polarity = np.full(len(texts), NEUTRAL, dtype=object)
    if backend == "auto":
        groups = text_languages(texts)
        plan = [(DEFAULT_FOR_LANGUAGE[lang], np.flatnonzero(groups == lang)) for lang in ("en", "zh")]
    else:
        plan = [(backend, np.arange(len(texts)))]
    done = 0
    for name, index in plan:
        if len(index) == 0:
            continue
        chosen = scorer(name, memory)
        # In chunks, so the open wait hears how far scoring is (each text is scored alone).
        for start in range(0, len(index), SCORE_CHUNK):
            rows = index[start:start + SCORE_CHUNK]
            part = chosen.score([texts[i] for i in rows])
            scores[rows] = part
            polarity[rows] = chosen.polarity(part)
            done += len(rows)
            waits.progress(done, len(texts))
    return scores, polarity


def score_texts(texts: Sequence[str], backend: str = "auto",
                memory: Memory | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(scores in [-1, 1], 'negative'/'neutral'/'positive') per text; kept in `memory` by content."""
    if backend != "auto" and backend not in SCORERS:
        get_scorer(backend)  # raises the specific error
    texts = ["" if t is None else str(t) for t in texts]
    return get_or_build(memory, "sentiment", texts, (backend,), lambda: _score_uncached(texts, backend, memory))


@dataclass(frozen=True)
class UserSentiment:
    """Per user (UserTable order): mean review score and how many reviews fall in each class."""

    mean: np.ndarray  # float, NaN for a user without text
    positive: np.ndarray  # int counts of reviews
    neutral: np.ndarray
    negative: np.ndarray

    @property
    def n_scored(self) -> np.ndarray:
        return self.positive + self.neutral + self.negative

    def take(self, index: np.ndarray) -> UserSentiment:
        return UserSentiment(self.mean[index], self.positive[index], self.neutral[index], self.negative[index])


def user_sentiment(row_user: np.ndarray, row_texts: Sequence[str], n_users: int,
                   backend: str = "auto", memory: Memory | None = None) -> UserSentiment:
    """Each user's reviews scored one by one (rows without text or user are skipped)."""
    row_user = np.asarray(row_user)
    has = (row_user >= 0) & np.array([bool(t) for t in row_texts], dtype=bool)
    index = np.flatnonzero(has)
    scores, polarity = score_texts([row_texts[i] for i in index], backend, memory)
    users = row_user[index]
    counts = np.bincount(users, minlength=n_users)
    sums = np.bincount(users, weights=scores, minlength=n_users)
    mean = np.full(n_users, np.nan)
    mean[counts > 0] = sums[counts > 0] / counts[counts > 0]

    def count(kind: str) -> np.ndarray:
        return np.bincount(users[polarity == kind], minlength=n_users).astype(np.int64)

    return UserSentiment(mean, count(POSITIVE), count(NEUTRAL), count(NEGATIVE))


# Reviews scored for the per-segment summary; beyond this a seeded sample. VADER takes
# ~0.4 ms a long review here, so 20,000 cost 7 s of a 200,000-user upload's first view;
# 10,000 still give a segment of 2% of the reviews 200 scored ones (shares within about
# +-7 points, 95%), and the card says how many of its reviews were scored.
SUMMARY_SAMPLE = 10_000


def table_sentiment(table, user_index: np.ndarray | None = None, max_rows: int | None = SUMMARY_SAMPLE,
                    seed: int = 0, memory: Memory | None = None) -> UserSentiment | None:
    """`user_sentiment` for a `UserTable`, restricted to `user_index` (segmented users).

    With more than `max_rows` reviews, a seeded sample of that many is scored (the shares
    per segment settle long before; VADER takes ~0.5 ms a review here, so 200,000 would
    take over a minute); users without a sampled review then have NaN and no counts. None when
    the scorers' packages are missing (pip install vaderSentiment snownlp).
    """
    texts = table.row_texts
    row_user = np.asarray(table.row_user)
    if max_rows is not None and len(texts) > max_rows:
        rng = np.random.default_rng(seed)
        keep = np.zeros(len(texts), dtype=bool)
        keep[rng.choice(len(texts), size=max_rows, replace=False)] = True
        row_user = np.where(keep, row_user, -1)
    try:
        result = user_sentiment(row_user, texts, table.n_users, memory=memory)
    except ImportError:  # a machine set up before sentiment was added
        import logging

        logging.getLogger("segkit").warning("sentiment skipped: vaderSentiment/snownlp are not installed")
        return None
    return result if user_index is None else result.take(np.asarray(user_index))


__all__ = ["NEGATIVE", "NEUTRAL", "POSITIVE", "SCORERS", "SentimentScorer", "UserSentiment", "get_scorer", "score_texts",
           "scorer", "table_sentiment", "text_languages", "user_sentiment"]
