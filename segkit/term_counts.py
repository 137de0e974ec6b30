"""Word and phrase counts per text, for TF-IDF, keywords and explanations.

The same tokens as `segkit.tokenize.tokenize` and the same matrix as scikit-learn's
CountVectorizer given that tokenizer (tests/test_term_counts.py compares both), built
from arrays instead of a Python dict per text. On 200,000 reviews CountVectorizer spent
most of its time in Python: forming every two-word phrase as a string and looking it up.

- `tokenize_texts` gives each text's tokens as ids into one table of distinct words. A
  plain-ASCII text (most English reviews) is cut into words by byte classes in numpy;
  any other text goes through `tokenize` (Unicode folding, HTML entities, jieba for
  Chinese). Arrow hashes the words.
- `count_terms` fits a vocabulary (document-frequency limits and a size cap, as
  CountVectorizer's min_df / max_df / max_features) and counts it.
- `count_vocabulary` counts a given vocabulary, in its order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from segkit.privacy.base import PLACEHOLDER_PATTERN
from segkit.tokenize import _CJK_RUN, STOP_WORDS, tokenize

# A plain text is ASCII (and the curly apostrophe) with no HTML entity. NFKC and Unicode
# lower-casing change nothing there beyond ASCII case, and a word is a run of
# [a-z0-9_'’*-] cut to start at a letter and end at a letter or digit, as
# segkit.tokenize._LATIN_WORD finds it: so its words can be cut by byte classes.
_PLAIN_TEXT = r"^[\x00-\x25\x27-\x7f’]*$"
_LOWER = np.arange(256, dtype=np.uint8)
_LOWER[ord("A"):ord("Z") + 1] += 32
_OTHER, _DIGIT, _LETTER = 1, 2, 3  # byte classes inside a word; 0: not in a word
_CLASS = np.zeros(256, dtype=np.uint8)
_CLASS[[ord(c) for c in "_'*-"]] = _OTHER
_CLASS[0x80:] = _OTHER  # the bytes of ’, the one non-ASCII character a plain text holds
_CLASS[ord("0"):ord("9") + 1] = _DIGIT
_CLASS[ord("a"):ord("z") + 1] = _LETTER
_CHUNK_BYTES = 8 << 20  # bytes of text cut at once: bounds the index arrays' memory


def _starts(lengths: np.ndarray) -> np.ndarray:
    """Offsets (n + 1,) of consecutive runs of these lengths."""
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


@dataclass(frozen=True)
class Tokens:
    """Every text's tokens: text i's are `words[ids[starts[i]:starts[i + 1]]]`, in order."""
    words: np.ndarray  # (n_words,) object: distinct tokens
    ids: np.ndarray  # (n_tokens,) int64
    starts: np.ndarray  # (n_texts + 1,) int64

    @property
    def n_texts(self) -> int:
        return len(self.starts) - 1

    def rows(self, picked: np.ndarray) -> Tokens:
        """The tokens of the texts `picked` (indices), in that order; the same words table."""
        picked = np.asarray(picked, dtype=np.int64)
        lengths = np.diff(self.starts)[picked]
        starts = _starts(lengths)
        positions = np.repeat(self.starts[picked] - starts[:-1], lengths) + np.arange(starts[-1])
        return Tokens(self.words, self.ids[positions], starts)


def _plain_words(column) -> tuple[list, np.ndarray]:
    """The words of plain texts (Arrow strings): (Arrow string arrays, owning text)."""
    import pyarrow as pa

    offsets = np.frombuffer(column.buffers()[1], dtype=np.int64)[column.offset:column.offset + len(column) + 1]
    data = np.frombuffer(column.buffers()[2], dtype=np.uint8)
    pieces, owners = [], []
    first_text = 0
    while first_text < len(column):
        last_text = int(np.searchsorted(offsets, offsets[first_text] + _CHUNK_BYTES, side="right")) - 1
        last_text = min(max(last_text, first_text + 1), len(column))
        begin, end = int(offsets[first_text]), int(offsets[last_text])
        text_starts = offsets[first_text:last_text] - begin
        lowered = _LOWER[data[begin:end]]
        kind = _CLASS[lowered]
        inside = kind > 0
        # A word ends where a text does, whatever follows it.
        joined = inside[:-1] & inside[1:]
        cut = text_starts[(text_starts > 0) & (text_starts < len(kind))]
        joined[cut - 1] = False
        run_start = np.flatnonzero(inside & np.r_[True, ~joined])
        run_end = np.flatnonzero(inside & np.r_[~joined, True]) + 1
        index = np.arange(len(kind), dtype=np.int32)
        big = np.int32(len(kind))
        next_letter = np.minimum.accumulate(np.where(kind == _LETTER, index, big)[::-1])[::-1]
        last_alnum = np.maximum.accumulate(np.where(kind >= _DIGIT, index, np.int32(-1)))
        first = next_letter[run_start] if len(run_start) else run_start
        keep = first < run_end
        first, stop = first[keep].astype(np.int64), last_alnum[run_end[keep] - 1].astype(np.int64) + 1
        lengths = stop - first
        word_offsets = _starts(lengths)
        taken = np.repeat(first - word_offsets[:-1], lengths) + np.arange(word_offsets[-1])
        pieces.append(pa.LargeStringArray.from_buffers(len(first), pa.py_buffer(word_offsets),
                                                        pa.py_buffer(lowered[taken].tobytes())))
        owners.append(first_text + np.searchsorted(text_starts, first, side="right") - 1)
        first_text = last_text
    return pieces, (np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64))


def tokenize_texts(texts: Sequence[str]) -> Tokens:
    """`tokenize` of every text, as ids into one table of distinct words."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = [str(t) for t in texts]
    column = pa.array(texts, type=pa.large_string())
    plain = pc.match_substring_regex(column, _PLAIN_TEXT).to_numpy(zero_copy_only=False)
    plain_index = np.flatnonzero(plain)
    pieces, owner = [], np.zeros(0, dtype=np.int64)
    if len(plain_index):
        plain_column = column.filter(pa.array(plain))
        if pc.any(pc.match_substring(plain_column, "[")).as_py():
            plain_column = pc.replace_substring_regex(plain_column, PLACEHOLDER_PATTERN.pattern, " ")
        pieces, owner = _plain_words(plain_column)
        owner = plain_index[owner]
    others = np.flatnonzero(~plain)
    other_lists = [tokenize(texts[i], drop_stop_words=False) for i in others]
    pieces.append(pa.array([t for tokens in other_lists for t in tokens], type=pa.large_string()))
    owner = np.concatenate([owner, np.repeat(others, [len(t) for t in other_lists])]).astype(np.int64)
    encoded = pc.dictionary_encode(pa.chunked_array(pieces, type=pa.large_string())).combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    words = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
    # Back into text order: stable, so each text keeps its own token order.
    order = np.argsort(owner, kind="stable")
    codes, owner = codes[order], owner[order]
    # Stop words and single Latin letters carry nothing (as `tokenize` drops them).
    useful = np.fromiter((w not in STOP_WORDS and (len(w) > 1 or _CJK_RUN.match(w) is not None)
                          for w in words), dtype=bool, count=len(words))
    kept = useful[codes]
    lengths = np.bincount(owner[kept], minlength=len(texts))
    starts = _starts(lengths)
    return Tokens(words, codes[kept], starts)


