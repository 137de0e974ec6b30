"""Which of a user's reviews to show for their segment: the one that reads most like it.

A user's text is their reviews joined with newlines (`UserTable.user_texts`). Each review,
cut to what a card shows, is scored by the sum of the segment's distinctiveness z-scores
(segkit.describe.keywords) of the distinct words and phrases it holds, counting only
clearly distinctive terms (z above MIN_Z); the best one is shown, the first on ties.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np

from segkit.describe.keywords import KeywordScores
from segkit.tokenize import tokenize

MAX_CHARS = 400
MIN_Z = 2.0  # about a 5% two-sided test: weaker terms are noise that favours long reviews


def shorten(text: str, max_chars: int = MAX_CHARS) -> str:
    """`text` cut at a word boundary to at most about `max_chars` characters."""
    text = text.strip()
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] + " …"
    return text


@lru_cache(maxsize=8192)
def _terms(snippet: str) -> tuple[str, ...]:
    """The distinct words and two-word phrases of a snippet, as the keyword counts spell them."""
    tokens = tokenize(snippet)
    return tuple(set(tokens) | {f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)})


def review_scorer(scores: KeywordScores | None) -> Callable[[int, str], tuple[str, float]]:
    """best_review(segment, user text) -> (snippet of the review that best matches the
    segment, its score); the score is 0 when no review holds a clearly distinctive term."""
    rows: dict[int, np.ndarray] = {}

    def best_review(segment: int, text: str) -> tuple[str, float]:
        reviews = [shorten(r) for r in str(text).split("\n") if r.strip()]
        if not reviews or scores is None or int(segment) not in scores.segments:
            return (reviews[0] if reviews else ""), 0.0
        if segment not in rows:
            rows[segment] = scores.row(segment)
        z, index = rows[segment], scores.index
        best, best_score = reviews[0], -1.0
        for review in reviews:
            values = [z[index[t]] for t in _terms(review) if t in index]
            score = float(sum(v for v in values if v > MIN_Z))
            if score > best_score:
                best, best_score = review, score
        return best, best_score

    return best_review
