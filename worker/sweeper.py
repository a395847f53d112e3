"""The outbox sweeper: queue again every comment that is still unscored.

Redis may have been down when a comment arrived, flushed, or restarted without
persistence; the database still says ``received``. Sweeping turns any of those into a
short delay instead of a lost comment.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from rq import Queue
from sqlalchemy import Engine

from service.queue import enqueue_scoring
from service.storage import mark_enqueued, unscored_ids

log = logging.getLogger(__name__)


def sweep(engine: Engine, queue: Queue, stale_after: timedelta) -> int:
    """Queue unscored comments whose job is missing or old; returns how many were queued."""
    queued = [cid for cid in unscored_ids(engine, stale_after) if enqueue_scoring(queue, cid)]
    mark_enqueued(engine, queued)
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
