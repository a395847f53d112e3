"""Model input and the sklearn pipeline.

The pipeline sees an array of strings: the normalised text, a string of signal
pseudo-words (`__links_2__ __homepage__`), the normalised text with every digit as `0`
for the character n-grams (so an unseen phone number shares n-grams with known ones),
and, per channel (comment, sms), the text and signals again, left empty for rows of the
other channel.  Those copies are "frustratingly easy domain adaptation" (Daumé III,
2007): every word has a weight shared by all channels plus one per channel, so SMS spam
teaches the comment model what it has in common with comment spam without imposing what
it has not.  Building that array is a plain function (`model_input`) run before the
pipeline, so the fitted pipeline contains library types only and loads with a short,
pinned skops trust list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from .datasets import CHANNELS, COMMENT, CommentInput
from .text import clean, fold, signal_tokens

TEXT, SIGNALS, CHARS = 0, 1, 2
# Per channel: its copy of TEXT, then of SIGNALS.
CHANNEL_COLUMNS = {channel: (3 + 2 * i, 4 + 2 * i) for i, channel in enumerate(CHANNELS)}
COLUMNS = 3 + 2 * len(CHANNELS)
_DIGIT_RE = re.compile(r"\d")
WORD_PATTERN = r"(?u)\b\w+\b"
WORD_FEATURES = 2**18
CHAR_FEATURES = 2**18


def channel_of(comment: CommentInput) -> str:
    """The comment's channel; an unknown one is read as a comment (what modq receives)."""
    return comment.channel if comment.channel in CHANNEL_COLUMNS else COMMENT


def model_input(comments: Sequence[CommentInput]) -> np.ndarray:
    """The (n, COLUMNS) array of [text, signal words, digit-folded text, channel copies...]
    the pipeline is fitted on.

    Digit folding maps one character to one character, so the two texts split into the
    same words (reasons rely on that).
    """
    rows = np.full((len(comments), COLUMNS), "", dtype=object)
    for i, comment in enumerate(comments):
        cleaned = clean(comment.body)
        rows[i, TEXT] = fold(cleaned)
        rows[i, SIGNALS] = " ".join(signal_tokens(cleaned, comment.homepage, comment.page))
        rows[i, CHARS] = _DIGIT_RE.sub("0", rows[i, TEXT])
        text_copy, signal_copy = CHANNEL_COLUMNS[channel_of(comment)]
        rows[i, text_copy], rows[i, signal_copy] = rows[i, TEXT], rows[i, SIGNALS]
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


def _words() -> Pipeline:
    return _hashed_tfidf(WORD_FEATURES, ngram_range=(1, 2), token_pattern=WORD_PATTERN)


def _signals() -> CountVectorizer:
    return CountVectorizer(token_pattern=r"__\w+__", lowercase=False, binary=True, dtype=np.float32)


def build_pipeline(channels: Sequence[str] = CHANNELS, c: float = 30.0) -> Pipeline:
    """Word 1-2 grams + char_wb 1-4 grams (TF-IDF, sublinear) + signals, logistic regression,
    plus per-channel copies of the word and signal blocks for the `channels` trained on.

    Char n-grams catch misspellings and unsegmented scripts (Japanese, Chinese); word
    n-grams give readable reasons.  A linear model keeps reasons exact (coef * value).
    Folding digits for the char n-grams raised the nested-threshold MCC by 0.01-0.03 on
    SMS and three of four videos (bench/model_experiments.py, lr-digits).
    C=30 (light regularisation) scored best leave-one-video-out among 3, 10, 30, 100.
    The channel copies raised leave-one-video-out MCC by 0.01-0.03 on every video and the
    best SMS MCC by 0.01 (bench/model_experiments.py, fead-word vs current); copying the
    char block as well added nothing for videos and doubled the hashing time.
    Char 1-4 rather than 2-5: long char n-grams restate each word a dozen times, so one
    spammy word ("check") outweighed the phrase that says otherwise ("check the views");
    1-4 raised leave-one-video-out MCC by 0.00-0.03 per video (char-wb14 vs fead-word).
    """
    blocks = [
        ("word", _words(), TEXT),
        ("char", _hashed_tfidf(CHAR_FEATURES, analyzer="char_wb", ngram_range=(1, 4)), CHARS),
        ("signal", _signals(), SIGNALS),
    ]
    for channel in channels:
        text_copy, signal_copy = CHANNEL_COLUMNS[channel]
        blocks += [(f"word:{channel}", _words(), text_copy),
                   (f"signal:{channel}", _signals(), signal_copy)]
    features = ColumnTransformer(blocks)
    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", solver="liblinear",
                               random_state=0)  # liblinear shuffles: same data, same model
    return Pipeline([("features", features), ("model", model)])
