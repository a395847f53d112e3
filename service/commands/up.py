"""``modq up``: everything on one machine with embedded defaults, in one command.

It makes sure there is an owner token, a Redis, a trained model and a database, then
runs ``modq serve`` and ``modq worker`` as child processes and stops them together.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import click
from redis.exceptions import RedisError

from service.queue import connect_redis
from service.settings import Settings

NO_REDIS_HELP = (
    "Redis does not answer at {url} and redis-server is not installed.\n"
    "Install it (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`), "
    "or point MODQ_REDIS_URL at a running Redis."
)


def redis_answers(url: str) -> bool:
    try:
        return bool(connect_redis(url).ping())
    except RedisError:
        return False


def start_local_redis(settings: Settings) -> subprocess.Popen | None:
    """Start a child redis-server for a localhost URL if none answers; None if one does."""
    if redis_answers(settings.redis_url):
        return None
    parts = urlsplit(settings.redis_url)
    if parts.hostname not in ("127.0.0.1", "localhost") or not shutil.which("redis-server"):
        raise click.ClickException(NO_REDIS_HELP.format(url=settings.redis_url))
    data_dir = (settings.var_dir / "redis").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    child = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(parts.port or 6379),
         "--dir", str(data_dir), "--appendonly", "yes", "--save", "",
         "--maxmemory-policy", "noeviction"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        if redis_answers(settings.redis_url):
            click.echo(f"started redis-server (data in {data_dir})")
            return child
        time.sleep(0.1)
    child.terminate()
    raise click.ClickException("redis-server was started but does not answer")


def _stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Web worker processes.")
def up(host: str, port: int, workers: int) -> None:
    """Run the web service and a scoring worker together, on embedded defaults.

    Uses SQLite under ./var/, trains the default model on first start, starts a local
    redis-server if none answers, and generates an owner token if MODQ_OWNER_TOKEN is unset.
    """
    from classifier import ModelStore, ensure_default_model
    from service.cli import load_settings
    from service.db import make_engine
    from service.storage import init_db

    settings = load_settings().with_generated_owner_token()
    children: list[subprocess.Popen] = []
    redis_child = start_local_redis(settings)
    if redis_child:
        children.append(redis_child)
    init_db(make_engine(settings.database_url))
    ensure_default_model(ModelStore(settings.model_dir), progress=click.echo)
    env = {**os.environ, "MODQ_OWNER_TOKEN": settings.owner_token,
           "MODQ_SECRET_KEY": settings.secret_key, "MODQ_VAR_DIR": str(settings.var_dir)}
    command = [sys.executable, "-m", "service.cli"]
    children.append(subprocess.Popen([*command, "worker"], env=env))
    children.append(subprocess.Popen(
        [*command, "serve", "--host", host, "--port", str(port), "--workers", str(workers)], env=env))
    click.echo(f"modq is up at http://{host}:{port}/  (Ctrl-C stops it)")
    click.echo(f"owner token: {settings.owner_token}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        raise click.ClickException("a modq process stopped unexpectedly; shutting down")
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        _stop(children[::-1])
