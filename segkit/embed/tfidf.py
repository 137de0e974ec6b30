"""TF-IDF + truncated SVD (LSA): the no-model baseline, fast and language-agnostic."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from segkit.embed.base import Embedder, ProgressCallback, l2_normalise, report
from segkit.threads import limited_threads
from segkit.tokenize import tokenize


class TfidfSvdEmbedder(Embedder):
    name = "tfidf"
    version = "3"  # 2: Chinese filler stop words, NFKC; 3: HTML entities unescaped
    texts_per_second = 4000.0
    description = "TF-IDF + SVD: no model, seconds for thousands of reviews; words, not meaning."

    def __init__(self, n_components: int = 128, max_features: int = 50_000, ngram_max: int = 2,
                 seed: int = 0) -> None:
        self.n_components = int(n_components)
        self.max_features = int(max_features)
        self.ngram_max = int(ngram_max)
        self.seed = int(seed)

    def cache_token(self) -> str:
        return f"{self.name}:{self.version}:{self.n_components}:{self.max_features}:{self.ngram_max}:{self.seed}"

    def make_vectorizer(self, n_texts: int) -> TfidfVectorizer:
        """The unfitted vectorizer; saved models (segkit.model) refit exactly this one."""
        # Pruning rare/ubiquitous terms only makes sense once there are enough texts.
        large = n_texts >= 50
        return TfidfVectorizer(
            tokenizer=tokenize,
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, self.ngram_max),
            min_df=2 if large else 1,
            max_df=0.5 if large else 1.0,
            max_features=self.max_features,
            sublinear_tf=True,
        )

    def produces_width(self, width: int, n_texts: int) -> bool:
        # SVD to at most n_components; with one or two texts the raw TF-IDF columns.
        return 1 <= width <= (max(self.n_components, 2) if n_texts > 2 else self.max_features)

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        texts = list(texts)
        report(progress, 0, len(texts))
        vectorizer = self.make_vectorizer(len(texts))
        try:
            matrix = vectorizer.fit_transform(texts)
        except ValueError:
            # Every text was stop words / punctuation: no vocabulary. Zero vectors, marked later.
            return np.zeros((len(texts), 1), dtype=np.float32)
        n_components = min(self.n_components, matrix.shape[1] - 1, len(texts) - 1)
        if n_components < 2:
            dense = matrix.toarray().astype(np.float32)
            report(progress, len(texts), len(texts))
            return l2_normalise(dense)
        svd = TruncatedSVD(n_components=n_components, random_state=self.seed, algorithm="randomized")
        # limited_threads: multi-threaded BLAS oversubscribes small shared machines (~8x slower here).
        with np.errstate(divide="ignore", invalid="ignore"), limited_threads():  # identical texts: 0/0 variance
            vectors = svd.fit_transform(matrix)
        report(progress, len(texts), len(texts))
        return l2_normalise(vectors)
