"""/healthz and /readyz: readiness names the dependency that is missing."""

from __future__ import annotations

from dataclasses import replace

from service import create_app
from service.db import make_engine


def test_healthz_answers_without_any_dependency(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_is_ready_with_database_redis_and_a_live_model(scoring_settings):
    app = create_app(scoring_settings)
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready",
                                   "checks": {"database": "ok", "redis": "ok", "model": "ok"}}


def test_readyz_is_503_without_a_live_model(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"] == "ok" and checks["redis"] == "ok"
    assert "MODQ_MODEL_DIR" in checks["model"]


def test_readyz_is_503_when_redis_does_not_answer(scoring_settings):
    app = create_app(replace(scoring_settings, redis_url="redis://127.0.0.1:1/0"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "redis": "unreachable", "model": "ok"}


def test_readyz_is_503_when_the_database_does_not_answer(scoring_settings):
    app = create_app(scoring_settings)
    app.extensions["modq.engine"] = make_engine("postgresql://postgres@127.0.0.1:1/modq")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == "unreachable"


def test_a_live_pointer_to_a_missing_file_is_not_ready(scoring_settings, tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "LIVE").write_text("20260101T000000-abcdef\n")
    app = create_app(replace(scoring_settings, model_dir=models))
    assert app.test_client().get("/readyz").status_code == 503
