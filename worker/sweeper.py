"""The outbox sweeper: queue again every comment that is still unscored.

Redis may have been down when a comment arrived, flushed, or restarted without
persistence; the database still says ``received``. Sweeping turns any of those into a
short delay instead of a lost comment.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from redis.exceptions import RedisError
from rq import Queue
from rq.job import JobStatus
from sqlalchemy import Engine

from service.queue import enqueue_scoring, job_statuses
from service.storage import mark_enqueued, unscored_ids

log = logging.getLogger(__name__)


# A job in these states is not lost: RQ's scheduler runs a retry soon, or it failed every
# retry and waits for the owner (``modq status``, ``modq retry-failed``), instead of
# failing again every few minutes for ever.
LEFT_ALONE = frozenset({JobStatus.SCHEDULED.value, JobStatus.FAILED.value})


def sweep(engine: Engine, queue: Queue, stale_after: timedelta) -> int:
    """Queue unscored comments whose job is missing or stuck; returns how many were queued.

    A job still "started" after ``stale_after`` is queued again too: its worker was
    probably killed mid-job, and scoring twice changes a comment once.
    """
    ids = unscored_ids(engine, stale_after)
    if not ids:
        return 0
    try:
        statuses = job_statuses(queue, ids)
    except RedisError as exc:
        log.warning("sweeper cannot reach Redis (%s); will try again", type(exc).__name__)
        return 0
    queued = [cid for cid in ids if statuses[cid] not in LEFT_ALONE and enqueue_scoring(queue, cid)]
    # Comments left alone are marked too, so they rotate out of the next sweep's batch.
    mark_enqueued(engine, queued + [cid for cid in ids if statuses[cid] in LEFT_ALONE])
    if queued:
        log.info("sweeper queued %d unscored comment(s)", len(queued))
    return len(queued)


def run_periodically(engine: Engine, queue: Queue, stale_after: timedelta,
                     interval: float, stop: threading.Event) -> threading.Thread:
    """Sweep every ``interval`` seconds in a daemon thread until ``stop`` is set."""

    def loop() -> None:
        while not stop.wait(interval):
            try:
                sweep(engine, queue, stale_after)
            except Exception:  # the sweeper must outlive a database or Redis hiccup
                log.exception("sweep failed; will try again")

    thread = threading.Thread(target=loop, name="modq-sweeper", daemon=True)
    thread.start()
    return thread
