"""TF-IDF + truncated SVD (LSA): the no-model baseline, fast and language-agnostic.

TF-IDF is fitted on the corpus. `TfidfSvdEmbedder.fit` returns the fitted state
(`TfidfState`: vocabulary, idf weights, SVD components as plain arrays) with the training
vectors; `embed` is `fit` keeping only the vectors. A saved model stores the state
(`segkit.model`) and the Spark job broadcasts it to its workers (`segkit.spark.embed`);
both place texts with `TfidfState.transform`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

from segkit.embed.base import Embedder, ProgressCallback, l2_normalise, report
from segkit.term_counts import Tokens, count_terms, count_vocabulary, tokenize_texts
from segkit.threads import limited_threads


def tfidf_weights(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear term frequency times idf, rows scaled to unit length (as scikit-learn's
    TfidfVectorizer(sublinear_tf=True) with its default l2 norm)."""
    weighted = counts.astype(np.float64, copy=True)
    per_row = np.diff(weighted.indptr)
    weighted.data = (np.log(weighted.data) + 1.0) * idf[weighted.indices]
    norms = np.sqrt(np.bincount(np.repeat(np.arange(weighted.shape[0]), per_row),
                                weights=weighted.data ** 2, minlength=weighted.shape[0]))
    weighted.data /= np.repeat(np.where(norms > 0, norms, 1.0), per_row)
    return weighted


