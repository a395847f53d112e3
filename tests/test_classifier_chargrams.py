"""CharGrams assembles the char block's counts from remembered per-word n-grams: it must
give exactly what the vectoriser gives, for any text."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import HashingVectorizer

from classifier.chargrams import CharGrams


def vectorizer(ngram_range=(1, 4)) -> HashingVectorizer:
    return HashingVectorizer(analyzer="char_wb", ngram_range=ngram_range, n_features=2**12,
                             alternate_sign=False, norm=None, dtype=np.float32)


TRICKY = ["", "   ", "a", "I  am\there\n", "ꭰꭱ CHEROKEE İstanbul ß", "日本語のテキストです！",
          "x" * 300, "0000 00 0", "e\u0301 \u200b"]


@pytest.mark.parametrize("ngram_range", [(1, 4), (2, 5), (3, 3)])
def test_counts_equal_the_vectoriser_on_tricky_texts(ngram_range):
    hasher = vectorizer(ngram_range)
    grams = CharGrams(hasher, limit=5)  # a small memory: entries are dropped mid-batch
    for _ in range(2):  # cold, then remembered
        assert (grams.counts(TRICKY) != hasher.transform(TRICKY)).nnz == 0


@settings(max_examples=80, deadline=None)
@given(texts=st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_counts_equal_the_vectoriser_on_any_text(texts):
    hasher = vectorizer()
    counts = CharGrams(hasher).counts(texts)
    assert counts.dtype == np.float32
    assert (counts != hasher.transform(texts)).nnz == 0


def test_only_a_char_wb_count_hasher_is_accepted():
    with pytest.raises(ValueError, match="char_wb"):
        CharGrams(HashingVectorizer(analyzer="char", ngram_range=(1, 4)))
