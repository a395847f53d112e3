"""Faults staged in-process: Redis unreachable, a job that keeps failing, and what the owner sees.

Faults that need real processes (a killed worker, a killed Redis, concurrent writers)
are in test_chaos.py.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from click.testing import CliRunner
from rq import SimpleWorker
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from service import create_app
from service.cli import main
from service.db import make_engine
from service.queue import pending_flag, scoring_job_id, scoring_queue
from service.storage import Status, get_comment
from worker import runtime
from worker.sweeper import sweep

COMMENT = {"name": "Aiko", "email": "aiko@example.jp", "body": "Thanks, this helped me fix our deploy."}


def test_with_redis_down_comments_are_stored_and_the_owner_can_review_and_approve(settings, owner):
    app = create_app(replace(settings, redis_url="redis://127.0.0.1:1/0"), {"TESTING": True})
    client = app.test_client()
    ids = [client.post("/api/v1/comments", json={**COMMENT, "body": f"comment {i}"}).get_json()["id"]
           for i in range(2)]
    listed = client.get("/api/v1/review?status=received", headers=owner).get_json()
    assert sorted(item["id"] for item in listed["items"]) == ids
    assert client.post(f"/api/v1/review/{ids[0]}/approve", headers=owner).get_json()["status"] == "approved"
    engine = app.extensions["modq.engine"]
    assert get_comment(engine, ids[1])["enqueued_at"] is None  # the sweeper's cue


@pytest.fixture
def cli(settings, monkeypatch):
    for key, value in {"MODQ_DATABASE_URL": settings.database_url, "MODQ_VAR_DIR": str(settings.var_dir),
                       "MODQ_REDIS_URL": settings.redis_url, "MODQ_QUEUE": settings.queue_name}.items():
        monkeypatch.setenv(key, value)
    return lambda *args: CliRunner().invoke(main, list(args))


def run_due_retries(queue) -> None:
    """What RQ's scheduler does when a retry falls due, without waiting 10, 60 and 300 s."""
    registry = queue.scheduled_job_registry
    for job_id in registry.get_job_ids():
        registry.remove(job_id)
        queue.enqueue_job(Job.fetch(job_id, connection=queue.connection, serializer=JSONSerializer))


def lose_shared_job(queue) -> None:
    """Drop the job new comments share (and its flag): from here on the sweeper's
    one-job-per-comment path is what scores the comment, or fails on it alone."""
    queue.empty()
    queue.connection.delete(pending_flag(queue.name))


def work(queue) -> None:
    SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)


def test_a_job_that_keeps_failing_is_left_for_the_owner_who_sees_it_and_retries_it(
    scoring_settings, client, engine, cli, tmp_path, redis_conn
):
    broken = runtime.Runtime.from_settings(scoring_settings)
    broken.engine = make_engine(f"sqlite:///{tmp_path / 'not-the-database.sqlite3'}")  # no tables
    runtime.install(broken)
    try:
        comment_id = client.post("/api/v1/comments", json=COMMENT).get_json()["id"]
        queue = scoring_queue(redis_conn, scoring_settings.queue_name)
        lose_shared_job(queue)
        assert sweep(engine, queue, timedelta(0)) == 1  # the comment gets a job of its own
        for _ in range(4):  # the first run and its three retries
            work(queue)
            run_due_retries(queue)
        assert queue.failed_job_registry.count == 1
        assert get_comment(engine, comment_id)["status"] == Status.RECEIVED
        assert sweep(engine, queue, timedelta(0)) == 0  # failing again every minute would help nobody

        shown = cli("status")
        assert shown.exit_code == 0, shown.output
        assert "unscored comments: 1" in shown.output and "failed jobs: 1" in shown.output
        assert "queued jobs: 0" in shown.output and "modq retry-failed" in shown.output
        figures = json.loads(cli("status", "--json").output)
        assert figures["oldest unscored seconds"] >= 0 and figures["failed jobs"] == 1

        runtime.install(runtime.Runtime.from_settings(scoring_settings))  # the cause is fixed
        assert "queued 1 failed job(s) again" in cli("retry-failed").output
        work(queue)
        assert get_comment(engine, comment_id)["status"] in (Status.REVIEW, Status.SPAM)
        assert "failed jobs: 0" in cli("status").output and "unscored comments: 0" in cli("status").output
    finally:
        runtime.install(None)


def test_status_says_when_redis_cannot_be_reached_and_still_counts_comments(cli, client, monkeypatch):
    client.post("/api/v1/comments", json=COMMENT)
    monkeypatch.setenv("MODQ_REDIS_URL", "redis://127.0.0.1:1/0")
    shown = cli("status")
    assert shown.exit_code == 1
    assert "unscored comments: 1" in shown.output and "redis: unreachable" in shown.output
    assert cli("retry-failed").exit_code == 1


def test_the_sweeper_requeues_a_job_its_worker_abandoned(settings, client, engine, redis_conn):
    """A job still "started" when its comment is stale belongs to a worker that died."""
    comment_id = client.post("/api/v1/comments", json=COMMENT).get_json()["id"]
    queue = scoring_queue(redis_conn, settings.queue_name)
    lose_shared_job(queue)
    assert sweep(engine, queue, timedelta(0)) == 1
    job = Job.fetch(scoring_job_id(queue.name, comment_id), connection=redis_conn, serializer=JSONSerializer)
    queue.remove(job)  # a worker took it off the queue and started it, then was SIGKILLed
    job.set_status(JobStatus.STARTED)
    assert sweep(engine, queue, timedelta(0)) == 1
    assert [j.args for j in queue.get_jobs()] == [[comment_id]]
