"""``modq``: one command line for running, training and operating modq."""

from __future__ import annotations

import logging
import os
import sys

import click

from service.settings import Settings, SettingsError


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """modq: self-hosted comment moderation with a spam filter that explains itself."""
    logging.basicConfig(level=os.environ.get("MODQ_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="gunicorn worker processes.")
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Threads per worker (more than 1 uses gunicorn's gthread workers).")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Run the web service (submission, review and public APIs) under gunicorn."""
    from service.server import serve as run

    settings = load_settings()
    if not settings.owner_token:
        raise click.ClickException(
            "MODQ_OWNER_TOKEN is not set: the review API would be open to anyone. "
            "Set it to a long random secret (or use `modq up`, which generates one)."
        )
    run(host, port, workers, threads)


@main.command()
@click.option("--burst", is_flag=True, help="Score what is waiting, then exit.")
def worker(burst: bool) -> None:
    """Run a scoring worker: loads the live model once, then scores queued comments."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from worker.main import run_worker

    try:
        run_worker(load_settings(), burst=burst)
    except RedisConnectionError as exc:
        raise click.ClickException(f"cannot reach Redis at MODQ_REDIS_URL: {exc}") from None


def _register_commands() -> None:
    from service.commands import model, ops_status, purge, review, rules, up

    main.add_command(up.up)
    main.add_command(review.review)
    for command in (ops_status.status, ops_status.retry_failed, purge.purge, rules.rules):
        main.add_command(command)
    for command in (model.train, model.evaluate, model.models, model.rescore):
        main.add_command(command)


_register_commands()

if __name__ == "__main__":
    main()
