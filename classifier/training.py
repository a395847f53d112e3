"""Training: cross-validate, calibrate, pick thresholds, fit, describe, gate.

Every trained model carries the evidence for trusting it (metadata): which data, which
library versions, how it did on videos and SMS groups it had not seen, and the
thresholds derived from those unseen-data scores.
"""

from __future__ import annotations

import hashlib
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import sklearn
import skops

from .crossval import (
    apply_calibration,
    assign_folds,
    domain_weights,
    fit_calibration,
    fit_signal_calibration,
    fit_weighted,
    out_of_fold_logits,
    review_threshold,
    spam_threshold,
)
from .datasets import CHANNELS, COMMENT, SMS, LabelledComment, shipped_corpora
from .evaluation import evaluate, metrics, reliability
from .features import SIGNALS, TEXT, build_pipeline, channel_of, model_input
from .model import SpamModel

Progress = Callable[[str], None] | None
# Extra rows a version trained on are recorded by this many hex digits of their hash
# (64 bits: no collisions in any owner's lifetime of decisions, 17 bytes a row in JSON).
ROW_HASH_CHARS = 16
# The chance of blocking a new ham each channel's spam threshold allows (issue 3's default;
# `modq train --blocked-ham-target` picks another).
DEFAULT_BLOCKED_HAM_TARGET = 0.005
# Channels whose calibration also re-weights the signal words (`fit_signal_calibration`).
# Not comments: leave-one-video-out it moved the videos by -0.015..+0.012 and the 2014
# PewDiePie pilot fell 0.738 -> 0.698 (bench/RESULTS-classifier.md, 2026-11-26 third pass).
SIGNAL_CALIBRATED = (SMS,)


@dataclass
class TrainedModel:
    """A fitted pipeline and its metadata: what `ModelStore.save` writes."""

    pipeline: object
    metadata: dict
    # Out-of-fold calibrated score and threshold of each training row (not saved): what
    # the gate judges the new model by on rows it trained on.
    oof_scores: np.ndarray | None = None
    oof_thresholds: np.ndarray | None = None


@dataclass(frozen=True)
class TrainOutcome:
    """Result of `train_and_store`: the new version and whether (and why) it went live."""

    version: str
    promoted: bool
    reason: str
    metadata: dict


def row_hash(example: LabelledComment) -> str:
    """sha256 of one labelled row (label, source and every field the model reads)."""
    return hashlib.sha256("\x1f".join(
        [str(example.label), example.source, example.body, example.name, example.email,
         example.homepage]
    ).encode("utf-8")).hexdigest()


def fingerprint(examples: Sequence[LabelledComment]) -> str:
    """sha256 over the sorted row hashes: same rows in any order -> same fingerprint."""
    rows = sorted(row_hash(e) for e in examples)
    return hashlib.sha256("\n".join(rows).encode("ascii")).hexdigest()


def _counts(examples: Sequence[LabelledComment]) -> dict:
    counts: dict[str, dict[str, int]] = {}
    for e in examples:
        entry = counts.setdefault(e.source or "unknown", {"spam": 0, "ham": 0})
        entry["spam" if e.label else "ham"] += 1
    return counts


def _cv_metrics(examples, scores, y, threshold: np.ndarray) -> dict:
    """Overall and per-group (per video, SMS, owner...) metrics of out-of-fold scores,
    each row judged at its channel's threshold."""
    sources = np.array([e.source for e in examples])
    groups = {g: metrics(y[sources == g], scores[sources == g], threshold[sources == g])
              for g in sorted(set(sources.tolist()))}
    return {"overall": metrics(y, scores, threshold), "groups": groups,
            "reliability": reliability(y, scores)}


def _versions() -> dict:
    return {"sklearn": sklearn.__version__, "skops": skops.__version__,
            "numpy": np.__version__, "python": platform.python_version()}


def _channel_calibration(channel: str, logits: np.ndarray, y: np.ndarray,
                         signals: np.ndarray) -> tuple[dict, np.ndarray]:
    """One channel's calibration and its rows' scores: Platt, plus signal offsets for the
    SIGNAL_CALIBRATED channels (unless the stacker came out inverted, which only tiny or
    odd data could do: folding the offsets divides by the slope)."""
    if channel in SIGNAL_CALIBRATED:
        calibration = fit_signal_calibration(logits, y, signals)
        if calibration["slope"] > 0:
            return calibration, apply_calibration(logits, calibration, signals)
    calibration = fit_calibration(logits, y)
    return calibration, apply_calibration(logits, calibration)


