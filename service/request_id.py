"""A request id on every request: taken from ``X-Request-ID`` or made up, and answered.

A reverse proxy that sets ``X-Request-ID`` lets one id follow a request through the
proxy's logs and modq's; otherwise modq makes one. Each request is logged once, as
method, path (never the query string, which can hold a searched email), status and
duration: no client address, as gunicorn's access log would write.
"""

from __future__ import annotations

import logging
import os
import re
import time

from flask import Flask, Response, g, request

HEADER = "X-Request-ID"
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:-]{1,128}")

log = logging.getLogger("modq.request")


def _begin() -> None:
    given = request.headers.get(HEADER, "")
    # 128 random bits as 32 hex digits, as uuid4().hex but without building a UUID
    g.request_id = given if _ACCEPTABLE.fullmatch(given) else os.urandom(16).hex()
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    if "request_id" not in g:  # an earlier before_request hook answered first
        _begin()
    response.headers[HEADER] = g.request_id
    if not log.isEnabledFor(logging.INFO):  # skip building the record's fields (~10 us)
        return response
    log.info("%s %s %s", request.method, request.path, response.status_code,
             extra={"method": request.method, "path": request.path, "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1)})
    return response


def init_app(app: Flask) -> None:
    app.before_request(_begin)
    app.after_request(_finish)
