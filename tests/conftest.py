"""Shared fixtures: real Redis, real SQLite and PostgreSQL, one trained model per session."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import create_engine

from service import create_app
from service.settings import Settings, database_url_for
from service.storage import metadata

REDIS_SERVER = os.environ.get("MODQ_TEST_REDIS_SERVER", "redis://127.0.0.1:6379")
POSTGRES_SERVER = database_url_for(
    os.environ.get("MODQ_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
)
OWNER_TOKEN = "test-owner-token-0123456789"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis database (1-15) of this test session's own, so parallel runs never collide."""
    lock_conn = Redis.from_url(f"{REDIS_SERVER}/0")
    for number in range(1, 16):
        if lock_conn.set(f"modq-test-lock:{number}", os.getpid(), nx=True, ex=3600):
            yield f"{REDIS_SERVER}/{number}"
            lock_conn.delete(f"modq-test-lock:{number}")
            return
    pytest.fail("no free Redis database for this test session (15 runs at once?)")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL database created for this test session and dropped after it."""
    name = f"modq_test_{os.getpid()}"
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    yield POSTGRES_SERVER.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> str:
    """Each test that stores comments runs on both databases modq supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'modq.sqlite3'}"
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()
    return url


@pytest.fixture
def redis_conn(redis_url: str):
    conn = Redis.from_url(redis_url)
    conn.flushdb()
    yield conn
    conn.flushdb()
    conn.close()


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """The default model, trained once for the whole session from the shipped corpora
    (the same one the classifier tests use: one training per session, not two)."""
    from classifier_fixtures import trained_store_dir

    return trained_store_dir(tmp_path_factory)


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_url: str, redis_conn) -> Settings:
    return Settings(
        var_dir=tmp_path,
        database_url=database_url,
        redis_url=redis_url,
        owner_token=OWNER_TOKEN,
        model_dir=tmp_path / "no-models",
        secret_key="test-secret-key",
        allowed_origins=("http://blog.example",),
        queue_name="modq-test",
        rate_limit="1000 per minute",  # the limit itself is tested in test_abuse.py
    )


@pytest.fixture
def scoring_settings(settings: Settings, model_dir: Path) -> Settings:
    """Settings whose model directory holds the session's trained model."""
    return replace(settings, model_dir=model_dir)


@pytest.fixture
def worker_runtime(scoring_settings: Settings):
    """A worker process's runtime (engine + live model), installed for job functions."""
    from worker import runtime

    rt = runtime.Runtime.from_settings(scoring_settings)
    runtime.install(rt)
    yield rt
    runtime.install(None)
    rt.engine.dispose()


@pytest.fixture
def app(settings: Settings):
    app = create_app(settings, {"TESTING": True})
    yield app
    app.extensions["modq.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def owner() -> dict[str, str]:
    return {"Authorization": f"Bearer {OWNER_TOKEN}"}


@pytest.fixture
def engine(app):
    return app.extensions["modq.engine"]


# Browser tests drive Debian's Chromium (never `playwright install`); see
# /work/shared/design/browser-testing.md. Chromium still tries Google hosts despite the
# flags, so every lookup except the local test servers fails fast.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, browser_name):
    if browser_name != "chromium":
        return browser_type_launch_args
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}
