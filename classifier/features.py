"""Model input and the sklearn pipeline.

The pipeline sees a 2-column array of strings: the normalised text and a string of
signal pseudo-words (`__links_2__ __homepage__`).  Building that array is a plain function
(`model_input`) run before the pipeline, so the fitted pipeline contains library types
only and loads with a short, pinned skops trust list.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from .datasets import CommentInput
from .text import normalize, signal_tokens

TEXT, SIGNALS = 0, 1
WORD_PATTERN = r"(?u)\b\w+\b"
WORD_FEATURES = 2**18
CHAR_FEATURES = 2**18


def model_input(comments: Sequence[CommentInput]) -> np.ndarray:
    """The (n, 2) array of [normalised text, signal words] the pipeline is fitted on."""
    rows = np.empty((len(comments), 2), dtype=object)
    for i, comment in enumerate(comments):
        rows[i, TEXT] = normalize(comment.body)
        rows[i, SIGNALS] = " ".join(signal_tokens(comment.body, comment.homepage))
    return rows


def _hashed_tfidf(n_features: int, **analyzer: object) -> Pipeline:
    """Hashed n-gram counts -> sublinear TF-IDF.

    Hashing instead of a vocabulary: skops stores a vocabulary dict entry by entry (a
    60k-entry vocabulary made a 50 MB file that took ~3 s to load); hashed features keep
    the model to a few arrays.  Reasons re-hash a text's n-grams to find their weights.
    """
    hasher = HashingVectorizer(
        n_features=n_features, alternate_sign=False, norm=None, dtype=np.float32, **analyzer
    )
    return Pipeline([("hash", hasher), ("tfidf", TfidfTransformer(sublinear_tf=True))])


def build_pipeline(c: float = 30.0) -> Pipeline:
    """Word 1-2 grams + char_wb 2-5 grams (TF-IDF, sublinear) + signals, logistic regression.

    Char n-grams catch misspellings and unsegmented scripts (Japanese, Chinese); word
    n-grams give readable reasons.  A linear model keeps reasons exact (coef * value).
    C=30 (light regularisation) scored best leave-one-video-out among 3, 10, 30, 100.
    """
    features = ColumnTransformer(
        [
            ("word", _hashed_tfidf(
                WORD_FEATURES, ngram_range=(1, 2), token_pattern=WORD_PATTERN
            ), TEXT),
            ("char", _hashed_tfidf(CHAR_FEATURES, analyzer="char_wb", ngram_range=(2, 5)), TEXT),
            ("signal", CountVectorizer(
                token_pattern=r"__\w+__", lowercase=False, binary=True, dtype=np.float32,
            ), SIGNALS),
        ]
    )
    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", solver="liblinear")
    return Pipeline([("features", features), ("model", model)])
