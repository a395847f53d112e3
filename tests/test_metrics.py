"""/metrics: Prometheus text computed from the database, Redis and the model directory."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from service import create_app
from service.storage import Decision, decide
from worker import jobs, runtime

SPAM = "CHECK OUT MY CHANNEL!!! subscribe to me http://free-money.example.com win $1000 now click here"
HAM = "I really liked the part about the migration, thanks for writing it up."


@pytest.fixture
def scored_app(scoring_settings, redis_conn):
    app = create_app(scoring_settings, {"TESTING": True})
    rt = runtime.Runtime.from_settings(scoring_settings)
    runtime.install(rt)
    yield app, rt
    runtime.install(None)
    rt.engine.dispose()
    app.extensions["modq.engine"].dispose()


def samples(text: str) -> dict[tuple, float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_need_the_owner_token(client):
    assert client.get("/metrics").status_code == 401


def test_metrics_count_outcomes_latency_overrides_queue_and_model(scored_app, owner):
    app, rt = scored_app
    client = app.test_client()
    ids = [client.post("/api/v1/comments", json={"name": "A", "email": "a@example.com", "body": body})
           .get_json()["id"] for body in (HAM, SPAM, "Still waiting for its score.")]
    for comment_id in ids[:2]:
        jobs.score_comment(comment_id)
    decide(rt.engine, ids[0], Decision.SPAM)      # the model said review: an override
    decide(rt.engine, ids[1], Decision.APPROVE)   # the model said spam: an override

    response = client.get("/metrics", headers=owner)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    found = samples(response.get_data(as_text=True))
    assert found[("modq_comments", (("status", "spam"),))] == 1
    assert found[("modq_comments", (("status", "approved"),))] == 1
    assert found[("modq_comments", (("status", "received"),))] == 1
    assert found[("modq_comments_received_total", ())] == 3
    assert found[("modq_scoring_latency_seconds_count", ())] == 2
    assert found[("modq_scoring_latency_seconds_bucket", (("le", "+Inf"),))] == 2
    assert 0 <= found[("modq_scoring_latency_seconds_sum", ())] < 60
    assert found[("modq_owner_overrides", (("kind", "ham_judged_spam"),))] == 1
    assert found[("modq_owner_overrides", (("kind", "spam_judged_ham"),))] == 1
    assert found[("modq_spam_ratio", ())] == 0.5
    assert found[("modq_queue_depth", ())] == 3  # the jobs the submissions queued
    assert found[("modq_redis_up", ())] == 1
    assert found[("modq_oldest_unscored_age_seconds", ())] >= 0
    version = rt.model.current().version
    assert found[("modq_model_info", (("version", version),))] == 1
    assert all(name.startswith("modq_") for name, _ in found)


def test_metrics_still_answer_when_redis_is_down(scoring_settings, owner):
    from dataclasses import replace

    app = create_app(replace(scoring_settings, redis_url="redis://127.0.0.1:1/0"))
    found = samples(app.test_client().get("/metrics", headers=owner).get_data(as_text=True))
    assert found[("modq_redis_up", ())] == 0
    assert ("modq_queue_depth", ()) not in found
