"""Liveness and readiness for load balancers, orchestrators and the container HEALTHCHECK.

``/healthz`` says the process answers, nothing more, so a restart is never triggered by
a database outage the restart cannot fix. ``/readyz`` says this instance can do its job:
the database and Redis answer and a live model is on disk. Both are cheap: one
``SELECT 1``, one ``PING`` and two file lookups; the model is never loaded here (the web
side does not import scikit-learn to answer a probe).
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, current_app, jsonify
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from service.extensions import engine, settings

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def live_model_version(model_dir: Path) -> str | None:
    """The version the ``LIVE`` pointer names, if its model file is there (see classifier.store)."""
    try:
        version = (model_dir / "LIVE").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not version or "/" in version or not (model_dir / f"{version}.skops").is_file():
        return None
    return version


def _check_database() -> str:
    try:
        with engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("readiness: database unreachable (%s)", type(exc).__name__)
        return "unreachable"
    return "ok"


def _check_redis() -> str:
    try:
        current_app.extensions["modq.redis"].ping()
    except RedisError as exc:
        log.warning("readiness: redis unreachable (%s)", type(exc).__name__)
        return "unreachable"
    return "ok"


def _check_model() -> str:
    return "ok" if live_model_version(settings().model_dir) else "no live model in MODQ_MODEL_DIR"


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = {"database": _check_database(), "redis": _check_redis(), "model": _check_model()}
    ready = all(result == "ok" for result in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503
