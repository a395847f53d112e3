import numpy as np
import pytest

from classifier import LabelledComment, evaluate


class FixedModel:
    """Stands in for SpamModel: returns given scores; thresholds per channel."""

    spam_threshold = 0.5

    def __init__(self, scores, channel_thresholds=None):
        self.scores = np.array(scores)
        self.channel_thresholds = channel_thresholds or {}

    def predict_proba(self, comments):
        return self.scores[: len(comments)]

    def thresholds(self, comments):
        return np.array([self.channel_thresholds.get(c.channel, self.spam_threshold)
                         for c in comments])


def test_metrics_on_a_hand_computed_example():
    labels = [1, 1, 0, 0, 1]
    examples = [LabelledComment(body=str(i), label=label) for i, label in enumerate(labels)]
    result = evaluate(FixedModel([0.9, 0.4, 0.6, 0.1, 0.8]), examples)
    assert result["confusion"] == {"tp": 2, "fp": 1, "tn": 1, "fn": 1}
    assert result["accuracy"] == pytest.approx(3 / 5)
    assert result["spam_caught"] == pytest.approx(2 / 3)
    assert result["blocked_ham"] == pytest.approx(1 / 2)
    assert result["f1"] == pytest.approx(2 / 3)
    assert result["mcc"] == pytest.approx(1 / 6)
    assert result["roc_auc"] == pytest.approx(5 / 6)
    assert result["n"] == 5 and result["threshold"] == 0.5


def test_threshold_override_and_single_class_set():
    examples = [LabelledComment(body="a", label=0), LabelledComment(body="b", label=0)]
    result = evaluate(FixedModel([0.7, 0.2]), examples, threshold=0.8)
    assert result["blocked_ham"] == 0.0 and result["roc_auc"] is None
    assert evaluate(FixedModel([0.7, 0.2]), examples)["blocked_ham"] == 0.5


def test_each_row_is_judged_at_its_channels_threshold():
    examples = [LabelledComment(body="a", label=0), LabelledComment(body="b", label=0, channel="sms")]
    result = evaluate(FixedModel([0.7, 0.7], {"sms": 0.8}), examples)
    assert result["confusion"]["fp"] == 1 and result["threshold"] == [0.5, 0.8]


def test_reliability_bins_count_scores_and_observed_spam_rate():
    from classifier.evaluation import reliability

    table = reliability([0, 1, 1, 0, 1], [0.05, 0.95, 0.92, 0.91, 1.0], bins=10)
    assert [row["n"] for row in table] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 4]
    assert table[0]["spam_rate"] == 0.0 and table[1]["mean_score"] is None
    assert table[9]["spam_rate"] == pytest.approx(3 / 4)
    assert table[9]["mean_score"] == pytest.approx((0.95 + 0.92 + 0.91 + 1.0) / 4)


def test_evaluating_nothing_is_an_error_not_zeros():
    with pytest.raises(ValueError, match="no labelled examples"):
        evaluate(FixedModel([]), [])
