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

REDIS_URL = os.environ.get("MODQ_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
POSTGRES_URL = database_url_for(
    os.environ.get("MODQ_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
)
OWNER_TOKEN = "test-owner-token-0123456789"


def reset_postgres() -> str:
    engine = create_engine(POSTGRES_URL)
    metadata.drop_all(engine)
    engine.dispose()
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> str:
    """Each test that stores comments runs on both databases modq supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'modq.sqlite3'}"
    return reset_postgres()


@pytest.fixture
def redis_conn():
    conn = Redis.from_url(REDIS_URL)
    conn.flushdb()
    yield conn
    conn.flushdb()
    conn.close()


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """The default model, trained once for the whole session from the shipped corpora."""
    from classifier import ModelStore, ensure_default_model

    path = tmp_path_factory.mktemp("models")
    ensure_default_model(ModelStore(path))
    return path


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_conn) -> Settings:
    return Settings(
        var_dir=tmp_path,
        database_url=database_url,
        redis_url=REDIS_URL,
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
