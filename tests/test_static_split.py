"""The static embedder's word split (segkit.embed.static.split_words) is str.split()'s."""

import re

import numpy as np

from segkit.embed.static import split_words

TRICKY = [
    "plain words here", "", "   ", "  leading and trailing  ", "tabs\tand\nnew\r\nlines",
    "no-break\u00a0space", "ideographic\u3000space", "em\u2003space and\u2028line sep",
    "unit\x1fseparator", "file\x1cseparator here", "emoji 👗 dress", "Ünïcödé CAFÉ",
    "repeated repeated repeated", "x",
]


def reference(texts, unsafe=None):
    split = [[t] if unsafe is not None and unsafe.search(t) else t.split() for t in texts]
    return split


def test_split_words_gives_str_split_words_in_order():
    codes, distinct, counts = split_words(TRICKY)
    expected = reference(TRICKY)
    assert counts.tolist() == [len(words) for words in expected]
    assert [distinct[c] for c in codes] == [w for words in expected for w in words]
    assert len(set(distinct)) == len(distinct)  # factorised: each word once


def test_texts_with_an_unsafe_character_stay_whole_and_in_place():
    unsafe = re.compile("[\x1c\x1f]")
    codes, distinct, counts = split_words(TRICKY, unsafe)
    expected = reference(TRICKY, unsafe)
    assert counts.tolist() == [len(words) for words in expected]
    assert [distinct[c] for c in codes] == [w for words in expected for w in words]
    assert "file\x1cseparator here" in distinct


def test_split_words_on_many_random_texts():
    rng = np.random.default_rng(0)
    alphabet = list("abc é\t\n\u00a0\u3000") + ["  "]
    texts = ["".join(rng.choice(alphabet, size=rng.integers(0, 12))) for _ in range(2000)]
    codes, distinct, counts = split_words(texts)
    assert [distinct[c] for c in codes] == [w for t in texts for w in t.split()]
    assert counts.tolist() == [len(t.split()) for t in texts]
