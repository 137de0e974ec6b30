"""Distinctive keywords: the terms that set one segment apart from the others.

Each term (word or two-word phrase) is scored per segment by the log-odds ratio of using
it in this segment versus in all the others, with an informative Dirichlet prior
(Monroe, Colaresi & Quinn 2008, "Fightin' Words"), divided by its standard error:

    a_w   = A * (users using w overall) / users            (prior pseudo-counts, A = PRIOR_MASS)
    delta = log((y_w + a_w) / (n + A - y_w - a_w)) - log((r_w + a_w) / (m + A - r_w - a_w))
    z     = delta / sqrt(1 / (y_w + a_w) + 1 / (r_w + a_w))

y_w / r_w count the users in the segment / in the other segments who use w, n / m
their numbers of users. A term every segment uses at the same rate ("good", "great",
"product") has delta ~ 0 and so z ~ 0, however frequent it is; a term a segment uses
more than the rest ranks by how sure that difference is. Users, not word occurrences,
are counted, so one user repeating a word twenty times cannot make it a keyword.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from segkit import waits
from segkit.cluster.base import NOISE
from segkit.derived_cache import Memory, get_or_build
from segkit.term_counts import count_terms

PRIOR_MASS = 10.0  # A above: pseudo-users of prior, spread over terms as everyone uses them
PHRASE_SHARE = 0.5  # a phrase stands in for its word when it covers this share of the word's users


@dataclass(frozen=True)
class _Counted:
    counts: sp.csr_matrix  # users x terms, occurrences
    present: sp.csr_matrix  # users x terms, 1 where the user uses the term
    vocabulary: np.ndarray
    index: dict  # term -> column
    occurrences: np.ndarray  # per term, over all texts (breaks ties between equal z-scores)


def _counted(texts: list[str], ngram_max: int, memory: Memory | None = None) -> _Counted | None:
    """Every text's term counts; kept in `memory` (Memory.term_counts): they do not depend on
    the segments, so a K or min_cluster_size change re-reads them (~1 s at 20,000 users)."""
    def build():
        counted = count_terms(texts, ngram_max=ngram_max, min_df=2 if len(texts) > 50 else 1)
        if counted is None:  # no vocabulary at all (every text was stop words)
            return None
        counts, vocabulary = counted.counts, counted.vocabulary.astype(object)
        present = counts.copy()
        present.data = np.ones_like(present.data)
        index = {str(t): i for i, t in enumerate(vocabulary)}
        return _Counted(counts, present, vocabulary, index, np.asarray(counts.sum(axis=0)).ravel())

    return get_or_build(memory, "term_counts", texts, ("term_counts", ngram_max), build)


def term_counts(texts: list[str], ngram_max: int = 2,
                memory: Memory | None = None) -> tuple[sp.csr_matrix, np.ndarray] | None:
    """(document-term counts, vocabulary) for `texts`, or None when no text has a usable word."""
    counted = _counted(texts, ngram_max, memory)
    return None if counted is None else (counted.counts, counted.vocabulary)


@dataclass(frozen=True)
class KeywordScores:
    """Every term's distinctiveness z-score per segment (rows follow `segments`)."""
    segments: list[int]
    vocabulary: np.ndarray
    index: dict  # term -> column
    z: np.ndarray  # (segments, terms)
    users: np.ndarray  # (segments, terms): users in the segment using the term
    occurrences: np.ndarray | None = None  # (terms,): uses over all texts, for ties

    def row(self, segment: int) -> np.ndarray:
        return self.z[self.segments.index(int(segment))]


