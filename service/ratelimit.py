"""Who the client is, and how often it may post a comment.

The client address is the TCP peer unless ``MODQ_PROXY_COUNT`` says how many reverse
proxies of ours stand in front; only then are ``X-Forwarded-For`` and
``X-Forwarded-Proto`` read (by werkzeug's ``ProxyFix``, taking what our outermost proxy
saw), so a client cannot pick its own address by sending the header.

Submissions are limited per address in fixed windows aligned to the clock (``10 per
minute``: 12:00:00-12:00:59, ...). The counters live in Redis so every web process
shares them: one ``INCR`` of the window's own key per check, plus an ``EXPIRE`` on the
window's first hit, so a lost EXPIRE leaves a stray key but never blocks a later window.
While Redis fails they are kept in memory, so an outage never turns a comment into a
500. Flask-Limiter did this job with ``limits``' Lua script and about 0.5 ms of Python
per request deciding which limits apply; here only ``POST /api/v1/comments`` is limited,
by a hook on the submission blueprint, and a plain INCR costs the server less than a script.
``MODQ_RATE_LIMIT_STORAGE_URL`` may also name any other ``limits`` storage (``memory://``).
"""

from __future__ import annotations

import math
import threading
import time

from flask import Flask, request
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

    Every submission counts here, so each thread keeps a connection of its own: a
    client on a shared pool checks its connection out and back in and polls the socket
    for stray data on every command, which cost a busy threaded worker ~20-40 us of CPU
    per request. A gunicorn worker's threads live as long as it does, so this is at most
    one connection per thread.
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

    def hit(self, limit: RateLimitItem, client: str, now: float | None = None) -> bool:
        """Count one hit in the current window; whether it is within the limit."""
        window = limit.get_expiry()
        now = time.time() if now is None else now
        key = f"modq:rate:{limit.key_for('submit', client)}:{int(now // window)}"
        count = self.redis.incr(key)
        if count == 1:
            self.redis.expire(key, window + 1)
        return count <= limit.amount


class SubmissionLimits:
    """The configured limits per client address, counted in Redis (or memory while it fails)."""

    def __init__(self, limits: list[RateLimitItem], storage_uri: str) -> None:
        self.limits = limits
        self._redis = RedisWindows(storage_uri) if storage_uri.startswith(REDIS_SCHEMES) else None
        self._other = None if self._redis else FixedWindowRateLimiter(storage_from_string(storage_uri))
        self._local = FixedWindowRateLimiter(MemoryStorage())
        self._redis_failed_at: float | None = None

    def refused_by(self, client: str) -> RateLimitItem | None:
        """Count one submission from ``client``; the limit it exceeds, or None if allowed.

        As with Flask-Limiter, limits are checked in order and the first one exceeded
        ends the check (later limits are not counted for a refused submission).
        """
        for limit in self.limits:
            if not self._hit(limit, client):
                return limit
        return None

    def _hit(self, limit: RateLimitItem, client: str) -> bool:
        if self._other is not None:
            return self._other.hit(limit, "submit", client)
        failed = self._redis_failed_at
        if failed is not None and time.monotonic() - failed < RETRY_SHARED_AFTER_SECONDS:
            return self._local.hit(limit, "submit", client)
        try:
            allowed = self._redis.hit(limit, client)
        except RedisError:
            self._redis_failed_at = time.monotonic()
            return self._local.hit(limit, "submit", client)
        self._redis_failed_at = None
        return allowed


def _check(limits: SubmissionLimits):
    if request.method != "POST":
        return None
    limit = limits.refused_by(request.remote_addr or "")
    if limit is None:
        return None
    response, status = error_response(429, "too many comments from your address; try again later")
    response.headers["Retry-After"] = str(seconds_left(limit))
    return response, status


def init_app(app: Flask, settings: Settings) -> None:
    """Trust ``MODQ_PROXY_COUNT`` proxies and limit ``POST /api/v1/comments`` per client."""
    if settings.proxy_count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_count, x_proto=settings.proxy_count)
    if settings.rate_limit == "off":
        return
    limits = SubmissionLimits(parse_many(settings.rate_limit),
                              settings.rate_limit_storage_url or settings.redis_url)
    # A hook of the submission blueprint only (registered on the app, since the
    # blueprint is already registered): reading and the review API are never limited.
    app.before_request_funcs.setdefault("submit", []).append(lambda: _check(limits))
