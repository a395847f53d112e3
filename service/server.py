"""Running the app under gunicorn from Python, so ``modq serve`` is one process tree."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


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


def options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """gunicorn's settings for modq (the benchmarks run their baseline app with these too)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "accesslog": None,
        "timeout": 30,
        "graceful_timeout": 10,
    }


def serve(host: str, port: int, workers: int, threads: int) -> None:
    GunicornServer(options(host, port, workers, threads)).run()
