"""The owner's bearer token: one secret, compared in constant time."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps

from flask import request

from service.errors import error_response
from service.extensions import settings


def token_matches(given: str, expected: str) -> bool:
    """Constant-time comparison on bytes; any non-ASCII or empty token simply fails."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8"))


def bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def owner_required(view: Callable) -> Callable:
    """Answer 401 unless the request carries the owner's bearer token."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not token_matches(bearer_token(), settings().owner_token):
            response, status = error_response(401, "owner token required")
            response.headers["WWW-Authenticate"] = 'Bearer realm="modq"'
            return response, status
        return view(*args, **kwargs)

    return wrapped

