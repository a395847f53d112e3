"""The loaded, ready-to-score model: calibrated spam probability plus reasons.

`SpamModel` wraps a fitted pipeline (library types only) and its metadata.  Probabilities
are calibrated with a Platt scaling fitted on out-of-fold predictions of other videos /
other SMS groups (stored in metadata), because a model's scores on its own training data
are over-confident.  Reasons are exact for a linear model: feature value * coefficient.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32

from .datasets import CommentInput
from .features import TEXT, model_input
from .text import SIGNAL_WORDS

MAX_REASONS = 5
_LONG_TOKEN = 20
_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")
_HASH_CACHE_SIZE = 200_000  # word n-gram hashes kept for reasons (a few tens of MB at most)


@dataclass(frozen=True)
class Score:
    """A calibrated P(spam) and the features that pushed it up, strongest first."""

    spam_score: float
    reasons: list[str]


def _is_unsegmented(token: str) -> bool:
    """CJK/Thai-like scripts have no spaces, so a whitespace 'word' can be a sentence."""
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in token)


def _gram_hash(gram: str) -> int:
    """What the hashing vectorisers compute for an n-gram (before ``% n_features``)."""
    return abs(murmurhash3_32(gram, positive=False))


def _shares(hashes: np.ndarray, n_features: int, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each n-gram occurrence's share of its hashed column's contribution.

    Hashing can put several n-grams in one column; its contribution is split evenly among
    all the occurrences behind it. ``columns`` must be sorted.
    """
    occupied, which, counts = np.unique(hashes % n_features, return_inverse=True, return_counts=True)
    if not len(columns):
        return np.zeros(len(hashes))
    at = np.minimum(np.searchsorted(columns, occupied), len(columns) - 1)
    per_column = np.where(columns[at] == occupied, values[at] / counts, 0.0)
    return per_column[which]


@dataclass(frozen=True)
class _TokenGrams:
    """A token's padded char n-grams: their hashes, and the reason label for them (one
    label for a whole word; per n-gram ``labels`` for CJK runs and very long tokens)."""

    hashes: np.ndarray
    label: str | None
    labels: tuple[str, ...] = ()


@lru_cache(maxsize=65_536)
def _char_grams(token: str, low: int, high: int) -> _TokenGrams:
    """Cached: words recur across comments, and hashing their n-grams is most of the cost."""
    readable = _EDGE_PUNCT.sub("", token) or token
    unsegmented = _is_unsegmented(token) or len(readable) > _LONG_TOKEN
    padded = f" {token} "
    grams = [padded[i:i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)]
    hashes = np.fromiter((_gram_hash(gram) for gram in grams), dtype=np.int64, count=len(grams))
    if unsegmented:
        return _TokenGrams(hashes, None, tuple(f'"{gram.strip()}"' for gram in grams))
    return _TokenGrams(hashes, f'"{readable}"')