@dataclass(frozen=True)
class _Ngrams:
    """Every occurrence of a term (word or n-gram, n <= ngram_max) in a `Tokens`.

    A term is a key: below n_words a word id; from there, n-grams numbered order by order.
    `pairs[n - 2]` holds the order-n n-grams present as sorted codes
    (key of the first n-1 words) * n_words + (id of the last word), `first_key[n - 2]`
    the key of pairs[n - 2][0] (the others follow it)."""
    owner: np.ndarray  # (occurrences,) text
    key: np.ndarray  # (occurrences,) term key
    n_words: int
    pairs: list[np.ndarray]
    first_key: list[int]

    @property
    def n_keys(self) -> int:
        return self.first_key[-1] + len(self.pairs[-1]) if self.pairs else self.n_words

    def parts(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(key of the first n-1 words, id of the last word) of n-gram `keys`."""
        codes = np.concatenate(self.pairs)[keys - self.n_words] if self.pairs else keys
        return codes // self.n_words, codes % self.n_words

    def find(self, order: int, prefix: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Keys of the order-`order` n-grams (prefix key, last word id); -1 where absent."""
        out = np.full(len(prefix), -1, dtype=np.int64)
        if order - 2 >= len(self.pairs):
            return out
        known = (prefix >= 0) & (last >= 0)
        codes = prefix[known] * np.int64(self.n_words) + last[known]
        table = self.pairs[order - 2]
        at = np.minimum(np.searchsorted(table, codes), max(len(table) - 1, 0))
        found = table[at] == codes if len(table) else np.zeros(len(codes), dtype=bool)
        out[np.flatnonzero(known)[found]] = self.first_key[order - 2] + at[found]
        return out


def _sorted_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(values, return_inverse=True), hashing first: only the distinct values are sorted."""
    import pandas as pd

    codes, distinct = pd.factorize(values, sort=False)
    order = np.argsort(distinct, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return distinct[order], rank[codes]


def _ngrams(tokens: Tokens, ngram_max: int) -> _Ngrams:
    n_words = len(tokens.words)
    owner = np.repeat(np.arange(tokens.n_texts), np.diff(tokens.starts))
    owners, keys, pairs, first_key = [owner], [tokens.ids], [], []
    ending = tokens.ids  # key of the n-gram that ends at each token, -1 where none fits
    next_key = n_words
    for _ in range(2, ngram_max + 1):
        fits = np.zeros(len(ending), dtype=bool)
        fits[1:] = (ending[:-1] >= 0) & (owner[:-1] == owner[1:])
        if not fits.any():
            break
        prefix = ending[:-1][fits[1:]]
        if int(prefix.max()) >= np.iinfo(np.int64).max // max(n_words, 1):
            raise ValueError("too many distinct terms to number")
        codes = prefix * np.int64(n_words) + tokens.ids[fits]
        table, inverse = _sorted_codes(codes)
        ending = np.full(len(ending), -1, dtype=np.int64)
        ending[fits] = next_key + inverse
        owners.append(owner[fits])
        keys.append(ending[fits])
        pairs.append(table)
        first_key.append(next_key)
        next_key += len(table)
    return _Ngrams(np.concatenate(owners), np.concatenate(keys), n_words, pairs, first_key)


def _term_strings(ngrams: _Ngrams, words: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Each term key's name: its words joined by spaces (joined by Arrow, not per term)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = pa.array(words.tolist(), type=pa.large_string())
    columns = []  # the last word first
    current = np.asarray(keys, dtype=np.int64)
    while (current >= 0).any():
        gram = current >= ngrams.n_words
        prefix, last = ngrams.parts(current[gram])
        word = current.copy()
        word[gram] = last
        columns.append(table.take(pa.array(word, mask=word < 0)))
        current = np.where(gram, 0, -1)
        current[gram] = prefix
    if not columns:
        return np.zeros(0, dtype=object)
    joined = pc.binary_join_element_wise(*reversed(columns), pa.scalar(" ", pa.large_string()),
                                         null_handling="skip")
    return np.asarray(joined.to_pylist(), dtype=object)


def _matrix(owner: np.ndarray, column: np.ndarray, n_texts: int, n_columns: int, dtype) -> sp.csr_matrix:
    counts = sp.csr_matrix((np.ones(len(owner), dtype=dtype), (owner, column)), shape=(n_texts, n_columns))
    counts.sum_duplicates()
    counts.sort_indices()
    return counts


@dataclass(frozen=True)
class TermCounts:
    """Texts x terms occurrence counts; the terms in alphabetical order, as CountVectorizer."""
    counts: sp.csr_matrix
    vocabulary: np.ndarray  # (n_terms,) str


def count_terms(texts: Sequence[str] | None = None, tokens: Tokens | None = None, ngram_max: int = 2,
                min_df: float = 1, max_df: float = 1.0, max_features: int | None = None,
                dtype=np.int64) -> TermCounts | None:
    """Counts of every word and n-gram (n <= ngram_max) used by at least `min_df` texts and
    at most `max_df` (a share of the texts when a float, as CountVectorizer), keeping the
    `max_features` most frequent; None when no term is left."""
    tokens = tokenize_texts(texts) if tokens is None else tokens
    n_texts = tokens.n_texts
    ngrams = _ngrams(tokens, ngram_max)
    if not len(ngrams.key):
        return None
    present, column = _sorted_codes(ngrams.key)
    counts = _matrix(ngrams.owner, column, n_texts, len(present), dtype)
    df = np.bincount(counts.indices, minlength=len(present))
    high = max_df if isinstance(max_df, (int, np.integer)) else max_df * n_texts
    low = min_df if isinstance(min_df, (int, np.integer)) else min_df * n_texts
    survivors = np.flatnonzero((df <= high) & (df >= low))
    if not len(survivors):
        return None
    names = _term_strings(ngrams, tokens.words, present[survivors])
    alphabetical = np.argsort(names.astype(str), kind="stable")
    survivors, names = survivors[alphabetical], names[alphabetical]
    if max_features is not None and len(survivors) > max_features:
        frequency = np.asarray(counts.sum(axis=0)).ravel()[survivors]
        # The same call on the same array as CountVectorizer, so ties are broken alike.
        top = np.sort((-frequency).argsort()[:max_features])
        survivors, names = survivors[top], names[top]
    return TermCounts(counts[:, survivors], names.astype(str))


def count_vocabulary(vocabulary: Sequence[str], texts: Sequence[str] | None = None,
                     tokens: Tokens | None = None, dtype=np.int64) -> sp.csr_matrix:
    """Texts x `vocabulary` occurrence counts (columns in the vocabulary's order); a term is
    a word or words joined by single spaces, as `count_terms` names them."""
    tokens = tokenize_texts(texts) if tokens is None else tokens
    split = [str(term).split(" ") for term in vocabulary]
    ngram_max = max((len(parts) for parts in split), default=1)
    ngrams = _ngrams(tokens, ngram_max)
    word_id = {w: i for i, w in enumerate(tokens.words.tolist())}
    lengths = np.array([len(parts) for parts in split], dtype=np.int64)
    key = np.array([word_id.get(parts[0], -1) for parts in split], dtype=np.int64)
    for order in range(2, ngram_max + 1):
        longer = np.flatnonzero(lengths >= order)
        last = np.array([word_id.get(split[i][order - 1], -1) for i in longer], dtype=np.int64)
        key[longer] = ngrams.find(order, key[longer], last)
    column_of = np.full(max(ngrams.n_keys, 1), -1, dtype=np.int64)
    known = np.flatnonzero(key >= 0)
    column_of[key[known]] = known
    column = column_of[ngrams.key] if len(ngrams.key) else np.zeros(0, dtype=np.int64)
    counted = column >= 0
    return _matrix(ngrams.owner[counted], column[counted], tokens.n_texts, len(split), dtype)
