"""A heartbeat file for the worker's container HEALTHCHECK: the worker answers no HTTP.

RQ already heartbeats into Redis; with ``worker_ttl=60`` it does so at least every 45 s
while idle and after every job. ``HeartbeatWorker`` also touches a file in the worker's
own ``MODQ_VAR_DIR`` then, and ``modq worker --healthcheck`` checks the file's age: a
worker stuck in a job, or one that lost Redis, stops touching it and turns unhealthy.
"""

from __future__ import annotations

import time
from pathlib import Path

from rq import SimpleWorker

from service.settings import Settings

WORKER_TTL = 60
MAX_AGE_SECONDS = 150  # the longest an idle wait (45 s) plus a job (60 s timeout) should take


def heartbeat_path(settings: Settings) -> Path:
    return settings.var_dir / "worker.heartbeat"


def heartbeat_age(path: Path) -> float | None:
    """Seconds since the last heartbeat, or None if there was none."""
    try:
        return max(0.0, time.time() - path.stat().st_mtime)
    except FileNotFoundError:
        return None


class HeartbeatWorker(SimpleWorker):
    """An in-process RQ worker that leaves a heartbeat file each time it heartbeats."""

    heartbeat_file: Path | None = None

    def heartbeat(self, *args, **kwargs) -> None:
        super().heartbeat(*args, **kwargs)
        if self.heartbeat_file is not None:
            self.heartbeat_file.parent.mkdir(parents=True, exist_ok=True)
            self.heartbeat_file.touch()