class SpamModel:
    """A fitted pipeline + metadata; `score` for reasons, `predict_proba` for speed."""

    def __init__(self, pipeline, metadata: dict, version: str | None = None) -> None:
        self.pipeline = pipeline
        self.metadata = metadata
        self.version = version or metadata.get("version", "unsaved")
        self.spam_threshold = float(metadata.get("thresholds", {}).get("spam", 0.5))
        calibration = metadata.get("calibration", {})
        self._slope = float(calibration.get("slope", 1.0))
        self._intercept = float(calibration.get("intercept", 0.0))
        features = pipeline.named_steps["features"]
        self._blocks = [(name, tr, col) for name, tr, col in features.transformers_
                        if name != "remainder" and tr != "drop"]
        self._slices = features.output_indices_
        classifier = pipeline.named_steps["model"]
        self._coef = np.asarray(classifier.coef_, dtype=np.float64).ravel()
        self._bias = float(np.ravel(classifier.intercept_)[0])
        self._signal_names = self._transformer("signal").get_feature_names_out()
        self._word_analyzer = None
        self._hashes: dict[str, int] = {}

    def _transformer(self, name: str):
        return next(tr for block, tr, _ in self._blocks if block == name)

    def _features(self, rows: np.ndarray) -> sp.csr_matrix:
        """Same result as the ColumnTransformer, without its per-call validation overhead."""
        parts = [tr.transform(rows[:, col]) for _, tr, col in self._blocks]
        return sp.hstack(parts, format="csr")

    def _calibrate(self, logits: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self._slope * logits + self._intercept)))

    def predict_proba(self, comments: Sequence[CommentInput]) -> np.ndarray:
        """Calibrated P(spam) for each comment; no reasons, so this is the fast batch path."""
        if not comments:
            return np.zeros(0)
        matrix = self._features(model_input(comments))
        return self._calibrate(matrix @ self._coef + self._bias)

    def score(self, comments: Sequence[CommentInput]) -> list[Score]:
        """P(spam) with up to five human-readable reasons per comment."""
        if not comments:
            return []
        rows = model_input(comments)
        matrix = self._features(rows)
        probabilities = self._calibrate(matrix @ self._coef + self._bias)
        # value * coefficient for every non-zero feature of the batch, in one numpy pass
        contributions = matrix.data * self._coef[matrix.indices]
        bounds = matrix.indptr
        return [
            Score(float(p), self._reasons(rows[i], matrix.indices[bounds[i]:bounds[i + 1]],
                                          contributions[bounds[i]:bounds[i + 1]]))
            for i, p in enumerate(probabilities)
        ]

    def _contributions(self, columns: np.ndarray, values: np.ndarray, block: str) -> tuple[np.ndarray, ...]:
        """One row's non-zero columns in one feature block (sorted, block-relative) and their
        value * coefficient."""
        part = self._slices[block]
        inside = (columns >= part.start) & (columns < part.stop)
        order = np.argsort(columns[inside], kind="stable")
        return columns[inside][order] - part.start, values[inside][order]

    def _reasons(self, row_input: np.ndarray, columns: np.ndarray, values: np.ndarray) -> list[str]:
        text = row_input[TEXT]
        weights: dict[str, float] = defaultdict(float)
        self._word_reasons(text, self._contributions(columns, values, "word"), weights)
        self._char_reasons(text, self._contributions(columns, values, "char"), weights)
        for column, value in zip(*self._contributions(columns, values, "signal"), strict=True):
            name = self._signal_names[column]
            weights[SIGNAL_WORDS.get(name, name)] += float(value)
        ranked = sorted(((w, r) for r, w in weights.items() if w > 0), reverse=True)
        return [reason for _, reason in ranked[:MAX_REASONS]]

    def _word_reasons(self, text: str, contributions: tuple[np.ndarray, ...],
                      weights: dict[str, float]) -> None:
        """Word and two-word phrases, quoted: `"my channel"`."""
        word = self._transformer("word").named_steps["hash"]
        if self._word_analyzer is None:
            self._word_analyzer = word.build_analyzer()
        grams = list(set(self._word_analyzer(text)))
        hashes = np.fromiter((self._hash(gram) for gram in grams), dtype=np.int64, count=len(grams))
        for gram, share in zip(grams, _shares(hashes, word.n_features, *contributions).tolist(), strict=True):
            if share:
                weights[f'"{gram}"'] += share

    def _char_reasons(self, text: str, contributions: tuple[np.ndarray, ...],
                      weights: dict[str, float]) -> None:
        """Char n-grams credited to the word they occur in; CJK runs show the n-gram itself."""
        char = self._transformer("char").named_steps["hash"]
        tokens = [_char_grams(token, *char.ngram_range) for token in text.split()]
        if not tokens:
            return
        shares = _shares(np.concatenate([t.hashes for t in tokens]), char.n_features, *contributions)
        start = 0
        for token in tokens:
            end = start + len(token.hashes)
            if token.label is not None:
                weights[token.label] += float(shares[start:end].sum())
            else:
                for label, share in zip(token.labels, shares[start:end].tolist(), strict=True):
                    weights[label] += share
            start = end

    def _hash(self, gram: str) -> int:
        """The n-gram's hash as the vectoriser computes it, remembered: n-grams recur a lot."""
        found = self._hashes.get(gram)
        if found is None:
            if len(self._hashes) >= _HASH_CACHE_SIZE:
                self._hashes.clear()
            found = self._hashes[gram] = _gram_hash(gram)
        return found
