"""Running the app under gunicorn from Python, so ``modq serve`` is one process tree.

The configuration lives here, in code, rather than in a separate gunicorn file: workers
default to ``2 * cores + 1`` capped at 8 (gunicorn's own rule of thumb; the cap keeps a
big machine from loading the Akismet model into dozens of processes), each with 16
threads. Threads, because a submission mostly waits: on its commit's fsync and on
Redis. And many of them, because submissions only share a commit (one fsync for the
group, ``service.groupcommit``) with submissions of the same process: with 2 threads a
group held at most 2 comments and two workers managed ~0.2 of a bare Flask endpoint's
rate at 32 connections; with 16, groups average 5-7 comments. ``MODQ_WEB_WORKERS`` and
``MODQ_WEB_THREADS`` (or ``--workers`` / ``--threads``) override both.
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.config import KNOWN_SETTINGS
from gunicorn.glogging import Logger

MAX_DEFAULT_WORKERS = 8
DEFAULT_THREADS = 16
# gunicorn 25.1+ opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl):
# several `modq serve` on one host would take it from each other, and modq does not use it.
NO_CONTROL_SOCKET = ({"control_socket_disable": True}
                     if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS) else {})


def usable_cores() -> int:
    """The cores this process may run on (a container's cpuset), not the host's count."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_workers(cores: int | None = None) -> int:
    return min(2 * (cores or usable_cores()) + 1, MAX_DEFAULT_WORKERS)


class RootLogger(Logger):
    """gunicorn's own messages go through modq's handler (JSON, redacted), not gunicorn's."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for handler in list(self.error_log.handlers):
            self.error_log.removeHandler(handler)
        self.error_log.propagate = True


class GunicornServer(BaseApplication):
    """gunicorn with options given in code; each worker builds its own app (no preload),
    so database and Redis connections are never shared across a fork."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from service import create_app

        return create_app()


def connections_per_worker(threads: int) -> int:
    """How many connections one gthread worker holds: its threads and half as many again.

    gunicorn's default (1000) lets whichever worker wakes first take a whole burst of new
    connections: under `wrk`'s 32 keep-alive connections one modq worker was seen holding
    23 or all 32 while the other idled, one GIL doing the work of two, and the benchmark's
    ratio swung 0.35-0.79 from round to round with the split. With the cap a worker stops
    accepting at 24 (16 threads) and the other takes the rest; the half beyond the threads
    are keep-alive connections idling between requests (gthread keeps at most
    ``worker_connections - threads`` of them, so a cap equal to the threads would close
    every connection after one request). Paired runs, 8 each: modq +13% req/s at the
    median, the bare Flask app +1% (README Performance). Connections beyond the
    cap wait in the listen backlog, not refused.
    """
    return threads + threads // 2


def options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """gunicorn's settings for modq (the benchmarks run their baseline app with these too)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        **({"worker_connections": connections_per_worker(threads)} if threads > 1 else {}),
        "accesslog": None,  # modq logs each request itself, without the client address
        "logger_class": RootLogger,
        "timeout": 30,
        "graceful_timeout": 10,
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
        **NO_CONTROL_SOCKET,
    }


def serve(host: str, port: int, workers: int, threads: int) -> None:
    GunicornServer(options(host, port, workers, threads)).run()
