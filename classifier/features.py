"""Model input and the sklearn pipeline.

The pipeline sees a 3-column array of strings: the normalised text, a string of signal
pseudo-words (`__links_2__ __homepage__`) and the normalised text with every digit as `0`
for the character n-grams (so an unseen phone number shares n-grams with known ones).
Building that array is a plain function (`model_input`) run before the pipeline, so the
fitted pipeline contains library types only and loads with a short, pinned skops trust list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from .datasets import CommentInput
from .text import normalize, signal_tokens

TEXT, SIGNALS, CHARS = 0, 1, 2
_DIGIT_RE = re.compile(r"\d")
WORD_PATTERN = r"(?u)\b\w+\b"
WORD_FEATURES = 2**18
CHAR_FEATURES = 2**18


def model_input(comments: Sequence[CommentInput]) -> np.ndarray:
    """The (n, 3) array of [text, signal words, digit-folded text] the pipeline is fitted on.

    Digit folding maps one character to one character, so the two texts split into the
    same words (reasons rely on that).
    """
    rows = np.empty((len(comments), 3), dtype=object)
    for i, comment in enumerate(comments):
        rows[i, TEXT] = normalize(comment.body)
        rows[i, SIGNALS] = " ".join(signal_tokens(comment.body, comment.homepage))
        rows[i, CHARS] = _DIGIT_RE.sub("0", rows[i, TEXT])
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
    Folding digits for the char n-grams raised the nested-threshold MCC by 0.01-0.03 on
    SMS and three of four videos (bench/model_experiments.py, lr-digits).
    C=30 (light regularisation) scored best leave-one-video-out among 3, 10, 30, 100.
    """
    features = ColumnTransformer(
        [
            ("word", _hashed_tfidf(
                WORD_FEATURES, ngram_range=(1, 2), token_pattern=WORD_PATTERN
            ), TEXT),
            ("char", _hashed_tfidf(CHAR_FEATURES, analyzer="char_wb", ngram_range=(2, 5)), CHARS),
            ("signal", CountVectorizer(
                token_pattern=r"__\w+__", lowercase=False, binary=True, dtype=np.float32,
            ), SIGNALS),
        ]
    )
    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", solver="liblinear",
                               random_state=0)  # liblinear shuffles: same data, same model
    return Pipeline([("features", features), ("model", model)])
