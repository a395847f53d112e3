"""RQ job functions. They take comment ids, never objects, and are safe to run twice."""

from __future__ import annotations

from classifier import CommentInput
from service import webhook
from service.storage import ScoreRecord, Status, get_comments, record_scores
from worker import runtime


def score_records(rows: list[dict], live: runtime.LiveModel) -> list[ScoreRecord]:
    """Score stored comments with the live model and decide review or spam for each."""
    if not rows:
        return []
    model = live.current()
    threshold = live.threshold(model)
    inputs = [CommentInput(body=r["body"], name=r["name"], email=r["email"],
                           homepage=r["homepage"]) for r in rows]
    return [
        ScoreRecord(
            comment_id=row["id"],
            spam_score=float(score.spam_score),
            reasons=list(score.reasons),
            model_version=model.version,
            status=Status.SPAM if score.spam_score >= threshold else Status.REVIEW,
        )
        for row, score in zip(rows, model.score(inputs), strict=True)
    ]


def score_comment(comment_id: int) -> int:
    """Score one received comment; returns 1 if it changed, 0 if it was already handled."""
    rt = runtime.current()
    rows = [r for r in get_comments(rt.engine, [comment_id]) if r["status"] == Status.RECEIVED.value]
    records = score_records(rows, rt.model)
    changed = record_scores(rt.engine, records)
    if changed and records[0].status is Status.REVIEW:
        webhook.notify_later(rt.settings, comment_id)
    return changed
