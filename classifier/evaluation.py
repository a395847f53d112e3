"""Metrics the owner and the promotion gate read: spam caught, blocked ham, MCC...

`blocked_ham` (false-positive rate) is what a blog owner feels: a real comment held back.
MCC summarises both error kinds and stays honest when spam is rare.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import roc_auc_score

from .datasets import LabelledComment


def metrics(labels: Sequence[int], scores: Sequence[float],
            threshold: float | Sequence[float]) -> dict:
    """Accuracy, spam caught, blocked ham, F1, MCC, ROC AUC and the confusion counts.

    `threshold` is one value, or one per row (rows of different channels). Defined for
    degenerate sets too (one class only: AUC is None, ratios of 0/0 are 0), because an
    owner's first labels are often all ham.
    """
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=float)
    predicted = s >= threshold
    tp = int(np.sum(predicted & (y == 1)))
    fp = int(np.sum(predicted & (y == 0)))
    tn = int(np.sum(~predicted & (y == 0)))
    fn = int(np.sum(~predicted & (y == 1)))
    n = tp + fp + tn + fn
    denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return {
        "accuracy": (tp + tn) / n if n else 0.0,
        "spam_caught": tp / (tp + fn) if tp + fn else 0.0,
        "blocked_ham": fp / (fp + tn) if fp + tn else 0.0,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0,
        "mcc": (tp * tn - fp * fn) / denominator if denominator else 0.0,
        "roc_auc": float(roc_auc_score(y, s)) if 0 < y.sum() < n else None,
        "confusion": {"tp": tp, "fp": fp, "tn": tn, "fn": fn},
        "n": n,
        "threshold": _threshold_summary(threshold),
    }


def _threshold_summary(threshold: float | Sequence[float]) -> float | list[float]:
    """The threshold used, or the distinct per-channel thresholds when rows differ."""
    distinct = sorted({float(t) for t in np.ravel(threshold)})
    return distinct[0] if len(distinct) == 1 else distinct


def reliability(labels: Sequence[int], scores: Sequence[float], bins: int = 10) -> list[dict]:
    """Calibration check: per score bin, how many comments, mean score, observed spam rate.

    A calibrated model has `spam_rate` close to `mean_score` in every well-filled bin.
    """
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=float)
    index = np.minimum((s * bins).astype(int), bins - 1)
    table = []
    for b in range(bins):
        members = index == b
        count = int(members.sum())
        table.append({
            "bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}", "n": count,
            "mean_score": float(s[members].mean()) if count else None,
            "spam_rate": float(y[members].mean()) if count else None,
        })
    return table


def evaluate(model, examples: Sequence[LabelledComment], threshold: float | None = None) -> dict:
    """Score labelled examples with `model` at each one's channel threshold (or `threshold`).

    Refuses an empty set: every metric would read 0.0, which looks like a model's result.
    """
    if not examples:
        raise ValueError("no labelled examples to evaluate")
    scores = model.predict_proba(examples)
    thresholds = model.thresholds(examples) if threshold is None else threshold
    return metrics([e.label for e in examples], scores, thresholds)
