"""What the modq benchmarks share: a private Redis database, a scratch deployment, the machine.

Each benchmark runs real ``modq`` processes (started the way ``tests/processes.py`` starts
them) against a fresh SQLite file and a Redis database of its own, so it can run beside
the test suite without touching anyone's data. The default model is trained once into
``$MODQ_BENCH_MODEL_DIR`` (default: a directory under the system temp dir) and reused.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from processes import free_port, modq_env, start_modq, stop, wait_until  # noqa: E402
from service.settings import Settings  # noqa: E402

REDIS_SERVER = os.environ.get("MODQ_TEST_REDIS_SERVER", "redis://127.0.0.1:6379")
# A very high limit: the benchmarks measure the pipeline, not the abuse protection.
BENCH_RATE_LIMIT = "100000000 per minute"

__all__ = ["free_port", "modq_env", "start_modq", "stop", "wait_until"]


@contextmanager
def redis_database() -> Iterator[str]:
    """A Redis database (1-15) nobody else uses meanwhile, taken with the test suite's lock."""
    lock = Redis.from_url(f"{REDIS_SERVER}/0")
    for number in range(15, 0, -1):
        if lock.set(f"modq-test-lock:{number}", f"bench-{os.getpid()}", nx=True, ex=3600):
            url = f"{REDIS_SERVER}/{number}"
            Redis.from_url(url).flushdb()
            try:
                yield url
            finally:
                Redis.from_url(url).flushdb()
                lock.delete(f"modq-test-lock:{number}")
            return
    raise SystemExit("no free Redis database (1-15) for the benchmark")


def model_dir() -> Path:
    """The default model, trained on first use and kept for later runs."""
    from classifier import ModelStore, ensure_default_model

    path = Path(os.environ.get("MODQ_BENCH_MODEL_DIR")
                or Path(tempfile.gettempdir()) / "modq-bench-models")
    ensure_default_model(ModelStore(path), progress=lambda msg: print(msg, file=sys.stderr))
    return path


@contextmanager
def scratch_postgres(server_url: str) -> Iterator[str]:
    """A database of its own on the PostgreSQL server of ``server_url``, dropped afterwards."""
    from sqlalchemy import create_engine

    from service.settings import database_url_for

    server_url = database_url_for(server_url)
    name = f"modq_bench_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@contextmanager
def deployment(postgres_url: str | None = None) -> Iterator[tuple[Settings, dict[str, str]]]:
    """Settings and a process environment for a scratch modq: own Redis db, and a temp
    SQLite file, or a scratch database on the PostgreSQL server of ``postgres_url``."""
    with (tempfile.TemporaryDirectory(prefix="modq-bench-") as tmp, redis_database() as redis_url,
          scratch_postgres(postgres_url) if postgres_url else nullcontext(f"sqlite:///{tmp}/modq.sqlite3")
          as database_url):
        settings = Settings(
            var_dir=Path(tmp), database_url=database_url, redis_url=redis_url,
            owner_token="bench-owner-token", model_dir=model_dir(), secret_key="bench-secret",
            queue_name="modq-bench", rate_limit=BENCH_RATE_LIMIT,
        )
        env = modq_env(settings)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        yield settings, env


def machine() -> dict:
    """What the figures were measured on; the load average says whether it was shared."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"cpus": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "load_average_1m": round(os.getloadavg()[0], 2)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"p50_ms": statistics.median(ms), "p99_ms": percentile(ms, 0.99), "max_ms": max(ms)}


def peak_rss_mb(pid: int) -> float:
    """The peak resident memory of a running process (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def report(result: dict, table: list[tuple[str, str]], as_json: bool) -> None:
    """Print the figures: a two-column table for people, or JSON for machines."""
    if as_json:
        print(json.dumps(result, indent=1))
        return
    width = max(len(label) for label, _ in table)
    for label, value in table:
        print(f"{label:<{width}}  {value}")
