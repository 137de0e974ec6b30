"""segkit.term_counts against what it replaces: `tokenize` per text and scikit-learn's
CountVectorizer / TfidfVectorizer given that tokenizer."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from segkit.embed.tfidf import smooth_idf, tfidf_weights
from segkit.term_counts import count_terms, count_vocabulary, tokenize_texts
from segkit.tokenize import tokenize

AWKWARD = [
    "Great fit, runs small!!! Love the colour.", "_ab_ 12abc a-b- x' don’t f***ing --- '' 3rd",
    "Café &amp; crème — naïve", "call me [PHONE] or [EMAIL] today", "好吃的火锅 great service 服务很好",
    "", "   ", "ＩＰＨＯＮＥ rocks", "İstanbul ΣΟΦΟΣ σοφός", "a", "the and of", "x" * 3 + "-" * 2 + "y",
    "tab\tseparated\nlines\r\nand\x00nul", "don't can't won't it's", "5 stars 10/10 A+ would buy again",
    "&quot;quoted&quot; &#39;single&#39;", "self-made high-waisted ‘curly’ “quotes”", "[URL]",
]


def _sentences(n: int, seed: int) -> list[str]:
    """Texts from a small alphabet of the characters where word edges are decided."""
    rng = np.random.default_rng(seed)
    pieces = ["love", "dress", "Fit", "SMALL", "size", "tee", "x", "2", "_", "'", "’", "*", "-", " ", " ",
              ".", ",", "&", "[", "]", "é", "great", "the", "not", "fab"]
    return ["".join(rng.choice(pieces, size=rng.integers(0, 40))) for _ in range(n)]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return AWKWARD + _sentences(400, 0)


def _reference(**params) -> CountVectorizer:
    return CountVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False, **params)


def test_every_text_gets_the_tokens_tokenize_gives_it(texts):
    tokens = tokenize_texts(texts)
    assert tokens.n_texts == len(texts)
    for i, text in enumerate(texts):
        assert tokens.words[tokens.ids[tokens.starts[i]:tokens.starts[i + 1]]].tolist() == tokenize(text), text


@pytest.mark.parametrize("texts", [["", "", ""], ["", "love it", ""], ["", "", "love it"], ["love it", "", ""],
                                   ["", "x", "", "Great fit"]])
def test_empty_texts_anywhere_leave_the_others_intact(texts):
    tokens = tokenize_texts(texts)
    assert [tokens.words[tokens.ids[tokens.starts[i]:tokens.starts[i + 1]]].tolist() for i in range(len(texts))] \
        == [tokenize(t) for t in texts]


def test_rows_picks_texts_in_the_order_asked(texts):
    tokens = tokenize_texts(texts)
    picked = np.array([5, 0, 4, 4, 1])
    subset = tokens.rows(picked)
    for row, i in enumerate(picked):
        assert (subset.words[subset.ids[subset.starts[row]:subset.starts[row + 1]]].tolist()
                == tokenize(texts[i]))


@pytest.mark.parametrize("params", [
    {"ngram_range": (1, 2)},
    {"ngram_range": (1, 2), "min_df": 2},
    {"ngram_range": (1, 2), "min_df": 2, "max_df": 0.3, "max_features": 40},
    {"ngram_range": (1, 3), "min_df": 2, "max_features": 25},
    {"ngram_range": (1, 1), "max_df": 5},
])
def test_counts_and_vocabulary_match_count_vectorizer(texts, params):
    reference = _reference(**params)
    expected = reference.fit_transform(texts)
    counted = count_terms(texts, ngram_max=params["ngram_range"][1], min_df=params.get("min_df", 1),
                          max_df=params.get("max_df", 1.0), max_features=params.get("max_features"))
    assert counted.vocabulary.tolist() == reference.get_feature_names_out().tolist()
    assert counted.counts.shape == expected.shape
    assert (counted.counts != expected).nnz == 0


def test_no_term_left_is_none_not_an_error():
    assert count_terms(["the and of", "", "a"]) is None
    assert count_terms(["love it", "hate it"], min_df=2) is None


def test_a_given_vocabulary_is_counted_in_its_order(texts):
    fitted = _reference(ngram_range=(1, 2), min_df=2).fit(texts).get_feature_names_out().tolist()
    vocabulary = fitted[::3][::-1] + ["never seen", "zzz", "love dress fit"]
    expected = _reference(ngram_range=(1, 3), vocabulary=vocabulary).transform(texts)
    counts = count_vocabulary(vocabulary, texts)
    assert counts.shape == expected.shape
    assert (counts != expected).nnz == 0
    assert counts[:, len(vocabulary) - 3:len(vocabulary) - 1].nnz == 0


def test_tfidf_weights_match_tfidf_vectorizer(texts):
    reference = TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False, ngram_range=(1, 2),
                                min_df=2, max_df=0.5, sublinear_tf=True)
    expected = reference.fit_transform(texts)
    counted = count_terms(texts, min_df=2, max_df=0.5, dtype=np.float64)
    idf = smooth_idf(counted.counts)
    np.testing.assert_allclose(idf, reference.idf_, rtol=1e-12)
    assert abs(tfidf_weights(counted.counts, idf) - expected).max() < 1e-12


def test_texts_cut_in_many_chunks_give_the_same_tokens(texts, monkeypatch):
    import segkit.term_counts as term_counts

    whole = tokenize_texts(texts)
    monkeypatch.setattr(term_counts, "_CHUNK_BYTES", 37)  # a few texts, or part of one, per chunk
    chunked = tokenize_texts(texts)
    assert (chunked.starts == whole.starts).all()
    assert chunked.words[chunked.ids].tolist() == whole.words[whole.ids].tolist()
