"""The TF-IDF + SVD embedder as a fitted, storable transformer.

`segkit.embed.tfidf` fits on the corpus and keeps nothing; to place new users in the same
space we refit it here with the same settings on the same texts and keep the vocabulary,
the idf weights and the SVD components as plain arrays. `fit_tfidf_state` returns the
training vectors too, so the caller can check they match what the pipeline used
(tests/test_assign.py does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer

from segkit.embed.base import l2_normalise
from segkit.embed.tfidf import TfidfSvdEmbedder
from segkit.tokenize import tokenize


@dataclass(frozen=True)
class TfidfState:
    vocabulary: np.ndarray  # (n_terms,) str, in column order
    idf: np.ndarray  # (n_terms,) float64
    components: np.ndarray | None  # (n_components, n_terms) or None when no SVD was applied
    ngram_max: int
    dim: int  # output dimension (1 when the corpus had no vocabulary: every vector is zero)

    def transform(self, texts) -> np.ndarray:
        texts = list(texts)
        if len(self.vocabulary) == 0:
            return np.zeros((len(texts), self.dim), dtype=np.float32)
        counter = CountVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False,
                                  ngram_range=(1, self.ngram_max),
                                  vocabulary={t: i for i, t in enumerate(self.vocabulary.tolist())})
        counts = counter.transform(texts).astype(np.float64).tocsr()
        counts.data = np.log(counts.data) + 1.0  # sublinear tf, as the embedder
        weighted = counts @ sp.diags(self.idf)
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        weighted = sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ weighted
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


def fit_tfidf_state(texts, embedder_params: dict | None = None) -> tuple[TfidfState, np.ndarray]:
    """Fit exactly as TfidfSvdEmbedder.embed does; return the state and the training vectors."""
    embedder = TfidfSvdEmbedder(**(embedder_params or {}))
    texts = list(texts)
    vectorizer = embedder.make_vectorizer(len(texts))
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:
        empty = TfidfState(np.array([], dtype=str), np.zeros(0), None, embedder.ngram_max, 1)
        return empty, np.zeros((len(texts), 1), dtype=np.float32)
    terms = np.empty(len(vectorizer.vocabulary_), dtype=object)
    for term, index in vectorizer.vocabulary_.items():
        terms[index] = term
    vocabulary = terms.astype(str)
    n_components = min(embedder.n_components, matrix.shape[1] - 1, len(texts) - 1)
    if n_components < 2:
        state = TfidfState(vocabulary, vectorizer.idf_.astype(np.float64), None, embedder.ngram_max, matrix.shape[1])
        return state, l2_normalise(matrix.toarray())
    svd = TruncatedSVD(n_components=n_components, random_state=embedder.seed, algorithm="randomized")
    vectors = svd.fit_transform(matrix)
    state = TfidfState(vocabulary, vectorizer.idf_.astype(np.float64), svd.components_.astype(np.float64),
                       embedder.ngram_max, n_components)
    return state, l2_normalise(vectors)