def smooth_idf(counts: sp.csr_matrix) -> np.ndarray:
    """log((1 + texts) / (1 + texts using the term)) + 1, scikit-learn's smooth idf."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0


@dataclass(frozen=True)
class TfidfState:
    """A fitted TF-IDF (+ SVD) transformer as plain arrays (no pickle needed to store it)."""

    vocabulary: np.ndarray  # (n_terms,) str, in column order
    idf: np.ndarray  # (n_terms,) float64
    components: np.ndarray | None  # (n_components, n_terms) or None when no SVD was applied
    ngram_max: int
    dim: int  # output dimension (1 when the corpus had no vocabulary: every vector is zero)

    def transform(self, texts) -> np.ndarray:
        return self.transform_tokens(tokenize_texts(list(texts)))

    def transform_tokens(self, tokens: Tokens) -> np.ndarray:
        if len(self.vocabulary) == 0:
            return np.zeros((tokens.n_texts, self.dim), dtype=np.float32)
        weighted = tfidf_weights(count_vocabulary(self.vocabulary, tokens=tokens, dtype=np.float64), self.idf)
        if self.components is None:
            return l2_normalise(weighted.toarray())
        return l2_normalise(np.asarray(weighted @ self.components.T))

    def arrays(self) -> dict[str, np.ndarray]:
        out = {"tfidf_vocabulary": self.vocabulary.astype(str), "tfidf_idf": self.idf}
        if self.components is not None:
            out["tfidf_components"] = self.components
        return out

    def meta(self) -> dict:
        return {"ngram_max": self.ngram_max, "dim": self.dim, "has_svd": self.components is not None}

    @classmethod
    def from_saved(cls, meta: dict, arrays: dict) -> TfidfState:
        components = arrays.get("tfidf_components") if meta.get("has_svd") else None
        return cls(np.asarray(arrays["tfidf_vocabulary"]).astype(str), np.asarray(arrays["tfidf_idf"], dtype=np.float64),
                   None if components is None else np.asarray(components, dtype=np.float64),
                   int(meta["ngram_max"]), int(meta["dim"]))


# Beyond this many texts the vocabulary, idf and SVD basis are fitted on a seeded sample of
# this many and every text is placed with TfidfState.transform, as the Spark job does. At
# 200,000 reviews the full randomized SVD took 31 s and one on 50,000 rows 8 s; K-means
# labels on the two agreed as well as two seeds of the full fit did (bench/README.md).
FIT_SAMPLE = 50_000

# Seconds per ~400-character review, measured at 5,000-200,000 reviews on the 2-core
# machine (quiet): tokenising each text, fitting (counting ~15%, SVD the rest) per text of
# the fit, placing each text with the fitted state. Tokenising and placing grow with the
# text's length; the SVD's cost is set by the (capped) vocabulary. They give the time
# estimate and the progress reported between steps, so the time left follows the work.
TOKENISE_S, FIT_S, PLACE_S = 27e-6, 74e-6, 13e-6
COUNTING_SHARE = 0.15

# Above this share of texts left without a single term, pruning took too much.
PRUNED_AWAY_AT = 0.2


def _share_without_terms(matrix) -> float:
    return float((matrix.getnnz(axis=1) == 0).mean()) if matrix.shape[0] else 0.0


class TfidfSvdEmbedder(Embedder):
    name = "tfidf"
    corpus_fitted = True  # a saved model / Spark keep its fitted TfidfState
    # 2: Chinese filler stop words, NFKC; 3: HTML entities unescaped; 4: no pruning that empties texts;
    # 5: beyond `fit_sample` texts, fitted on a seeded sample of them; 6: SVD in float32
    version = "6"
    texts_per_second = 1.0 / (TOKENISE_S + FIT_S)  # up to fit_sample texts; expected_seconds knows the rest
    description = "TF-IDF + SVD: no model, seconds for thousands of reviews; words, not meaning."

    def __init__(self, n_components: int = 128, max_features: int = 50_000, ngram_max: int = 2,
                 seed: int = 0, fit_sample: int = FIT_SAMPLE) -> None:
        self.n_components = int(n_components)
        self.max_features = int(max_features)
        self.ngram_max = int(ngram_max)
        self.seed = int(seed)
        self.fit_sample = int(fit_sample)

    def cache_token(self) -> str:
        return (f"{self.name}:{self.version}:{self.n_components}:{self.max_features}:{self.ngram_max}:{self.seed}"
                f":{self.fit_sample}")

    def _step_seconds(self, n_texts: int, mean_chars: float | None = None) -> tuple[float, float, float]:
        """Expected seconds of tokenising, fitting and placing `n_texts` texts."""
        length = max(0.5, float(mean_chars) / self.reference_chars) if mean_chars else 1.0
        sampled = n_texts > self.fit_sample
        return (n_texts * TOKENISE_S * length, min(n_texts, self.fit_sample) * FIT_S,
                n_texts * PLACE_S * length if sampled else 0.0)

    def expected_seconds(self, n_texts: int, mean_chars: float | None = None) -> float:
        return sum(self._step_seconds(n_texts, mean_chars))

    def _tokenised(self, texts: Sequence[str], progress: ProgressCallback | None):
        """(tokens, at): `at(step, share of the step done)` reports progress in texts, as a
        share of the expected time; the first step (tokenising) is reported done."""
        texts = [str(t) for t in texts]
        tokens = tokenize_texts(texts)
        total = len(texts)
        steps = self._step_seconds(total, sum(map(len, texts)) / total if total else None)
        whole = sum(steps) or 1.0

        def at(step: int, share: float) -> None:
            report(progress, int(total * (sum(steps[:step]) + steps[step] * share) / whole), total)
        at(1, 0.0)
        return tokens, at

    def produces_width(self, width: int, n_texts: int) -> bool:
        # SVD to at most n_components; with one or two texts the raw TF-IDF columns.
        return 1 <= width <= (max(self.n_components, 2) if n_texts > 2 else self.max_features)

    def fit(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> tuple[TfidfState, np.ndarray]:
        """Fit on `texts`: the fitted state and the texts' vectors. `progress` hears when the
        texts are tokenised and the terms counted, in shares of the expected time."""
        tokens, at = self._tokenised(texts, progress)
        return self.fit_tokens(tokens, lambda done, total: at(1, done / max(total, 1)))

    def fit_tokens(self, tokens: Tokens, progress: ProgressCallback | None = None) -> tuple[TfidfState, np.ndarray]:
        """`fit` on tokenised texts; `progress` hears when the terms are counted (the SVD is the rest)."""
        n_texts = tokens.n_texts
        # Pruning rare/ubiquitous terms only makes sense once there are enough texts.
        counted = None
        if n_texts >= 50:
            counted = count_terms(tokens=tokens, ngram_max=self.ngram_max, min_df=2, max_df=0.5,
                                  max_features=self.max_features, dtype=np.float64)
        if counted is None or _share_without_terms(counted.counts) > PRUNED_AWAY_AT:
            # Short texts ("Great product", "Bad service"): dropping words in more than half
            # of them, or seen once, can leave nothing to segment; then keep every word.
            counted = count_terms(tokens=tokens, ngram_max=self.ngram_max, max_features=self.max_features,
                                  dtype=np.float64)
        if counted is None:
            # Every text was stop words / punctuation: no vocabulary. Zero vectors, marked later.
            empty = TfidfState(np.array([], dtype=str), np.zeros(0), None, self.ngram_max, 1)
            return empty, np.zeros((n_texts, 1), dtype=np.float32)
        idf = smooth_idf(counted.counts)
        matrix = tfidf_weights(counted.counts, idf)
        report(progress, int(n_texts * COUNTING_SHARE), n_texts)
        n_components = min(self.n_components, matrix.shape[1] - 1, n_texts - 1)
        if n_components < 2:
            state = TfidfState(counted.vocabulary, idf, None, self.ngram_max, matrix.shape[1])
            return state, l2_normalise(matrix.toarray())
        svd = TruncatedSVD(n_components=n_components, random_state=self.seed, algorithm="randomized")
        # float32: half the memory traffic of the power iterations, the same basis
        # (principal angles' cosines > 0.99999 at 50,000 reviews).
        # limited_threads: multi-threaded BLAS oversubscribes small shared machines (~8x slower here).
        with np.errstate(divide="ignore", invalid="ignore"), limited_threads():  # identical texts: 0/0 variance
            vectors = svd.fit_transform(matrix.astype(np.float32))
        state = TfidfState(counted.vocabulary, idf, svd.components_.astype(np.float64), self.ngram_max,
                           n_components)
        return state, l2_normalise(vectors)

    def fit_sampled(self, texts: Sequence[str], progress: ProgressCallback | None = None
                    ) -> tuple[TfidfState, np.ndarray]:
        """`fit` on all texts up to `fit_sample`; beyond, on a seeded sample of that many,
        then every text is placed by the fitted state (in chunks, reporting progress)."""
        tokens, at = self._tokenised(texts, progress)
        total = tokens.n_texts
        fit_progress = lambda done, n: at(1, done / max(n, 1))  # noqa: E731
        if total <= self.fit_sample:
            return self.fit_tokens(tokens, fit_progress)
        rng = np.random.default_rng(self.seed)
        picked = np.sort(rng.choice(total, size=self.fit_sample, replace=False))
        state = self.fit_tokens(tokens.rows(picked), fit_progress)[0]
        at(2, 0.0)
        out = np.empty((total, state.dim), dtype=np.float32)
        chunk = 50_000
        for start in range(0, total, chunk):
            rows = np.arange(start, min(start + chunk, total))
            out[rows] = state.transform_tokens(tokens.rows(rows))
            at(2, (rows[-1] + 1) / total)
        return state, out

    def embed_fitted(self, texts: Sequence[str], progress: ProgressCallback | None = None
                     ) -> tuple[TfidfState, np.ndarray]:
        """`embed`, with the state fitted on the way (what a saved model keeps)."""
        texts = list(texts)
        report(progress, 0, len(texts))
        state, vectors = self.fit_sampled(texts, progress)
        report(progress, len(texts), len(texts))
        return state, vectors

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        return self.embed_fitted(texts, progress)[1]

    @staticmethod
    def state_from_saved(meta: dict, arrays: dict) -> TfidfState:
        return TfidfState.from_saved(meta, arrays)
