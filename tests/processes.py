"""Helpers for tests that run real ``modq`` processes (serve, worker) and talk HTTP to them."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def modq_env(settings, **extra: str) -> dict[str, str]:
    """The environment a real deployment would have, built from the test's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODQ_")}
    env.update(
        MODQ_VAR_DIR=str(settings.var_dir),
        MODQ_DATABASE_URL=settings.database_url,
        MODQ_REDIS_URL=settings.redis_url,
        MODQ_OWNER_TOKEN=settings.owner_token,
        MODQ_MODEL_DIR=str(settings.model_dir),
        MODQ_SECRET_KEY=settings.secret_key,
        MODQ_ALLOWED_ORIGINS=" ".join(settings.allowed_origins),
        MODQ_QUEUE=settings.queue_name,
        MODQ_RATE_LIMIT=settings.rate_limit,
        MODQ_LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def start_modq(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start ``modq ARGS`` in its own process group (so a test can kill the whole group)."""
    handle = open(log, "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "-m", "service.cli", *args], env=env,
                            stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until(check: Callable[[], object], timeout: float = 60, interval: float = 0.1):
    """Poll ``check`` until it returns something truthy; fail with a clear message if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s: {check}")


def http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None):
    """(status, headers, parsed JSON or raw bytes); never raises for HTTP errors."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, data, resp_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        status, data, resp_headers = exc.code, exc.read(), exc.headers
    except (urllib.error.URLError, ConnectionError):
        return None, {}, None
    try:
        return status, resp_headers, json.loads(data)
    except ValueError:
        return status, resp_headers, data


def start_redis(data_dir: Path, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """A private redis-server (no persistence) for a test that kills it; never the shared one."""
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", str(data_dir),
         "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, start_new_session=True)
    url = f"redis://127.0.0.1:{port}/0"

    def answers() -> bool:
        from redis import Redis
        from redis.exceptions import RedisError

        try:
            return bool(Redis.from_url(url, socket_connect_timeout=0.5).ping())
        except RedisError:
            return False

    wait_until(answers, timeout=15)
    return process, url
