"""Who the client is, and how often it may post a comment.

The client address is the TCP peer unless ``MODQ_PROXY_COUNT`` says how many reverse
proxies of ours stand in front; only then are ``X-Forwarded-For`` and
``X-Forwarded-Proto`` read (by werkzeug's ``ProxyFix``, taking what our outermost proxy
saw), so a client cannot pick its own address by sending the header.

Submissions are limited per address with fixed-window counters from ``limits`` (one
Redis round trip per limit: an INCR that sets the expiry on first use), kept in Redis so
every web process shares them, and in memory while Redis fails, so an outage never
turns a comment into a 500. Flask-Limiter did the same job but spent about 0.5 ms of
Python per request deciding which limits apply; here only ``POST /api/v1/comments`` is
limited, so the check is a hook on the submission blueprint and nothing else.
"""

from __future__ import annotations

import time

from flask import Flask, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.middleware.proxy_fix import ProxyFix

from service.errors import error_response
from service.settings import Settings

# After Redis fails, count in memory for this long before trying Redis again, so a
# dead Redis costs one failed round trip every few seconds, not one per request.
RETRY_SHARED_AFTER_SECONDS = 5.0


class SubmissionLimits:
    """The configured limits per client address, counted in Redis (or memory while it fails)."""

    def __init__(self, limits: list[RateLimitItem], storage_uri: str) -> None:
        options = ({"socket_connect_timeout": 1, "socket_timeout": 1}
                   if storage_uri.startswith(("redis", "rediss")) else {})
        self.limits = limits
        self._shared = FixedWindowRateLimiter(storage_from_string(storage_uri, key_prefix="modq", **options))
        self._local = FixedWindowRateLimiter(MemoryStorage())
        self._shared_failed_at: float | None = None

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
        failed = self._shared_failed_at
        if failed is not None and time.monotonic() - failed < RETRY_SHARED_AFTER_SECONDS:
            return self._local.hit(limit, "submit", client)
        try:
            allowed = self._shared.hit(limit, "submit", client)
        except self._shared.storage.base_exceptions:
            self._shared_failed_at = time.monotonic()
            return self._local.hit(limit, "submit", client)
        self._shared_failed_at = None
        return allowed


def _check(limits: SubmissionLimits):
    if request.method != "POST":
        return None
    limit = limits.refused_by(request.remote_addr or "")
    if limit is None:
        return None
    response, status = error_response(429, "too many comments from your address; try again later")
    # An upper bound: the current window ends within one window length.
    response.headers["Retry-After"] = str(max(1, limit.get_expiry()))
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
