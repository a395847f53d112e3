"""``modq``: one command line for running, training and operating modq."""

from __future__ import annotations

import os

import click
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import OperationalError as DatabaseError

from service.settings import Settings, SettingsError


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


class _ModqGroup(click.Group):
    """The ``modq`` group: what the operator must fix in the environment is one line.

    A bad ``MODQ_*`` value, or a database or Redis that does not answer, can surface deep
    inside any subcommand; a traceback there hides the one line that says what to fix, so
    every subcommand's such failure becomes ``Error: ...`` and exit 1, here, once.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from None
        except DatabaseError as exc:
            raise click.ClickException(
                f"cannot use the database at MODQ_DATABASE_URL: {_first_line(exc.orig or exc)}"
            ) from None
        except (RedisConnectionError, RedisTimeoutError) as exc:
            raise click.ClickException(f"cannot reach Redis at MODQ_REDIS_URL: {_first_line(exc)}") from None


@click.group(cls=_ModqGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """modq: self-hosted comment moderation with a spam filter that explains itself."""
    from service.logging_setup import configure

    configure(os.environ.get("MODQ_LOG_LEVEL", "INFO"))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", type=click.IntRange(1, 64),
              help="gunicorn worker processes [default: MODQ_WEB_WORKERS, else 2 * cores + 1, at most 8].")
@click.option("--threads", type=click.IntRange(1, 64),
              help="Threads per worker [default: MODQ_WEB_THREADS, else 16].")
def serve(host: str, port: int, workers: int | None, threads: int | None) -> None:
    """Run the web service (submission, review and public APIs) under gunicorn."""
    from service.server import DEFAULT_THREADS, default_workers
    from service.server import serve as run

    settings = load_settings()
    if not settings.owner_token:
        raise click.ClickException(
            "MODQ_OWNER_TOKEN is not set: the review API would be open to anyone. "
            "Set it to a long random secret (or use `modq up`, which generates one)."
        )
    run(host, port, workers or settings.web_workers or default_workers(),
        threads or settings.web_threads or DEFAULT_THREADS)


@main.command()
@click.option("--burst", is_flag=True, help="Score what is waiting, then exit.")
@click.option("--healthcheck", is_flag=True,
              help="Do not run: exit 0 if this machine's worker heartbeat is recent, else 1 "
                   "(the container HEALTHCHECK for workers).")
def worker(burst: bool, healthcheck: bool) -> None:
    """Run a scoring worker: loads the live model once, then scores queued comments."""
    if healthcheck:
        _worker_healthcheck()
        return
    from worker.main import run_worker

    run_worker(load_settings(), burst=burst)


def _worker_healthcheck() -> None:
    from worker.heartbeat import MAX_AGE_SECONDS, heartbeat_age, heartbeat_path

    age = heartbeat_age(heartbeat_path(load_settings()))
    if age is None or age > MAX_AGE_SECONDS:
        raise click.ClickException("no recent worker heartbeat" if age is None
                                   else f"last worker heartbeat {age:.0f} s ago")
    click.echo(f"worker heartbeat {age:.0f} s ago")


def _register_commands() -> None:
    from service.commands import db, model, ops_status, purge, review, rules, transfer, up

    main.add_command(up.up)
    main.add_command(review.review)
    main.add_command(db.db)
    main.add_command(transfer.export_comments)
    main.add_command(transfer.import_comments)
    for command in (ops_status.status, ops_status.retry_failed, purge.purge, rules.rules):
        main.add_command(command)
    for command in (model.train, model.evaluate, model.models, model.rescore):
        main.add_command(command)


_register_commands()

if __name__ == "__main__":
    main()
