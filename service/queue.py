"""The scoring queue: RQ on Redis, holding comment ids only.

The web side enqueues by dotted name so it never imports scikit-learn. Redis is never
the only copy of anything: if it is down the comment is already committed, and the
sweeper (``worker.sweeper``) queues it again later.

RQ spends a few milliseconds of bookkeeping on every job, more than the model needs to
score a comment, so new comments share jobs: ``request_scoring`` queues a job that scores
*every* waiting comment, unless such a job is queued and has not started yet (a Redis
flag, set with ``SET NX`` and cleared by the job as it starts). A lone comment still gets
its job at once; in a burst most requests cost one ``SET`` instead of an enqueue.
The sweeper keeps queueing one job per comment (``enqueue_scoring``), so a comment that
cannot be scored fails on its own and shows up in RQ's failed registry.
"""

from __future__ import annotations

import logging
import re

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.job import Job
from rq.serializers import JSONSerializer

SCORE_JOB = "worker.jobs.score_comment"
SCORE_WAITING_JOB = "worker.jobs.score_waiting"
# How long the "a job is queued" flag may outlive a job that never ran (a lost enqueue,
# a flushed Redis): after that the next comment queues a new one.
PENDING_TTL_SECONDS = 30
JOB_TIMEOUT_SECONDS = 60
FAILURE_TTL_SECONDS = 30 * 24 * 3600
RETRY = Retry(max=3, interval=[10, 60, 300])

log = logging.getLogger(__name__)


def connect_redis(url: str) -> Redis:
    """A Redis client that fails fast: a slow Redis must not stall a comment's 202."""
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=30)


def scoring_queue(redis: Redis, name: str) -> Queue:
    return Queue(name, connection=redis, serializer=JSONSerializer)


def scoring_job_id(queue_name: str, comment_id: int) -> str:
    """One job id per comment, so the sweeper can ask Redis what became of a comment's job.

    Queueing a comment again reuses the id (RQ overwrites the old job), so a failed
    comment can always be scored again.
    """
    return f"{re.sub(r'[^A-Za-z0-9_-]', '_', queue_name)}-{comment_id}"


def job_statuses(queue: Queue, comment_ids: list[int]) -> dict[int, str | None]:
    """The RQ status of each comment's job (None when Redis holds no such job), in one round trip."""
    pipe = queue.connection.pipeline(transaction=False)
    for comment_id in comment_ids:
        pipe.hget(Job.key_for(scoring_job_id(queue.name, comment_id)), "status")
    found = pipe.execute()
    return {cid: raw.decode() if raw else None for cid, raw in zip(comment_ids, found, strict=True)}


def enqueue_scoring(queue: Queue, comment_id: int) -> bool:
    """Queue one comment for scoring; False (never an exception) if Redis is unreachable."""
    try:
        queue.enqueue_call(
            SCORE_JOB,
            args=(comment_id,),
            job_id=scoring_job_id(queue.name, comment_id),
            timeout=JOB_TIMEOUT_SECONDS,
            retry=RETRY,
            result_ttl=300,
            failure_ttl=FAILURE_TTL_SECONDS,
            description=f"score comment {comment_id}",
        )
    except RedisError as exc:
        log.warning("could not queue comment %s for scoring (%s); the sweeper will", comment_id,
                    type(exc).__name__)
        return False
    return True


def pending_flag(queue_name: str) -> str:
    """The Redis key that says a ``score_waiting`` job is queued and has not started."""
    return f"modq:scoring-pending:{queue_name}"


def request_scoring(queue: Queue) -> bool:
    """Make sure a job will score the comments committed so far; False if Redis is unreachable.

    Called after the comment is committed: either this call queues a job, or the flag
    shows one is queued that has not started, and it reads the waiting comments only
    once it has started, so it will find this one.
    """
    flag = pending_flag(queue.name)
    try:
        if not queue.connection.set(flag, 1, nx=True, ex=PENDING_TTL_SECONDS):
            return True
        queue.enqueue_call(
            SCORE_WAITING_JOB,
            timeout=JOB_TIMEOUT_SECONDS,
            retry=RETRY,
            result_ttl=300,
            failure_ttl=FAILURE_TTL_SECONDS,
            description="score waiting comments",
        )
    except RedisError as exc:
        log.warning("could not queue scoring (%s); the sweeper will", type(exc).__name__)
        _forget(queue, flag)
        return False
    return True


def _forget(queue: Queue, flag: str) -> None:
    """Drop a flag whose job may not exist, so the next comment tries again."""
    try:
        queue.connection.delete(flag)
    except RedisError:
        pass  # it expires on its own
