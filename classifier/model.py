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

import numpy as np
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32

from .datasets import CommentInput
from .features import TEXT, model_input
from .text import SIGNAL_WORDS

MAX_REASONS = 5
_LONG_TOKEN = 20
_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")


@dataclass(frozen=True)
class Score:
    """A calibrated P(spam) and the features that pushed it up, strongest first."""

    spam_score: float
    reasons: list[str]


def _is_unsegmented(token: str) -> bool:
    """CJK/Thai-like scripts have no spaces, so a whitespace 'word' can be a sentence."""
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in token)


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

    def _transformer(self, name: str):
        return next(tr for block, tr, _ in self._blocks if block == name)

    def _column(self, name: str) -> int:
        """The model-input column a block reads (models saved before CHARS read TEXT)."""
        return next(col for block, _, col in self._blocks if block == name)

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
        return [
            Score(float(p), self._reasons(rows[i], matrix.getrow(i)))
            for i, p in enumerate(probabilities)
        ]

    def _contributions(self, row: sp.csr_matrix, block: str) -> dict[int, float]:
        """Column -> value * coefficient for the non-zero columns of one feature block."""
        part = self._slices[block]
        result = {}
        for column, value in zip(row.indices, row.data, strict=False):
            if part.start <= column < part.stop:
                result[int(column - part.start)] = float(value * self._coef[column])
        return result

    def _reasons(self, row_input: np.ndarray, row: sp.csr_matrix) -> list[str]:
        text = row_input[TEXT]
        weights: dict[str, float] = defaultdict(float)
        self._word_reasons(text, row, weights)
        self._char_reasons(text, row_input[self._column("char")], row, weights)
        for column, value in self._contributions(row, "signal").items():
            weights[SIGNAL_WORDS.get(self._signal_names[column], self._signal_names[column])] += value
        ranked = sorted(((w, r) for r, w in weights.items() if w > 0), reverse=True)
        return [reason for _, reason in ranked[:MAX_REASONS]]

    def _word_reasons(self, text: str, row: sp.csr_matrix, weights: dict[str, float]) -> None:
        """Word and two-word phrases, quoted: `"my channel"`."""
        word = self._transformer("word").named_steps["hash"]
        grams = set(word.build_analyzer()(text))
        self._spread(grams, self._contributions(row, "word"), word.n_features, weights,
                     lambda gram: [f'"{gram}"'])

    def _char_reasons(self, text: str, folded: str, row: sp.csr_matrix,
                      weights: dict[str, float]) -> None:
        """Char n-grams credited to the word they occur in; CJK runs show the n-gram itself.

        `folded` is the text the n-grams were taken from (digits as 0); it splits into the
        same words as `text`, whose original spelling is what the owner reads.
        """
        char = self._transformer("char").named_steps["hash"]
        owners: dict[str, list[str]] = defaultdict(list)
        for token, hashed in zip(text.split(), folded.split(), strict=True):
            readable = _EDGE_PUNCT.sub("", token) or token
            unsegmented = _is_unsegmented(token) or len(readable) > _LONG_TOKEN
            padded = f" {hashed} "
            for n in range(char.ngram_range[0], char.ngram_range[1] + 1):
                for i in range(len(padded) - n + 1):
                    gram = padded[i:i + n]
                    owners[gram].append(f'"{gram.strip()}"' if unsegmented else f'"{readable}"')
        self._spread(set(owners), self._contributions(row, "char"), char.n_features, weights,
                     lambda gram: owners[gram])

    @staticmethod
    def _spread(grams, contributions, n_features, weights, labels) -> None:
        """Share each hashed column's contribution among the n-grams (and owners) behind it."""
        by_column: dict[int, list[str]] = defaultdict(list)
        for gram in grams:
            by_column[abs(murmurhash3_32(gram, positive=False)) % n_features].append(gram)
        for column, value in contributions.items():
            shared = by_column.get(column, [])
            owners = [label for gram in shared for label in labels(gram)]
            for label in owners:
                weights[label] += value / len(owners)
