"""The worker process: load the model, then run RQ jobs in-process.

An ``rq.SimpleWorker`` runs jobs in this process, so the model loaded here before the
first job serves every job (a forking worker would pay for the fork on each one).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from rq import Queue
from rq.serializers import JSONSerializer

from classifier import ModelStore, ensure_default_model
from service.queue import connect_redis, scoring_queue
from service.settings import Settings
from service.webhook import notify_queue_name
from worker import runtime
from worker.heartbeat import WORKER_TTL, HeartbeatWorker, heartbeat_path
from worker.sweeper import run_periodically, sweep

log = logging.getLogger(__name__)


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
    stop = threading.Event()
    if not burst:
        run_periodically(rt.engine, queue, stale_after, min(settings.sweep_after_seconds, 30), stop)
    try:
        # Scoring first: RQ takes jobs from the queues in order, so webhook notices
        # (service.webhook) never hold up a score.
        notices = Queue(notify_queue_name(settings), connection=redis, serializer=JSONSerializer)
        worker = HeartbeatWorker([queue, notices], connection=redis, serializer=JSONSerializer,
                                 worker_ttl=WORKER_TTL)
        worker.heartbeat_file = heartbeat_path(settings)
        worker.work(burst=burst, with_scheduler=not burst, logging_level="WARNING")
    finally:
        stop.set()
