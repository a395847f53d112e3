"""Who the client is, and how often it may post a comment.

The client address is the TCP peer unless ``MODQ_PROXY_COUNT`` says how many reverse
proxies of ours stand in front; only then are ``X-Forwarded-For`` and
``X-Forwarded-Proto`` read (by werkzeug's ``ProxyFix``, taking what our outermost proxy
saw), so a client cannot pick its own address by sending the header. Submissions are limited per address with
Flask-Limiter; counters live in Redis so every web process shares them, and in memory
while Redis is down, so an outage never turns a comment into a 500.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from service.errors import error_response
from service.settings import Settings


def _too_many(exc: RateLimitExceeded):
    response, status = error_response(429, "too many comments from your address; try again later")
    # An upper bound: the current window ends within one window length.
    response.headers["Retry-After"] = str(max(1, exc.limit.limit.get_expiry()))
    return response, status


def init_app(app: Flask, settings: Settings) -> None:
    """Trust ``MODQ_PROXY_COUNT`` proxies and limit ``POST /api/v1/comments`` per client."""
    if settings.proxy_count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_count, x_proto=settings.proxy_count)
    if settings.rate_limit == "off":
        return
    storage = settings.rate_limit_storage_url or settings.redis_url
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=storage,
        # Fail fast to the in-memory fallback rather than hold a comment up on a sick Redis.
        storage_options={"socket_connect_timeout": 1, "socket_timeout": 1}
        if storage.startswith(("redis", "rediss")) else {},
        strategy="fixed-window",
        in_memory_fallback_enabled=True,
        key_prefix="modq",
    )
    limiter.limit(settings.rate_limit, methods=["POST"])(app.blueprints["submit"])
    app.register_error_handler(RateLimitExceeded, _too_many)
