"""The loaded, ready-to-score model: calibrated spam probability plus reasons.

`SpamModel` wraps a fitted pipeline (library types only) and its metadata.  Probabilities
are calibrated with a Platt scaling fitted on out-of-fold predictions of other videos /
other SMS groups (stored in metadata), because a model's scores on its own training data
are over-confident.  Reasons are exact for a linear model: feature value * coefficient.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn import config_context

from . import reasons
from .chargrams import CharGrams
from .datasets import COMMENT, CommentInput
from .features import TEXT, channel_of, model_input
from .text import SIGNAL_WORDS

MAX_REASONS = 5
_HASH_CACHE_SIZE = 200_000  # word n-gram hashes kept for reasons (a few tens of MB at most)


@dataclass(frozen=True)
class Score:
    """A calibrated P(spam) and the features that decided it, strongest first: what pushed
    it up when it leans spam (>= 0.5), what pulled it down when it leans ham."""

    spam_score: float
    reasons: list[str]


class SpamModel:
    """A fitted pipeline + metadata; `score` for reasons, `predict_proba` for speed."""

    def __init__(self, pipeline, metadata: dict, version: str | None = None) -> None:
        self.pipeline = pipeline
        self.metadata = metadata
        self.version = version or metadata.get("version", "unsaved")
        thresholds = metadata.get("thresholds", {})
        self.spam_threshold = float(thresholds.get("spam", 0.5))  # for comments
        self._spam_thresholds = {COMMENT: self.spam_threshold, **{
            channel: float(t["spam"]) for channel, t in thresholds.get("channels", {}).items()}}
        calibration = metadata.get("calibration", {})
        self._calibrations = {COMMENT: (float(calibration.get("slope", 1.0)),
                                        float(calibration.get("intercept", 0.0))), **{
            channel: (float(c["slope"]), float(c["intercept"]))
            for channel, c in calibration.get("channels", {}).items()}}
        features = pipeline.named_steps["features"]
        self._blocks = [(name, tr, col) for name, tr, col in features.transformers_
                        if name != "remainder" and tr != "drop"]
        self._slices = features.output_indices_
        classifier = pipeline.named_steps["model"]
        self._coef = np.asarray(classifier.coef_, dtype=np.float64).ravel()
        self._bias = float(np.ravel(classifier.intercept_)[0])
        self._signal_names = {name: self._transformer(name).get_feature_names_out()
                              for name in self._named("signal")}
        self._word_grams = reasons.WordGrams(self._transformer("word").named_steps["hash"])
        self._hashes: dict[str, int] = {}
        self._word_copies = self._copies_of_words()
        self._char_grams = CharGrams(self._transformer("char").named_steps["hash"])

    def _named(self, kind: str) -> list[str]:
        """The blocks of one kind: `word`, then its channel copies (`word:sms`...)."""
        return [name for name, _, _ in self._blocks if name.split(":")[0] == kind]

    def _transformer(self, name: str):
        return next(tr for block, tr, _ in self._blocks if block == name)

    def _column(self, name: str) -> int:
        """The model-input column a block reads (models saved before CHARS read TEXT)."""
        return next(col for block, _, col in self._blocks if block == name)

    def _features(self, rows: np.ndarray) -> sp.csr_matrix:
        """Same result as the ColumnTransformer, without its per-call validation overhead
        (which costs more than the features themselves when scoring one comment).

        The hashing, most of the cost, is done once per word where it can be: the char
        block's counts come from each word's remembered n-gram columns (`CharGrams`), and
        a channel's copy of the word block, which reads the text again or "" for rows of
        other channels, reuses the word block's counts with those rows emptied.
        """
        with config_context(assume_finite=True, skip_parameter_validation=True):
            hashed_words = None
            parts = []
            for name, tr, col in self._blocks:
                if name == "char":
                    counts = self._char_grams.counts(rows[:, col])  # as tr's hash step gives them
                    parts.append(tr.named_steps["tfidf"].transform(counts))
                elif name in self._word_copies:
                    if hashed_words is None:
                        hashed_words = self._transformer("word").named_steps["hash"].transform(
                            rows[:, TEXT])
                    parts.append(tr.named_steps["tfidf"].transform(
                        _only_rows(hashed_words, rows[:, col] != "")))
                else:
                    parts.append(tr.transform(rows[:, col]))
        return sp.hstack(parts, format="csr")

    def _copies_of_words(self) -> set[str]:
        """The channel copies of the word block that hash exactly as it does (all models
        trained with channel copies; checked, so an older model file still scores right)."""
        if "word" not in self._named("word") or self._column("word") != TEXT:
            return set()
        params = self._transformer("word").named_steps["hash"].get_params()
        return {name for name in self._named("word") if name != "word"
                and self._transformer(name).named_steps["hash"].get_params() == params}

    def _per_channel(self, comments: Sequence[CommentInput], values: dict) -> np.ndarray:
        """Each comment's entry of a per-channel table (comments' entry if none)."""
        return np.array([values.get(channel_of(c), values[COMMENT]) for c in comments])

    def _calibrate(self, logits: np.ndarray, comments: Sequence[CommentInput]) -> np.ndarray:
        slope, intercept = self._per_channel(comments, self._calibrations).T
        return 1.0 / (1.0 + np.exp(-(slope * logits + intercept)))

    def thresholds(self, comments: Sequence[CommentInput]) -> np.ndarray:
        """Each comment's spam threshold: the one learned for its channel."""
        return self._per_channel(comments, self._spam_thresholds)

    def predict_proba(self, comments: Sequence[CommentInput]) -> np.ndarray:
        """Calibrated P(spam) for each comment; no reasons, so this is the fast batch path."""
        if not comments:
            return np.zeros(0)
        matrix = self._features(model_input(comments))
        return self._calibrate(matrix @ self._coef + self._bias, comments)

    def score(self, comments: Sequence[CommentInput]) -> list[Score]:
        """P(spam) with up to five human-readable reasons per comment."""
        if not comments:
            return []
        rows = model_input(comments)
        matrix = self._features(rows)
        probabilities = self._calibrate(matrix @ self._coef + self._bias, comments)
        weights = self._reason_weights(rows, matrix)
        return [Score(float(p), reasons.top(w, MAX_REASONS, toward_spam=p >= 0.5))
                for p, w in zip(probabilities, weights, strict=True)]

    def _reason_weights(self, rows: np.ndarray, matrix: sp.csr_matrix) -> reasons.Weights:
        """Each comment's labels and how far each pushed its logit (for `score` to pick from)."""
        readings = [reasons.read(self._word_grams.lowercase(text)) for text in rows[:, TEXT]]
        weights = reasons.new_weights(len(readings))
        # the shared weights and the channel's own add up: one pass over the words for both
        reasons.word_weights(readings, self._word_grams,
                             reasons.summed([self._block(matrix, name) for name in self._named("word")]),
                             self._hash, weights)
        reasons.char_weights(readings, rows[:, self._column("char")].tolist(), self._char_grams,
                             self._block(matrix, "char"), weights)
        reasons.piece_weights(readings, weights)
        for name in self._named("signal"):
            reasons.signal_weights(self._block(matrix, name), self._signal_names[name],
                                   SIGNAL_WORDS, weights)
        return weights

    def _block(self, matrix: sp.csr_matrix, name: str) -> reasons.Block:
        return reasons.contributions(matrix, self._coef, self._slices[name])

    def _hash(self, gram: str) -> int:
        """A word n-gram's hash, remembered: n-grams recur a lot."""
        found = self._hashes.get(gram)
        if found is None:
            if len(self._hashes) >= _HASH_CACHE_SIZE:
                self._hashes.clear()
            found = self._hashes[gram] = reasons.gram_hash(gram)
        return found


def _only_rows(matrix: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """``matrix`` with the rows not in ``keep`` emptied (no stored zeros: TF-IDF's sublinear
    log would turn a stored zero into -inf)."""
    if keep.all():
        return matrix
    counts = np.diff(matrix.indptr) * keep
    entries = np.repeat(keep, np.diff(matrix.indptr))
    return sp.csr_matrix((matrix.data[entries], matrix.indices[entries],
                          np.concatenate(([0], np.cumsum(counts)))), shape=matrix.shape)
