"""Class-based TF-IDF: words frequent in one segment and rare across the others."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from segkit.cluster.base import NOISE
from segkit.derived_cache import DerivedCache
from segkit.tokenize import tokenize

# Counting every text's words is ~1 s at 20,000 users and does not depend on the
# segments, so a K or min_cluster_size change reuses the counts (20k users, 1-2-grams:
# tens of MB per entry, hence only two entries).
_term_counts = DerivedCache(max_entries=2)


def clear_term_counts() -> None:
    """Forget counted texts (benchmarks measuring a cold start; tests)."""
    _term_counts.clear()


def term_counts(texts: list[str], ngram_max: int = 2) -> tuple[sp.csr_matrix, np.ndarray] | None:
    """(document-term counts, vocabulary) for `texts`, or None when no text has a usable word."""
    def build():
        vectorizer = CountVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False,
                                     ngram_range=(1, ngram_max), min_df=2 if len(texts) > 50 else 1)
        try:
            counts = vectorizer.fit_transform(texts)
        except ValueError:  # no vocabulary at all (every text was stop words)
            return None
        return counts.tocsr(), np.array(vectorizer.get_feature_names_out())

    return _term_counts.get_or_build(texts, ("term_counts", ngram_max), build)


def segment_keywords(texts: list[str], labels: np.ndarray, top_n: int = 10,
                     ngram_max: int = 2) -> dict[int, list[tuple[str, float]]]:
    """{segment id: [(term, score), ...]} for every segment (noise excluded).

    c-TF-IDF: a segment is one big document; term weight = its frequency in the
    segment (normalised by segment length) x log(1 + average words per segment /
    term frequency over all segments).
    """
    labels = np.asarray(labels)
    segments = sorted(int(s) for s in np.unique(labels) if s != NOISE)
    if not segments:
        return {}
    counted = term_counts(texts, ngram_max)
    if counted is None:
        return {s: [] for s in segments}
    counts, vocabulary = counted
    rows = np.array([segments.index(int(v)) if v != NOISE else -1 for v in labels])
    kept = rows >= 0
    assign = sp.csr_matrix((np.ones(kept.sum()), (rows[kept], np.flatnonzero(kept))),
                           shape=(len(segments), len(labels)))
    per_segment = (assign @ counts).toarray().astype(np.float64)
    totals = per_segment.sum(axis=1, keepdims=True)
    tf = per_segment / np.maximum(totals, 1)
    term_freq = per_segment.sum(axis=0)
    average_words = per_segment.sum() / len(segments)
    idf = np.log1p(average_words / np.maximum(term_freq, 1))
    scores = tf * idf
    out: dict[int, list[tuple[str, float]]] = {}
    for row, segment in enumerate(segments):
        order = np.argsort(-scores[row])
        chosen: list[tuple[str, float]] = []
        for index in order:
            if scores[row, index] <= 0 or len(chosen) >= top_n:
                break
            term = vocabulary[index]
            # Skip a unigram already covered by a chosen bigram, and vice versa.
            if any(term in c or c in term for c, _ in chosen):
                continue
            chosen.append((str(term), float(scores[row, index])))
        out[segment] = chosen
    return out