def fold_signal_offsets(pipeline, calibrations: dict[str, dict]) -> None:
    """Move each channel's signal offsets into the weights of its `signal:<channel>` copy.

    The offset of signal s is linear in a feature the model already has (the channel
    copy's 0/1 column for s, set only on that channel's rows), so adding offset/slope to
    that column's coefficient gives slope * logit + intercept = the stacked score
    exactly: scoring needs no extra step and reasons (coef * value) show the signal with
    its re-weighted contribution.
    """
    features, model = pipeline.named_steps["features"], pipeline.named_steps["model"]
    blocks = {name: transformer for name, transformer, _ in features.transformers_}
    for channel, calibration in calibrations.items():
        offsets = calibration.get("signal_offsets")
        if not offsets:
            continue
        name = f"signal:{channel}"
        start = features.output_indices_[name].start
        vocabulary = blocks[name].vocabulary_
        for token, offset in offsets.items():
            model.coef_[0, start + vocabulary[token]] += offset / calibration["slope"]


def _per_channel(logits: np.ndarray, y: np.ndarray, channels: np.ndarray, signals: np.ndarray,
                 target: float) -> tuple[dict, dict, np.ndarray, np.ndarray]:
    """Calibration and thresholds per channel, from that channel's out-of-fold scores.

    A comment threshold must keep *comment* ham under the target: pooled with ~4,800 SMS
    hams, the noisier video hams could exceed it several times over (Psy: 6% blocked at
    the pooled threshold, 1% at its channel's).  A channel without both classes falls
    back to the pooled calibration and threshold.  Returns the calibration and threshold
    metadata (top level = comments, `channels` = the others), each row's calibrated score
    and each row's threshold.
    """
    pooled = fit_calibration(logits, y)
    pooled_scores = apply_calibration(logits, pooled)
    pooled_threshold = spam_threshold(pooled_scores, y, target)
    scores, thresholds = pooled_scores.copy(), np.full(len(y), pooled_threshold)
    calibrations, spam, review = {}, {}, {}
    for channel in CHANNELS:
        rows = channels == channel
        if len(set(y[rows].tolist())) == 2:
            calibrations[channel], scores[rows] = _channel_calibration(
                channel, logits[rows], y[rows], signals[rows])
            thresholds[rows] = spam_threshold(scores[rows], y[rows], target)
        else:
            calibrations[channel] = pooled
            thresholds[rows] = pooled_threshold
        spam[channel] = float(thresholds[rows][0]) if rows.any() else pooled_threshold
        review[channel] = (review_threshold(scores[rows], y[rows], spam[channel]) if rows.any()
                           else spam[channel])
    calibration = {**calibrations[COMMENT], "channels": {
        c: calibrations[c] for c in CHANNELS if c != COMMENT}}
    threshold_meta = {"spam": spam[COMMENT], "review": review[COMMENT],
                      "blocked_ham_target": target, "channels": {
                          c: {"spam": spam[c], "review": review[c]} for c in CHANNELS if c != COMMENT}}
    return calibration, threshold_meta, scores, thresholds


def train(
    examples: Sequence[LabelledComment],
    progress: Progress = None,
    blocked_ham_target: float = DEFAULT_BLOCKED_HAM_TARGET,
) -> TrainedModel:
    """Fit the pipeline on all examples; calibration and thresholds from out-of-fold scores."""
    if len({e.label for e in examples}) < 2:
        raise ValueError("training needs both spam and ham examples")
    started = time.perf_counter()
    X = model_input(examples)
    y = np.array([e.label for e in examples], dtype=int)
    channels = np.array([channel_of(e) for e in examples])
    trained_channels = [c for c in CHANNELS if c in set(channels.tolist())]
    folds = assign_folds(examples, X[:, TEXT])
    weights = domain_weights(examples)
    logits = out_of_fold_logits(build_pipeline(trained_channels), X, y, folds, weights, progress)
    calibration, thresholds, scores, row_thresholds = _per_channel(
        logits, y, channels, X[:, SIGNALS], blocked_ham_target)
    if progress:
        progress("fitting the final model on all rows")
    pipeline = fit_weighted(build_pipeline(trained_channels), X, y, weights)
    fold_signal_offsets(pipeline, {COMMENT: calibration, **calibration["channels"]})
    metadata = {
        "data": {"fingerprint": fingerprint(examples), "rows": len(examples),
                 "counts": _counts(examples)},
        "libraries": _versions(),
        "calibration": calibration,
        "thresholds": thresholds,
        "metrics": {"protocol": "leave-one-video-out + hashed-text groups for other rows",
                    "folds": len(set(folds.tolist())),
                    **_cv_metrics(examples, scores, y, row_thresholds)},
        "training_seconds": round(time.perf_counter() - started, 3),
        "created": datetime.now(UTC).isoformat(timespec="microseconds"),
    }
    return TrainedModel(pipeline=pipeline, metadata=metadata, oof_scores=scores,
                        oof_thresholds=row_thresholds)