def keyword_scores(texts: list[str], labels: np.ndarray, ngram_max: int = 2,
                   memory: Memory | None = None) -> KeywordScores | None:
    """Log-odds z-scores (module docstring) of every term for every segment (noise excluded)."""
    labels = np.asarray(labels)
    segments = sorted(int(s) for s in np.unique(labels) if s != NOISE)
    counted = _counted(texts, ngram_max, memory) if segments else None
    if counted is None:
        return None
    # The open wait's next phase; its cost grows with segments x terms (dense scores).
    waits.phase("describe.keyword_scores", segments=len(segments), terms=counted.present.shape[1])
    kept = labels != NOISE
    rows = np.full(len(labels), -1)
    rows[kept] = np.searchsorted(segments, labels[kept])
    assign = sp.csr_matrix((np.ones(kept.sum()), (rows[kept], np.flatnonzero(kept))),
                           shape=(len(segments), len(labels)))
    y = (assign @ counted.present).toarray().astype(np.float64)
    n = np.bincount(rows[kept], minlength=len(segments)).astype(np.float64)[:, None]
    total_y = y.sum(axis=0, keepdims=True)
    total_n = n.sum()
    r, m = total_y - y, total_n - n
    prior = PRIOR_MASS * total_y / max(total_n, 1.0)
    a0 = PRIOR_MASS
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.log(y + prior) - np.log(np.maximum(n + a0 - y - prior, 1e-9))
        rest = np.log(r + prior) - np.log(np.maximum(m + a0 - r - prior, 1e-9))
        z = (own - rest) / np.sqrt(1.0 / (y + prior) + 1.0 / (r + prior))
    z = np.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0)
    if len(segments) == 1:  # nothing to set it apart from: rank by how many use a term
        z = y / max(total_n, 1.0)
    return KeywordScores(segments, counted.vocabulary, counted.index, z, y, counted.occurrences)


def fold_word(word: str) -> str:
    """A plural's singular, roughly ("pizzas", "sandwiches", "berries" -> pizza, sandwich, berry)."""
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "sses", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _folded(term: str) -> set[str]:
    return {fold_word(w) for w in term.split(" ")}


def ranked_terms(scores: KeywordScores, segment: int, limit: int,
                 max_candidates: int = 400) -> list[tuple[str, float]]:
    """The segment's best terms, most distinctive first, without overlaps.

    A word and a phrase holding it are not both listed, nor two forms of a word; when a
    distinctive word mostly appears inside one phrase ("service" inside "customer service"
    for at least PHRASE_SHARE of its users), the phrase is listed in its place, with the
    word's score (or nothing, when the phrase's other word is already listed).
    """
    row = scores.segments.index(int(segment))
    z, users = scores.z[row], scores.users[row]
    positive = np.flatnonzero(z > 0)
    if not len(positive):
        return []
    if len(positive) > max_candidates:  # a partial sort: the vocabulary runs to 10^5 terms
        positive = positive[np.argpartition(-z[positive], max_candidates - 1)[:max_candidates]]
        positive.sort()
    ties = -scores.occurrences[positive] if scores.occurrences is not None else np.zeros(len(positive))
    top = positive[np.lexsort((ties, -z[positive]))]
    phrase_for = _best_phrases(scores, users, top)
    used: set[str] = set()  # folded words of the terms listed so far
    out: list[tuple[str, float]] = []
    for column in top:
        term = str(scores.vocabulary[column])
        phrase = phrase_for.get(int(column))
        if phrase is not None:
            if _folded(phrase) & used:
                continue  # mostly said in a phrase whose other word is already listed
            term = phrase
        # No word inside a listed phrase, no phrase around a listed word or sharing one,
        # no other form of a listed word ("pizzas" after "pizza").
        words = _folded(term)
        if words & used:
            continue
        used |= words
        out.append((term, float(z[column])))
        if len(out) >= limit:
            break
    return out


def _best_phrases(scores: KeywordScores, users: np.ndarray, top: np.ndarray) -> dict[int, str]:
    """{word column: the phrase (among the top terms) that carries most of its users}."""
    vocabulary = scores.vocabulary
    out: dict[int, tuple[float, str]] = {}
    top_set = {int(c) for c in top}
    for column in top:
        term = str(vocabulary[column])
        if " " not in term:
            continue
        for word in term.split(" "):
            word_column = scores.index.get(word)
            if word_column is None or word_column not in top_set or users[word_column] <= 0:
                continue
            share = users[column] / users[word_column]
            if share >= PHRASE_SHARE and share > out.get(word_column, (0.0, ""))[0]:
                out[word_column] = (share, term)
    return {c: term for c, (_, term) in out.items()}


def segment_keywords(texts: list[str], labels: np.ndarray, top_n: int = 10, ngram_max: int = 2,
                     memory: Memory | None = None) -> dict[int, list[tuple[str, float]]]:
    """{segment id: [(term, z-score), ...]} for every segment (noise excluded), most
    distinctive first (see the module docstring)."""
    labels = np.asarray(labels)
    segments = sorted(int(s) for s in np.unique(labels) if s != NOISE)
    scores = keyword_scores(texts, labels, ngram_max, memory)
    if scores is None:
        return {s: [] for s in segments}
    return {s: ranked_terms(scores, s, top_n) for s in segments}
