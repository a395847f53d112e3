"""The worker process: load the model, then run RQ jobs in-process, through Redis outages.

An ``rq.SimpleWorker`` runs jobs in this process, so the model loaded here before the
first job serves every job (a forking worker would pay for the fork on each one). RQ's
work loop gives up when Redis goes away at the wrong moment; a worker that exits then
would leave comments unscored until someone restarts it, so ``run_worker`` starts a new
RQ worker, with backoff, until it is asked to stop.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import StopRequested
from rq.serializers import JSONSerializer

from classifier import ModelStore, ensure_default_model
from service.queue import connect_redis, scoring_queue
from service.settings import Settings
from service.webhook import notify_queue_name
from worker import runtime
from worker.heartbeat import WORKER_TTL, HeartbeatWorker, heartbeat_path
from worker.sweeper import run_periodically, sweep

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 30.0


class ScoringWorker(HeartbeatWorker):
    """modq's in-process RQ worker, telling ``run_worker`` when a signal asked it to stop."""

    stopping: threading.Event

    def request_stop(self, signum, frame) -> None:
        self.stopping.set()
        super().request_stop(signum, frame)


def work_until_stopped(make_worker: Callable[[], ScoringWorker], stopping: threading.Event,
                       burst: bool = False) -> None:
    """Run RQ workers until a signal or (``burst``) an empty queue ends one cleanly.

    Redis errors, and RQ's loop quitting on its own, start a new worker after a pause
    that doubles up to ``MAX_BACKOFF_SECONDS`` and resets once a worker has run a while.
    """
    delay = 1.0
    while not stopping.is_set():
        started = time.monotonic()
        try:
            worker = make_worker()  # RQ talks to Redis already here
            worker.stopping = stopping
            if stopping.is_set():  # a signal came while the worker was being made
                return
            worker.work(burst=burst, with_scheduler=not burst, logging_level="WARNING")
            if burst or stopping.is_set():
                return
            log.warning("RQ worker stopped on its own (Redis unreachable?); starting another")
        except StopRequested:
            return
        except RedisError as exc:
            if burst:
                raise
            log.warning("lost Redis (%s); trying again in %.0f s", type(exc).__name__, delay)
        if time.monotonic() - started > 5 * MAX_BACKOFF_SECONDS:
            delay = 1.0  # it ran fine for a while: this is a new outage
        _pause(stopping, delay)
        delay = min(delay * 2, MAX_BACKOFF_SECONDS)


def _pause(stopping: threading.Event, seconds: float) -> None:
    """Sleep, waking at once for SIGTERM/SIGINT (no RQ worker is there to catch them now)."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    stopping.wait(seconds)


def run_worker(settings: Settings, burst: bool = False) -> None:
    """Serve the scoring queue until stopped (or, with ``burst``, until it is empty)."""
    ensure_default_model(ModelStore(settings.model_dir), progress=log.info)
    rt = runtime.Runtime.from_settings(settings)
    rt.model.current()  # load before the first job, not during it
    runtime.install(rt)
    redis = connect_redis(settings.redis_url)
    queue = scoring_queue(redis, settings.queue_name)
    stale_after = timedelta(seconds=settings.sweep_after_seconds)
    sweep(rt.engine, queue, stale_after)
    stopping = threading.Event()
    if not burst:
        run_periodically(rt.engine, queue, stale_after, min(settings.sweep_after_seconds, 30), stopping)
    try:
        # Scoring first: RQ takes jobs from the queues in order, so webhook notices
        # (service.webhook) never hold up a score.
        notices = Queue(notify_queue_name(settings), connection=redis, serializer=JSONSerializer)

        def make_worker() -> ScoringWorker:
            worker = ScoringWorker([queue, notices], connection=redis, serializer=JSONSerializer,
                                   worker_ttl=WORKER_TTL)
            worker.heartbeat_file = heartbeat_path(settings)
            return worker

        work_until_stopped(make_worker, stopping, burst=burst)
    finally:
        stopping.set()
