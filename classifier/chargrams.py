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


class CharGrams:
    """The n-gram columns of words, for one fitted ``char_wb`` hashing vectoriser."""

    def __init__(self, vectorizer: HashingVectorizer, limit: int = 65_536) -> None:
        if (vectorizer.analyzer != "char_wb" or vectorizer.alternate_sign or vectorizer.norm
                or vectorizer.binary or vectorizer.ngram_range[0] > 3):
            # a padded word is at least 3 characters long, which the n-gram cut below assumes
            raise ValueError(f"not a char_wb count hasher: {vectorizer!r}")
        self.n_features = vectorizer.n_features
        self._range = vectorizer.ngram_range
        self._dtype = vectorizer.dtype
        self._preprocess = vectorizer.build_preprocessor()
        self._limit = limit
        self._known: dict[str, tuple[np.ndarray, tuple[str, ...]]] = {}

    def words(self, text: str) -> list[str]:
        """The words of ``text`` as the vectoriser splits them (after its lower-casing)."""
        return self._preprocess(text).split()

    def of(self, word: str) -> tuple[np.ndarray, tuple[str, ...]]:
        """The word's padded n-grams (" wo", "wor"...) and the column of each."""
        found = self._known.get(word)
        if found is None:
            if len(self._known) >= self._limit:
                self._known.clear()
            padded = f" {word} "
            low, high = self._range
            grams = tuple(padded[i:i + n] for n in range(low, high + 1)
                          for i in range(len(padded) - n + 1))
            columns = np.fromiter((abs(murmurhash3_32(gram, positive=False)) for gram in grams),
                                  dtype=np.int64, count=len(grams)) % self.n_features
            found = self._known[word] = (columns, grams)
        return found

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The vectoriser's ``transform(texts)``: each row's n-gram counts by column."""
        parts: list[np.ndarray] = []
        ends = [0]
        for text in texts:
            parts += [self.of(word)[0] for word in self.words(text)]
            ends.append(len(parts))
        sizes = np.cumsum([0] + [len(part) for part in parts])
        indices = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        matrix = sp.csr_matrix((np.ones(len(indices), dtype=self._dtype), indices, sizes[ends]),
                               shape=(len(texts), self.n_features))
        matrix.sum_duplicates()
        return matrix