def extra_rows_seen_by(store, version: str | None) -> set[str] | None:
    """Hashes of the extra rows (owner labels, files) `version` trained on; None when no
    record exists (a version saved before they were recorded: assume it saw them all)."""
    if version is None:
        return set()
    recorded = store.metadata(version).get("data", {}).get("extra_rows")
    return None if recorded is None else set(recorded)


def _gate_scores(trained: TrainedModel, new_model: SpamModel, pilots, extra_index):
    """The new model's scores and thresholds on the gate rows: the pilots (never trained
    on) scored by the model itself, the gate's extra rows by their out-of-fold scores."""
    scores = np.concatenate([new_model.predict_proba(pilots), trained.oof_scores[extra_index]])
    thresholds = np.concatenate([new_model.thresholds(pilots),
                                 trained.oof_thresholds[extra_index]])
    return scores, thresholds


def _gate(store, live_version: str | None, gate_rows, validation: dict,
          force: bool) -> tuple[bool, str]:
    """Promote when the new model's MCC on the gate rows is at least the live model's."""
    if live_version is None:
        return True, "no live model yet"
    live = evaluate(store.load(live_version), gate_rows)
    verdict = f"validation MCC {validation['mcc']:.4f} vs live {live_version} {live['mcc']:.4f}"
    if validation["mcc"] >= live["mcc"]:
        return True, f"at least as good as live: {verdict}"
    if force:
        return True, f"forced although worse: {verdict}"
    return False, f"worse than live: {verdict}"


def train_and_store(store, extra: Sequence[LabelledComment] = (), promote: bool = True,
                    force: bool = False, progress: Progress = None,
                    blocked_ham_target: float = DEFAULT_BLOCKED_HAM_TARGET) -> TrainOutcome:
    """Train on the shipped corpora + every `extra` row, save as a new version, apply the gate.

    The gate judges the new and the live model on the same rows, honestly for both: the
    2014 pilot videos (no version ever trains on them) and the extra rows the live model
    never trained on, which the new model scores out of fold (a model that did not see
    the row's fold).  So every owner decision is learned from, none is held back for
    validation, and a decision still counts as unseen evidence for the first version
    that learns it.  Extra rows the live model trained on are left out of the gate: it
    would be judged on its own training data.
    """
    shipped = shipped_corpora(include_pilot=True)
    corpora = [e for e in shipped if not e.source.startswith("pilot:")]
    pilots = [e for e in shipped if e.source.startswith("pilot:")]
    trained = train(corpora + list(extra), progress=progress, blocked_ham_target=blocked_ham_target)
    hashes = [row_hash(e)[:ROW_HASH_CHARS] for e in extra]
    trained.metadata["data"]["extra_rows"] = sorted(set(hashes))
    live_version = store.live_version()
    seen = extra_rows_seen_by(store, live_version)
    unseen = [] if seen is None else [i for i, h in enumerate(hashes) if h not in seen]
    gate_extra = [extra[i] for i in unseen]
    gate_rows = pilots + gate_extra
    new_model = SpamModel(trained.pipeline, trained.metadata)
    scores, thresholds = _gate_scores(trained, new_model, pilots,
                                      np.array(unseen, dtype=int) + len(corpora))
    validation = metrics([e.label for e in gate_rows], scores, thresholds)
    trained.metadata["validation"] = {
        "set": (f"2014 pilot videos + {len(gate_extra)} extra label(s) the live model never "
                "trained on (new model: out-of-fold scores)"),
        "fingerprint": fingerprint(gate_rows), "unseen_extra_rows": len(gate_extra),
        **validation,
    }
    version = store.save(trained)
    if not promote:
        return TrainOutcome(version, False, "promotion not requested", trained.metadata)
    promoted, reason = _gate(store, live_version, gate_rows, validation, force)
    if promoted:
        store.promote(version)
    return TrainOutcome(version, promoted, reason, trained.metadata)


def ensure_default_model(store, progress: Progress = None) -> str:
    """Make sure a live model exists (first start): train on the shipped corpora if not."""
    live = store.live_version()
    if live is not None:
        return live
    return train_and_store(store, promote=True, force=True, progress=progress).version
