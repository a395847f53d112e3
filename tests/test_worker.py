"""Scoring jobs and the sweeper, against real Redis and both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from service.queue import connect_redis, scoring_queue
from service.storage import Decision, NewComment, Status, add_comment, decide, get_comment, mark_unqueued
from worker import jobs, runtime
from worker.sweeper import sweep

SPAM = "CHECK OUT MY CHANNEL!!! subscribe to me http://free-money.example.com win $1000 now click here"
HAM = "I really liked the part about the migration, thanks for writing it up."


def add(engine, body: str) -> int:
    return add_comment(engine, NewComment(post="p", name="N", email="n@example.com", homepage="", body=body))


def test_a_job_scores_a_comment_and_records_score_reasons_and_version(worker_runtime):
    comment_id = add(worker_runtime.engine, SPAM)
    assert jobs.score_comment(comment_id) == 1
    row = get_comment(worker_runtime.engine, comment_id)
    assert row["status"] == Status.SPAM
    assert 0.5 < row["spam_score"] <= 1
    assert row["model_version"] == worker_runtime.model.current().version
    assert row["reasons"] and all(isinstance(r, str) for r in row["reasons"])


def test_an_ordinary_comment_goes_to_the_review_queue(worker_runtime):
    comment_id = add(worker_runtime.engine, HAM)
    jobs.score_comment(comment_id)
    row = get_comment(worker_runtime.engine, comment_id)
    assert row["status"] == Status.REVIEW and row["spam_score"] < 0.5


def test_running_the_same_job_twice_changes_the_comment_once(worker_runtime):
    comment_id = add(worker_runtime.engine, HAM)
    assert jobs.score_comment(comment_id) == 1
    first = get_comment(worker_runtime.engine, comment_id)
    assert jobs.score_comment(comment_id) == 0
    assert get_comment(worker_runtime.engine, comment_id)["scored_at"] == first["scored_at"]


def test_a_late_job_never_overrides_the_owner(worker_runtime):
    comment_id = add(worker_runtime.engine, SPAM)
    decide(worker_runtime.engine, comment_id, Decision.APPROVE)
    assert jobs.score_comment(comment_id) == 0
    assert get_comment(worker_runtime.engine, comment_id)["status"] == Status.APPROVED


def test_the_threshold_override_decides_the_folder(scoring_settings):
    from dataclasses import replace

    rt = runtime.Runtime.from_settings(replace(scoring_settings, spam_threshold=1.0))
    runtime.install(rt)
    try:
        comment_id = add(rt.engine, SPAM)
        jobs.score_comment(comment_id)
        assert get_comment(rt.engine, comment_id)["status"] == Status.REVIEW
    finally:
        runtime.install(None)


def test_an_rq_worker_drains_the_queue_with_json_jobs(app, client, worker_runtime, redis_conn):
    ids = [client.post("/api/v1/comments", json={"name": "A", "email": "a@example.com",
                                                 "body": body}).get_json()["id"] for body in (HAM, SPAM)]
    queue = scoring_queue(redis_conn, "modq-test")
    SimpleWorker([queue], connection=redis_conn, serializer=JSONSerializer).work(burst=True)
    statuses = [get_comment(worker_runtime.engine, cid)["status"] for cid in ids]
    assert statuses == [Status.REVIEW, Status.SPAM]


def test_the_sweeper_queues_comments_whose_job_never_made_it(worker_runtime, redis_conn):
    engine = worker_runtime.engine
    lost = add(engine, HAM)
    mark_unqueued(engine, lost)  # as if Redis was down at submission
    fresh = add(engine, HAM)      # queued a moment ago: not the sweeper's business yet
    queue = scoring_queue(redis_conn, "modq-test")
    assert sweep(engine, queue, timedelta(minutes=5)) == 1
    assert [list(job.args) for job in queue.get_jobs()] == [[lost]]
    assert sweep(engine, queue, timedelta(minutes=5)) == 0  # queued now, not again
    SimpleWorker([queue], connection=redis_conn, serializer=JSONSerializer).work(burst=True)
    assert get_comment(engine, lost)["status"] == Status.REVIEW
    assert get_comment(engine, fresh)["status"] == Status.RECEIVED


def test_after_redis_is_flushed_nothing_is_lost_and_everything_gets_scored(
    client, owner, worker_runtime, redis_conn
):
    ids = [client.post("/api/v1/comments", json={"name": "A", "email": "a@example.com",
                                                 "body": f"{HAM} {i}"}).get_json()["id"] for i in range(3)]
    redis_conn.flushdb()  # everything modq had in Redis is gone
    listed = client.get("/api/v1/review?status=received", headers=owner).get_json()
    assert sorted(item["id"] for item in listed["items"]) == ids
    queue = scoring_queue(redis_conn, "modq-test")
    assert sweep(worker_runtime.engine, queue, timedelta(0)) == 3
    SimpleWorker([queue], connection=redis_conn, serializer=JSONSerializer).work(burst=True)
    assert {get_comment(worker_runtime.engine, cid)["status"] for cid in ids} == {Status.REVIEW}
    assert client.post(f"/api/v1/review/{ids[0]}/approve", headers=owner).status_code == 200


def test_connect_redis_fails_fast_when_nothing_listens():
    from redis.exceptions import ConnectionError as RedisConnectionError

    with pytest.raises(RedisConnectionError):
        connect_redis("redis://127.0.0.1:1/0").ping()
