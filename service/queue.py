"""The scoring queue: RQ on Redis, holding comment ids only.

The web side enqueues by dotted name so it never imports scikit-learn. Redis is never
the only copy of anything: if it is down the comment is already committed, and the
sweeper (``worker.sweeper``) queues it again later.
"""

from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.serializers import JSONSerializer

SCORE_JOB = "worker.jobs.score_comment"
JOB_TIMEOUT_SECONDS = 60
FAILURE_TTL_SECONDS = 30 * 24 * 3600
RETRY = Retry(max=3, interval=[10, 60, 300])

log = logging.getLogger(__name__)


def connect_redis(url: str) -> Redis:
    """A Redis client that fails fast: a slow Redis must not stall a comment's 202."""
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=30)


def scoring_queue(redis: Redis, name: str) -> Queue:
    return Queue(name, connection=redis, serializer=JSONSerializer)


def enqueue_scoring(queue: Queue, comment_id: int) -> bool:
    """Queue one comment for scoring; False (never an exception) if Redis is unreachable."""
    try:
        queue.enqueue_call(
            SCORE_JOB,
            args=(comment_id,),
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
