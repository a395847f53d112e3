"""``modq status`` and ``modq retry-failed``: is scoring keeping up, and what failed.

The database says what is still unscored; Redis says what is queued, running, waiting
for a retry or failed for good. A job lands in the failed registry after all its
retries; the sweeper leaves it there (it would only fail again) until the owner has
fixed the cause and runs ``modq retry-failed``.
"""

from __future__ import annotations

import json
from datetime import datetime

import click
from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import InvalidJobOperation, NoSuchJobError

from service.listing import count_by_status
from service.queue import connect_redis, scoring_queue
from service.settings import Settings
from service.storage import Status, oldest_unscored_at, utcnow


def _settings() -> Settings:
    from service.cli import load_settings

    return load_settings()


def _queue(settings: Settings) -> Queue:
    return scoring_queue(connect_redis(settings.redis_url), settings.queue_name)


def age(since: datetime | None, now: datetime) -> str:
    """A short human age: ``42 s``, ``5 min``, ``3 h``, ``2 d``; ``-`` for nothing."""
    if since is None:
        return "-"
    seconds = max(0, int((now - since).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def queue_figures(queue: Queue) -> dict[str, int]:
    return {
        "queued jobs": queue.count,
        "running jobs": queue.started_job_registry.count,
        "retries scheduled": queue.scheduled_job_registry.count,
        "failed jobs": queue.failed_job_registry.count,
    }


def database_figures(settings: Settings) -> dict[str, object]:
    from service.db import make_engine
    from service.storage import init_db

    engine = make_engine(settings.database_url)
    init_db(engine)
    oldest = oldest_unscored_at(engine)
    return {
        "unscored comments": count_by_status(engine)[Status.RECEIVED.value],
        "oldest unscored comment": age(oldest, utcnow()),
        "oldest unscored seconds": int((utcnow() - oldest).total_seconds()) if oldest else None,
    }


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of lines.")
def status(as_json: bool) -> None:
    """Show the scoring backlog: unscored comments, the oldest one's age, queued and failed jobs.

    Exits 1 if Redis cannot be reached (the database figures are still shown).
    """
    settings = _settings()
    figures = database_figures(settings)
    try:
        figures.update(queue_figures(_queue(settings)))
        reachable = True
    except RedisError as exc:
        figures["redis"] = f"unreachable ({type(exc).__name__})"
        reachable = False
    if as_json:
        click.echo(json.dumps(figures))
    else:
        for key, value in figures.items():
            if key != "oldest unscored seconds":
                click.echo(f"{key}: {value}")
        if figures.get("failed jobs"):
            click.echo("(`modq retry-failed` queues the failed jobs again)")
    if not reachable:
        raise SystemExit(1)


@click.command("retry-failed")
def retry_failed() -> None:
    """Queue every failed scoring job again, once the cause of the failures is fixed."""
    settings = _settings()
    try:
        registry = _queue(settings).failed_job_registry
        retried = 0
        for job_id in registry.get_job_ids():
            try:
                registry.requeue(job_id)
                retried += 1
            except NoSuchJobError:  # expired: the sweeper queues its comment anew
                registry.remove(job_id)
            except InvalidJobOperation:  # someone else retried it a moment ago
                pass
    except RedisError as exc:
        raise click.ClickException(f"cannot reach Redis at MODQ_REDIS_URL: {type(exc).__name__}") from None
    click.echo(f"queued {retried} failed job(s) again")
