"""The SMS channel's calibration re-weights signal words, folded exactly into the model."""

import numpy as np
import pytest
from classifier_fixtures import tiny_examples

from classifier import LabelledComment, SpamModel
from classifier.crossval import (
    VIDEO_SHARE,
    apply_calibration,
    domain_weights,
    fit_calibration,
    fit_signal_calibration,
)
from classifier.features import SIGNALS, build_pipeline, model_input
from classifier.training import fold_signal_offsets


def _under_rated_spam(rng):
    """Out-of-fold-like logits where spam without signals scores far too low."""
    y = rng.integers(0, 2, 2000)
    plain = rng.random(2000) < 0.5
    logits = np.where(y == 1, 4.0, -4.0) + rng.normal(0, 1.5, 2000)
    logits[plain & (y == 1)] -= 6.0
    logits[plain & (y == 0)] -= 1.0
    signals = np.where(plain, "__no_signal__", "__phone__ __money__")
    return logits, y, signals


def test_signal_calibration_learns_what_the_logit_misses():
    logits, y, signals = _under_rated_spam(np.random.default_rng(0))
    stacked = fit_signal_calibration(logits, y, signals)
    assert stacked["method"] == "platt-oof+signals" and stacked["slope"] > 0
    offsets = stacked["signal_offsets"]
    assert set(offsets) == {"__no_signal__", "__phone__", "__money__"}
    assert offsets["__no_signal__"] > offsets["__phone__"] + 1.0
    plain = apply_calibration(logits, fit_calibration(logits, y))
    better = apply_calibration(logits, stacked, signals)

    def log_loss(p):
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    assert log_loss(better) < log_loss(plain) - 0.05
    with pytest.raises(ValueError, match="signals"):
        apply_calibration(logits, stacked)


def test_folded_offsets_give_the_stacked_score_on_that_channel_only():
    examples = tiny_examples() + [
        LabelledComment(body="Call 09061701461 now to claim £900", label=1, channel="sms"),
        LabelledComment(body="ok see you at home later", label=0, channel="sms"),
    ]
    X = model_input(examples)
    pipeline = build_pipeline(["comment", "sms"]).fit(X, [e.label for e in examples])
    before = pipeline.decision_function(X)
    calibration = {"slope": 2.0, "intercept": -0.5,
                   "signal_offsets": {"__phone__": 1.5, "__money__": -0.25, "__no_signal__": 0.75}}
    fold_signal_offsets(pipeline, {"comment": {"slope": 1.0, "intercept": 0.0},
                                   "sms": calibration})
    after = pipeline.decision_function(X)
    sms = np.array([e.channel == "sms" for e in examples])
    assert after[~sms] == pytest.approx(before[~sms])
    assert after[sms] == pytest.approx(before[sms] + np.array([1.25 / 2.0, 0.75 / 2.0]))
    stacked = apply_calibration(before[sms], calibration, X[sms, SIGNALS])
    model = SpamModel(pipeline, {"calibration": {"slope": 1.0, "intercept": 0.0, "channels": {
        "sms": {"slope": 2.0, "intercept": -0.5}}}})
    assert model.predict_proba([e for e in examples if e.channel == "sms"]) \
        == pytest.approx(stacked)


def test_the_owners_labels_weigh_like_the_video_comments_they_resemble():
    """Weights follow the channel, not the source: owner decisions and comment files are
    comments, so each counts like a video comment, not like an SMS text."""
    rows = ([LabelledComment(body=f"video {i}", label=i % 2, source="youtube:Youtube01-Psy")
             for i in range(4)]
            + [LabelledComment(body=f"owner {i}", label=i % 2, source="owner") for i in range(2)]
            + [LabelledComment(body=f"text {i}", label=i % 2, source="sms", channel="sms")
               for i in range(30)])
    weights = domain_weights(rows)
    video, owner, sms = weights[:4], weights[4:6], weights[6:]
    assert set(owner) == set(video) and set(sms) == {1.0}
    assert video.sum() + owner.sum() == pytest.approx(VIDEO_SHARE * sms.sum())
