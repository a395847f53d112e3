"""The deployment files, checked without Docker: what they run must exist and be wired.

No Docker engine runs on CI, so these tests read compose.yaml and the Dockerfile and run
every modq command they name (with --help), and check the wiring the README promises.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from service.cli import main
from service.server import default_workers
from worker.heartbeat import HeartbeatWorker, heartbeat_path

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
MODQ_SERVICES = ("migrate", "web", "worker")
DOCKERFILE = (ROOT / "Dockerfile").read_text()
KNOWN_SETTINGS = {name for path in (ROOT / "service").glob("*.py")
                  for name in re.findall(r'"(MODQ_[A-Z_]+)"', path.read_text())}


def command_exists(argv: list[str]) -> bool:
    assert argv[0] == "modq"
    result = CliRunner().invoke(main, [*argv[1:], "--help"])
    return result.exit_code == 0 and "Usage:" in result.output


@pytest.mark.parametrize("name", MODQ_SERVICES)
def test_every_modq_service_runs_a_real_command(name):
    assert command_exists(SERVICES[name]["command"])


def test_the_dockerfile_runs_real_commands_as_a_non_root_user():
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M).group(1))
    assert command_exists(cmd)
    assert command_exists(["modq", "train"]) and "modq train --no-owner-labels" in DOCKERFILE
    assert re.search(r"^FROM python:3\.11-slim$", DOCKERFILE, re.M)
    assert re.search(r"^USER modq$", DOCKERFILE, re.M)
    assert "HEALTHCHECK" in DOCKERFILE and "/healthz" in DOCKERFILE


def test_the_worker_healthcheck_is_a_real_command_and_the_worker_scales():
    worker = SERVICES["worker"]
    test = worker["healthcheck"]["test"]
    assert test[0] == "CMD" and command_exists(test[1:])
    assert worker["deploy"]["replicas"] >= 2
    assert "ports" not in worker and "container_name" not in worker


def test_redis_persists_and_never_evicts():
    command = " ".join(SERVICES["redis"]["command"])
    assert "--appendonly yes" in command and "--maxmemory-policy noeviction" in command
    assert any(volume.endswith(":/data") for volume in SERVICES["redis"]["volumes"])


def test_database_and_models_live_on_volumes():
    assert {"db-data", "models", "redis-data"} <= set(COMPOSE["volumes"])
    assert "db-data:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    for name in MODQ_SERVICES:
        assert "models:/opt/modq/models" in SERVICES[name]["volumes"]
        assert SERVICES[name]["environment"]["MODQ_MODEL_DIR"] == "/opt/modq/models"


def test_web_and_workers_share_one_configuration_pointing_at_the_compose_services():
    env = SERVICES["web"]["environment"]
    assert env["MODQ_DATABASE_URL"].startswith("postgresql://modq:")
    assert env["MODQ_DATABASE_URL"].endswith("@db:5432/modq")
    assert env["MODQ_REDIS_URL"] == "redis://redis:6379/0"
    for name in MODQ_SERVICES:
        variables = set(SERVICES[name]["environment"])
        assert variables <= KNOWN_SETTINGS, variables - KNOWN_SETTINGS
        assert SERVICES[name]["environment"]["MODQ_SECRET_KEY"] == env["MODQ_SECRET_KEY"]


def test_web_and_workers_start_after_the_migration():
    for name in ("web", "worker"):
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert SERVICES["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_the_env_example_names_every_required_secret():
    required = set(re.findall(r"\$\{([A-Z_]+):\?", (ROOT / "compose.yaml").read_text()))
    example = dict(line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
                   if line and not line.startswith("#"))
    assert required == {"POSTGRES_PASSWORD", "MODQ_OWNER_TOKEN", "MODQ_SECRET_KEY"}
    assert required <= set(example)


def test_gunicorn_workers_follow_the_cores_with_a_cap():
    assert [default_workers(cores) for cores in (1, 2, 4, 16)] == [3, 5, 8, 8]


def test_the_worker_healthcheck_follows_the_heartbeat(settings, redis_conn, monkeypatch):
    monkeypatch.setenv("MODQ_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("MODQ_SECRET_KEY", "k")
    runner = CliRunner()
    assert runner.invoke(main, ["worker", "--healthcheck"]).exit_code == 1
    worker = HeartbeatWorker(["modq-test"], connection=redis_conn)
    worker.heartbeat_file = heartbeat_path(settings)
    worker.work(burst=True)
    fresh = runner.invoke(main, ["worker", "--healthcheck"])
    assert fresh.exit_code == 0, fresh.output
    an_hour_ago = time.time() - 3600
    os.utime(heartbeat_path(settings), (an_hour_ago, an_hour_ago))
    stale = runner.invoke(main, ["worker", "--healthcheck"])
    assert stale.exit_code == 1 and "heartbeat" in stale.output
