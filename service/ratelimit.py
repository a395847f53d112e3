"""Who the client is, and how often it may post a comment.

The client address is the TCP peer unless ``MODQ_PROXY_COUNT`` says how many reverse
proxies of ours stand in front; only then are ``X-Forwarded-For`` and
``X-Forwarded-Proto`` read (by werkzeug's ``ProxyFix``, taking what our outermost proxy
saw), so a client cannot pick its own address by sending the header.

Submissions are limited per address in fixed windows aligned to the clock (``10 per
minute``: 12:00:00-12:00:59, ...). The counters live in Redis so every web process
shares them: an ``INCR`` of the window's own key per submission, plus an ``EXPIRE`` on the
window's first hit, so a lost EXPIRE leaves a stray key but never blocks a later window.
While Redis fails they are kept in memory, so an outage never turns a comment into a
500. Flask-Limiter did this job with ``limits``' Lua script and about 0.5 ms of Python
per request deciding which limits apply; here only ``POST /api/v1/comments`` is limited,
and a plain INCR costs the server less than a script. A valid submission is counted by
its commit group's leader, together with the rest of the group (one pipelined round trip,
``SubmissionLimits.refusals``); an invalid one is counted on its own before its error.
``MODQ_RATE_LIMIT_STORAGE_URL`` may also name any other ``limits`` storage (``memory://``).
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Sequence

from flask import Flask, current_app
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from redis import ConnectionPool, Redis
from redis.exceptions import RedisError
from werkzeug.middleware.proxy_fix import ProxyFix

from service.errors import error_response
from service.settings import Settings

# After Redis fails, count in memory for this long before trying Redis again, so a
# dead Redis costs one failed round trip every few seconds, not one per request.
RETRY_SHARED_AFTER_SECONDS = 5.0
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def seconds_left(limit: RateLimitItem, now: float | None = None) -> int:
    """Whole seconds until the current window of ``limit`` ends (at least 1)."""
    window = limit.get_expiry()
    now = time.time() if now is None else now
    return max(1, math.ceil(window - now % window))


class RedisWindows:
    """Clock-aligned fixed-window counters in Redis.

    Counts come from whichever thread leads a commit group (or answers an invalid
    submission), so each thread keeps a connection of its own: a client on a shared pool
    checks its connection out and back in and polls the socket for stray data on every
    command, which cost a busy threaded worker ~20-40 us of CPU per call. A gunicorn
    worker's threads live as long as it does, so this is at most one connection per thread.
    """

    def __init__(self, url: str) -> None:
        self._pool = ConnectionPool.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        self._clients = threading.local()

    @property
    def redis(self) -> Redis:
        """This thread's client (connecting it may raise ``RedisError``, as any command may)."""
        client = getattr(self._clients, "redis", None)
        if client is None:
            client = self._clients.redis = Redis(connection_pool=self._pool, single_connection_client=True)
        return client

    def hit_many(self, hits: Sequence[tuple[RateLimitItem, str]], now: float | None = None) -> list[bool]:
        """Count each (limit, client) hit in its current window, in order; whether each is
        within its limit. One round trip: an ``INCRBY`` per distinct key (pipelined when
        there are several), the hits of one key taking its last counts in turn."""
        now = time.time() if now is None else now
        keys = [f"modq:rate:{limit.key_for('submit', client)}:{int(now // limit.get_expiry())}"
                for limit, client in hits]
        per_key = Counter(keys)
        if len(per_key) == 1:
            [(key, n)] = per_key.items()
            totals = {key: self.redis.incrby(key, n)}
        else:
            with self.redis.pipeline(transaction=False) as pipe:
                for key, n in per_key.items():
                    pipe.incrby(key, n)
                totals = dict(zip(per_key, pipe.execute(), strict=True))
        seen: Counter[str] = Counter()
        allowed = []
        for key, (limit, _) in zip(keys, hits, strict=True):
            if totals[key] == per_key[key] and not seen[key]:  # these hits opened the window
                self.redis.expire(key, limit.get_expiry() + 1)
            seen[key] += 1
            allowed.append(totals[key] - per_key[key] + seen[key] <= limit.amount)
        return allowed


class SubmissionLimits:
    """The configured limits per client address, counted in Redis (or memory while it fails)."""

    def __init__(self, limits: list[RateLimitItem], storage_uri: str) -> None:
        self.limits = limits
        self._redis = RedisWindows(storage_uri) if storage_uri.startswith(REDIS_SCHEMES) else None
        self._other = None if self._redis else FixedWindowRateLimiter(storage_from_string(storage_uri))
        self._local = FixedWindowRateLimiter(MemoryStorage())
        self._redis_failed_at: float | None = None

    def refused_by(self, client: str) -> RateLimitItem | None:
        """Count one submission from ``client``; the first limit it exceeds, or None if allowed."""
        return self.refusals([client])[0]

    def refusals(self, clients: list[str]) -> list[RateLimitItem | None]:
        """Count one submission from each of ``clients`` (one client may appear several
        times: its submissions count in turn); for each, the first limit it exceeds, or
        None. Every limit counts every submission, refused or not, so a client that
        keeps posting past its per-minute limit also spends its daily one. In Redis the
        whole list costs one round trip: a submission group's leader passes all its
        clients at once (``service.groupcommit``'s ``admit``).
        """
        allowed = self._hit_many([(limit, client) for client in clients for limit in self.limits])
        n = len(self.limits)
        return [next((limit for limit, ok in zip(self.limits, allowed[i:i + n], strict=True) if not ok), None)
                for i in range(0, len(allowed), n)]

    def _hit_many(self, hits: list[tuple[RateLimitItem, str]]) -> list[bool]:
        if self._other is not None:
            return [self._other.hit(limit, "submit", client) for limit, client in hits]
        failed = self._redis_failed_at
        if failed is None or time.monotonic() - failed >= RETRY_SHARED_AFTER_SECONDS:
            try:
                allowed = self._redis.hit_many(hits)
            except RedisError:
                self._redis_failed_at = time.monotonic()
            else:
                self._redis_failed_at = None
                return allowed
        return [self._local.hit(limit, "submit", client) for limit, client in hits]


def submission_limits() -> SubmissionLimits | None:
    """This app's submission limits (None when ``MODQ_RATE_LIMIT=off``)."""
    return current_app.extensions.get("modq.submission_limits")


def too_many(limit: RateLimitItem):
    """The 429 answer for a submission over ``limit``, saying when to try again."""
    response, status = error_response(429, "too many comments from your address; try again later")
    response.headers["Retry-After"] = str(seconds_left(limit))
    return response, status


def init_app(app: Flask, settings: Settings) -> None:
    """Trust ``MODQ_PROXY_COUNT`` proxies and keep the limits ``POST /api/v1/comments``
    counts each submission against (``service.submit``)."""
    if settings.proxy_count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_count, x_proto=settings.proxy_count)
    if settings.rate_limit != "off":
        app.extensions["modq.submission_limits"] = SubmissionLimits(
            parse_many(settings.rate_limit), settings.rate_limit_storage_url or settings.redis_url)
