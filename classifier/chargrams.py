"""Each word's char n-grams, hashed to the columns the char block puts them in, remembered.

The char block (``char_wb`` n-grams) was most of a comment's scoring time, twice over:
the vectoriser cuts every word into a few dozen padded n-grams and hashes each one in
Python, and the reasons did the same again to map the block's columns back to words.
Words recur across comments, so here each distinct word is cut and hashed once and its
columns kept: the char block's counts are assembled from them, and the reasons read the
same entries. `counts` gives exactly what the fitted vectoriser's ``transform`` gives (a
test holds the two side by side).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32


def gram_spans(length: int, ngram_range: tuple[int, int]) -> list[tuple[int, int]]:
    """Where each n-gram of a ``length``-character word lies in the padded word (" word "),
    in the order the vectoriser cuts them: the reasons spread an n-gram's weight over the
    characters it covers."""
    low, high = ngram_range
    return [(i, i + n) for n in range(low, high + 1) for i in range(length + 3 - n)]


class CharGrams:
    """The n-gram columns of words, for one fitted ``char_wb`` hashing vectoriser."""

    def __init__(self, vectorizer: HashingVectorizer, limit: int = 65_536) -> None:
        if (vectorizer.analyzer != "char_wb" or vectorizer.alternate_sign or vectorizer.norm
                or vectorizer.binary or vectorizer.ngram_range[0] > 3):
            # a padded word is at least 3 characters long, which the n-gram cut below assumes
            raise ValueError(f"not a char_wb count hasher: {vectorizer!r}")
        self.n_features = vectorizer.n_features
        self.ngram_range: tuple[int, int] = vectorizer.ngram_range
        self._dtype = vectorizer.dtype
        self._preprocess = vectorizer.build_preprocessor()
        self._limit = limit
        self._known: dict[str, np.ndarray] = {}  # ~0.3 kB a word: at most ~20 MB

    def words(self, text: str) -> list[str]:
        """The words of ``text`` as the vectoriser splits them (after its lower-casing)."""
        return self._preprocess(text).split()

    def grams(self, word: str) -> list[str]:
        """The word's padded n-grams (" wo", "wor"...), in the order of `columns`."""
        padded = f" {word} "
        return [padded[start:end] for start, end in gram_spans(len(word), self.ngram_range)]

    def columns(self, word: str) -> np.ndarray:
        """The column of each of the word's n-grams."""
        found = self._known.get(word)
        if found is None:
            if len(self._known) >= self._limit:
                self._known.clear()
            grams = self.grams(word)
            found = self._known[word] = np.fromiter(
                (abs(murmurhash3_32(gram, positive=False)) % self.n_features for gram in grams),
                dtype=np.int32, count=len(grams))
        return found

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The vectoriser's ``transform(texts)``: each row's n-gram counts by column."""
        parts: list[np.ndarray] = []
        ends = [0]
        for text in texts:
            parts += [self.columns(word) for word in self.words(text)]
            ends.append(len(parts))
        sizes = np.cumsum([0] + [len(part) for part in parts])
        indices = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
        matrix = sp.csr_matrix((np.ones(len(indices), dtype=self._dtype), indices, sizes[ends]),
                               shape=(len(texts), self.n_features))
        matrix.sum_duplicates()
        return matrix
