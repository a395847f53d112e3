"""RQ job functions. They take comment ids, never objects, and are safe to run twice.

``score_waiting`` is the job the web side queues: it scores every waiting comment, in
batches (one ``model.score`` call and one transaction each), because RQ's per-job
bookkeeping costs more than scoring a comment. ``score_comment`` scores one comment; the
sweeper queues it, so a comment that cannot be scored fails alone, in RQ's failed registry.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

from rq import get_current_job

from classifier import CommentInput
from service import webhook
from service.queue import pending_flag, request_scoring, scoring_queue
from service.storage import ScoreRecord, Status, get_comments, record_scores, waiting_comments
from worker import runtime

log = logging.getLogger(__name__)

BATCH_SIZE = 256
# Stop taking new batches after this long and leave the rest to a follow-up job, well
# inside the job timeout (service.queue.JOB_TIMEOUT_SECONDS).
DRAIN_BUDGET_SECONDS = 20.0


def page_address(post: str, site_origins: Sequence[str]) -> str:
    """The address of the page a comment is on, when the owner's configuration vouches for it.

    `post` comes from the client: an absolute URL counts only on one of the blog's own
    origins (`MODQ_ALLOWED_ORIGINS`), and a path (`/2026/11/async`) is placed on the first
    of them. Otherwise a spammer could name their own site as "this page" and have their
    link read as a reference.
    """
    if post.startswith("/") and not post.startswith("//"):
        return site_origins[0] + post if site_origins else ""
    parts = urlsplit(post)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    trusted = {site.lower() for site in site_origins}
    return post if parts.scheme in ("http", "https") and origin in trusted else ""


def score_records(rows: list[dict], live: runtime.LiveModel,
                  site_origins: Sequence[str] = ()) -> list[ScoreRecord]:
    """Score stored comments with the live model and decide review or spam for each."""
    if not rows:
        return []
    model = live.current()
    threshold = live.threshold(model)
    inputs = [CommentInput(body=r["body"], name=r["name"], email=r["email"], homepage=r["homepage"],
                           page=page_address(r["post"], site_origins)) for r in rows]
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
    return _record(rt, score_records(rows, rt.model, rt.settings.allowed_origins))


def score_waiting() -> int:
    """Score every comment still ``received``; returns how many this job changed.

    The "job queued" flag is cleared before the first read, so a comment committed after
    that read queues a new job instead of being missed.
    """
    rt = runtime.current()
    job = get_current_job()
    if job is not None:
        job.connection.delete(pending_flag(job.origin))
    changed, after_id = 0, 0
    deadline = time.monotonic() + DRAIN_BUDGET_SECONDS
    while rows := waiting_comments(rt.engine, after_id, BATCH_SIZE):
        changed += _record(rt, _score_batch(rows, rt.model, rt.settings.allowed_origins))
        after_id = rows[-1]["id"]
        if len(rows) < BATCH_SIZE:
            break  # anything committed since that read found the flag cleared and queued a job
        if time.monotonic() > deadline and job is not None:
            request_scoring(scoring_queue(job.connection, job.origin))  # the rest, in a new job
            break
    return changed


def _record(rt: runtime.Runtime, records: list[ScoreRecord]) -> int:
    """Write the scores; tell the owner's webhook about each comment that is now in review."""
    changed = set(record_scores(rt.engine, records))
    for record in records:
        if record.comment_id in changed and record.status is Status.REVIEW:
            webhook.notify_later(rt.settings, record.comment_id)
    return len(changed)


def _score_batch(rows: list[dict], live: runtime.LiveModel,
                 site_origins: Sequence[str]) -> list[ScoreRecord]:
    """Score a batch at once; if the model fails on it, score one by one and skip the
    comments it fails on (the sweeper gives each of those a job of its own later)."""
    try:
        return score_records(rows, live, site_origins)
    except Exception:
        if len(rows) == 1:
            log.exception("could not score comment %s; leaving it to the sweeper", rows[0]["id"])
            return []
    return [record for row in rows for record in _score_batch([row], live, site_origins)]
