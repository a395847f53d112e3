"""Prometheus metrics at ``GET /metrics`` (owner token required), computed at scrape time.

Why from the database and Redis, not from counters in memory: modq runs as several
gunicorn processes plus any number of workers, each short-lived and restarted at will.
In-process counters would need prometheus_client's multiprocess mode (a shared
directory, cleanup of dead processes) in the web service and a scrape target per worker,
and would still miss what happened while a process was down. The database already
records every submission, verdict, decision and the time each comment took from 202 to
scored, so a few aggregate queries per scrape give numbers that are right across all
processes and restarts, and any web process can answer. The costs are one index-backed
count by status and one pass over scored comments for the latency histogram and
overrides: fine at a scrape every 15-60 s for a blog's volume.

Every metric is named ``modq_*``. Counts of comments in a state are gauges (comments
move between states); the latency histogram and ``modq_comments_received_total`` only
grow (a purge of old comments shows as a counter reset, which Prometheus handles).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, Response, current_app
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    InfoMetricFamily,
    Metric,
)
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.registry import FailedJobRegistry
from sqlalchemy import Engine, and_, case, func, select

from service.auth import owner_required
from service.extensions import engine, queue, settings
from service.health import live_model_version
from service.listing import count_by_status
from service.storage import Decision, Status, comments, oldest_unscored_at, utcnow

bp = Blueprint("metrics", __name__)

LATENCY_BUCKETS = (0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
SPAM_RATIO_WINDOW = timedelta(hours=24)
# An override is a decision that contradicts the model's verdict.
OVERRIDES = {
    "ham_judged_spam": and_(comments.c.verdict == Status.SPAM.value,
                            comments.c.decision.in_([Decision.APPROVE.value, Decision.HAM.value])),
    "spam_judged_ham": and_(comments.c.verdict == Status.REVIEW.value,
                            comments.c.decision == Decision.SPAM.value),
}


def _latency_seconds(dialect: str):
    """Seconds from 202 (created_at) to scored (scored_at), in each database's dialect."""
    if dialect == "postgresql":
        return func.extract("epoch", comments.c.scored_at - comments.c.created_at)
    return (func.julianday(comments.c.scored_at) - func.julianday(comments.c.created_at)) * 86400.0


def _sql_metrics(db: Engine) -> Iterator[Metric]:
    latency = _latency_seconds(db.dialect.name)
    scored = comments.c.scored_at.is_not(None)
    recent = and_(scored, comments.c.scored_at >= utcnow() - SPAM_RATIO_WINDOW)
    columns = [
        func.count(),
        func.sum(case((scored, 1), else_=0)),
        func.coalesce(func.sum(case((scored, latency), else_=0)), 0),
        *(func.sum(case((and_(scored, latency <= bound), 1), else_=0)) for bound in LATENCY_BUCKETS),
        *(func.sum(case((condition, 1), else_=0)) for condition in OVERRIDES.values()),
        func.sum(case((recent, 1), else_=0)),
        func.sum(case((and_(recent, comments.c.verdict == Status.SPAM.value), 1), else_=0)),
    ]
    with db.begin() as conn:
        row = [value or 0 for value in conn.execute(select(*columns)).one()]
    total, scored_count, latency_sum = row[0], row[1], float(row[2])
    buckets = row[3:3 + len(LATENCY_BUCKETS)]
    overrides = row[3 + len(LATENCY_BUCKETS):-2]
    recent_count, recent_spam = row[-2], row[-1]
    yield CounterMetricFamily("modq_comments_received", "Comments accepted (202) and stored.", total)
    yield HistogramMetricFamily(
        "modq_scoring_latency_seconds", "Time from a comment's 202 to its score being stored.",
        buckets=[*((str(b), c) for b, c in zip(LATENCY_BUCKETS, buckets, strict=True)),
                 ("+Inf", scored_count)],
        sum_value=latency_sum,
    )
    kinds = GaugeMetricFamily("modq_owner_overrides", "Owner decisions that contradict the model's "
                              "verdict.", labels=["kind"])
    for kind, count in zip(OVERRIDES, overrides, strict=True):
        kinds.add_metric([kind], count)
    yield kinds
    yield GaugeMetricFamily("modq_spam_ratio", "Share of comments scored in the last 24 h that the "
                            "model judged spam.", recent_spam / recent_count if recent_count else 0.0)


def _state_metrics(db: Engine) -> Iterator[Metric]:
    by_status = GaugeMetricFamily("modq_comments", "Stored comments by moderation status (the "
                                  "outcome of each submission so far).", labels=["status"])
    for status, count in count_by_status(db).items():
        by_status.add_metric([status], count)
    yield by_status
    oldest = oldest_unscored_at(db)
    age = (utcnow() - oldest).total_seconds() if oldest else 0.0
    yield GaugeMetricFamily("modq_oldest_unscored_age_seconds",
                            "Age of the oldest comment still waiting for a score (0: none).", max(age, 0.0))


def _queue_metrics(redis: Redis, scoring: Queue) -> Iterator[Metric]:
    try:
        depth = scoring.count
        failed = FailedJobRegistry(queue=scoring).count
    except RedisError:
        yield GaugeMetricFamily("modq_redis_up", "Whether Redis answered this scrape.", 0)
        return
    yield GaugeMetricFamily("modq_redis_up", "Whether Redis answered this scrape.", 1)
    yield GaugeMetricFamily("modq_queue_depth", "Scoring jobs waiting in the queue.", depth)
    yield GaugeMetricFamily("modq_queue_failed_jobs", "Jobs in RQ's failed registry.", failed)


def _model_metrics(model_dir: Path) -> Iterator[Metric]:
    version = live_model_version(model_dir)
    yield GaugeMetricFamily("modq_model_present", "Whether a live model is on disk.", int(bool(version)))
    if version:
        info = InfoMetricFamily("modq_model", "The live model version.")
        info.add_metric([], {"version": version})
        yield info


class ModqCollector:
    """Collects every ``modq_*`` metric in one pass, when Prometheus scrapes."""

    def __init__(self, db: Engine, redis: Redis, scoring: Queue, model_dir: Path) -> None:
        self.db, self.redis, self.scoring, self.model_dir = db, redis, scoring, model_dir

    def collect(self) -> Iterator[Metric]:
        yield from _state_metrics(self.db)
        yield from _sql_metrics(self.db)
        yield from _queue_metrics(self.redis, self.scoring)
        yield from _model_metrics(self.model_dir)


@bp.get("/metrics")
@owner_required
def metrics() -> Response:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ModqCollector(engine(), current_app.extensions["modq.redis"], queue(),
                                    settings().model_dir))
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
