"""The owner's webhook: a signed JSON POST when a comment enters the review queue.

Sent only for the review queue, never for comments the model put in the spam folder
(owners asked not to be woken up by spam). Delivery is its own RQ job on a separate
queue that workers serve after the scoring queue, with retries: a webhook that is down,
slow or answers 500 delays nothing and loses nothing; the comment is already scored and
stored, and the notice is retried 5 times over about 80 minutes before RQ gives up.

The body is signed like GitHub's webhooks: ``X-Modq-Signature: sha256=<hex HMAC-SHA256
of the raw body keyed with MODQ_WEBHOOK_SECRET>``. Receivers must compare it in
constant time. The payload never carries the commenter's email or IP.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from functools import cache

from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.serializers import JSONSerializer
from sqlalchemy import Engine

from service.db import make_engine
from service.queue import connect_redis
from service.settings import Settings
from service.storage import Status, get_comment
from service.views import owner_view

DELIVER_JOB = "service.webhook.deliver"
EVENT = "comment.review"
FIELDS = ("id", "post", "name", "homepage", "body", "spam_score", "reasons", "model_version",
          "created_at")
RETRY = Retry(max=5, interval=[10, 60, 300, 900, 3600])
TIMEOUT_SECONDS = 10

log = logging.getLogger(__name__)


class WebhookError(RuntimeError):
    """The receiver did not accept the notice; RQ retries the job."""


def notify_queue_name(settings: Settings) -> str:
    return f"{settings.queue_name}-notify"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def payload(row: dict) -> dict:
    view = owner_view(row)
    return {"event": EVENT, "comment": {name: view[name] for name in FIELDS}}


@cache
def _redis(url: str):
    return connect_redis(url)


def notify_later(settings: Settings, comment_id: int) -> bool:
    """Queue the notice for a comment now in review; never raises (scoring goes on)."""
    if not settings.webhook_url:
        return False
    queue = Queue(notify_queue_name(settings), connection=_redis(settings.redis_url),
                  serializer=JSONSerializer)
    try:
        queue.enqueue_call(DELIVER_JOB, args=(comment_id,), timeout=TIMEOUT_SECONDS * 3, retry=RETRY,
                           result_ttl=300, failure_ttl=7 * 24 * 3600,
                           description=f"webhook for comment {comment_id}")
    except RedisError as exc:
        log.warning("could not queue the webhook for comment %s (%s)", comment_id, type(exc).__name__)
        return False
    return True


def send(settings: Settings, engine: Engine, comment_id: int) -> bool:
    """POST the notice if the comment is still in review; False when there is nothing to say."""
    row = get_comment(engine, comment_id)
    if row is None or row["status"] != Status.REVIEW.value:
        return False
    body = json.dumps(payload(row), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(settings.webhook_url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "modq-webhook",
        "X-Modq-Event": EVENT,
        "X-Modq-Signature": signature(settings.webhook_secret, body),
    })
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        raise WebhookError(f"webhook unreachable: {type(exc).__name__}") from None
    if not 200 <= status < 300:
        raise WebhookError(f"webhook answered HTTP {status}")
    return True


@cache
def _engine(url: str) -> Engine:
    return make_engine(url)


def deliver(comment_id: int) -> bool:
    """The RQ job: settings from the worker's environment, one engine per process."""
    settings = Settings.from_env()
    return send(settings, _engine(settings.database_url), comment_id)
