"""The app's connections to the outside: the SQL engine and the scoring queue.

Both are created once per app (per gunicorn worker) and kept in ``app.extensions``, so
request code reaches them through ``engine()`` and ``queue()`` without globals.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from rq import Queue
from sqlalchemy import Engine

from service.db import make_engine
from service.queue import connect_redis, request_scoring, scoring_queue
from service.settings import Settings
from service.storage import init_db


def init_app(app: Flask, settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    init_db(engine)
    redis = connect_redis(settings.redis_url)
    app.extensions["modq.engine"] = engine
    app.extensions["modq.redis"] = redis
    app.extensions["modq.queue"] = scoring_queue(redis, settings.queue_name)

    def trigger() -> bool:
        return request_scoring(app.extensions["modq.queue"])

    # One object per app: submissions in one commit group that pass it share one call.
    app.extensions["modq.scoring_trigger"] = trigger


def engine() -> Engine:
    return current_app.extensions["modq.engine"]


def queue() -> Queue:
    return current_app.extensions["modq.queue"]


def scoring_trigger() -> Callable[[], bool]:
    """``request_scoring`` on this app's queue, as the one object group commits share."""
    return current_app.extensions["modq.scoring_trigger"]


def settings() -> Settings:
    return current_app.config["MODQ_SETTINGS"]
