"""Shared scoring jobs: a burst of comments is scored in batches, each comment exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import SimpleWorker
from rq.job import Job
from rq.serializers import JSONSerializer

from service.queue import pending_flag, scoring_queue
from service.storage import Status, get_comment, get_comments
from worker import jobs
from worker.sweeper import sweep

BODIES = [
    "CHECK OUT MY CHANNEL!!! subscribe http://free-money.example.com win $1000 now",
    "I really liked the part about the migration, thanks for writing it up.",
    "Great video, greetings from Brazil",
    "FREE entry to win a prize! text WIN to 80086 now",
    "素敵な記事でした！続きを楽しみにしています。",
]


@pytest.fixture
def queue(redis_conn):
    return scoring_queue(redis_conn, "modq-test")


def submit(client, body: str, email: str = "a@example.com", post: str = "") -> int:
    response = client.post("/api/v1/comments",
                           json={"name": "A", "email": email, "body": body, "post": post})
    assert response.status_code == 202
    return response.get_json()["id"]


def drain(queue) -> int:
    """Run the queue's jobs in this process; returns the rows the finished jobs changed."""
    SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)
    finished = Job.fetch_many(queue.finished_job_registry.get_job_ids(), connection=queue.connection,
                              serializer=JSONSerializer)
    return sum(job.return_value() for job in finished)


def test_a_burst_shares_one_job_and_every_comment_is_scored_exactly_once(client, worker_runtime, queue):
    ids = [submit(client, f"{BODIES[i % len(BODIES)]} #{i}") for i in range(40)]
    assert len(queue.get_jobs()) == 1
    assert drain(queue) == 40
    rows = get_comments(worker_runtime.engine, ids)
    assert len(rows) == 40
    version = worker_runtime.model.current().version
    for row in rows:
        assert row["status"] in (Status.REVIEW, Status.SPAM)
        assert row["model_version"] == version and row["reasons"] is not None
        assert 0 <= row["spam_score"] <= 1
    assert jobs.score_waiting() == 0  # nothing left, nothing scored twice


def test_a_comment_after_the_job_started_gets_a_job_of_its_own(client, worker_runtime, queue):
    first = submit(client, BODIES[1])
    drain(queue)  # the job cleared the flag as it started
    later = submit(client, BODIES[2])
    assert [job.func_name for job in queue.get_jobs()] == ["worker.jobs.score_waiting"]
    drain(queue)
    assert {get_comment(worker_runtime.engine, cid)["status"] for cid in (first, later)} == {Status.REVIEW}


def test_batch_and_single_scoring_agree(client, worker_runtime, queue):
    batched = [submit(client, body) for body in BODIES]
    drain(queue)
    queue.connection.flushdb()
    single = []
    for body in BODIES:
        single.append(submit(client, body, "b@example.com"))  # not a duplicate of the first pass
        queue.connection.flushdb()  # no shared job: each is scored alone below
        assert jobs.score_comment(single[-1]) == 1
    by_id = {row["id"]: row for row in get_comments(worker_runtime.engine, batched + single)}
    for one, alone in zip(batched, single, strict=True):
        assert by_id[one]["spam_score"] == pytest.approx(by_id[alone]["spam_score"], abs=1e-9)
        assert by_id[one]["reasons"] == by_id[alone]["reasons"]
        assert by_id[one]["status"] == by_id[alone]["status"]


def test_the_worker_scores_a_link_to_the_blogs_own_pages_as_a_reference(
        client, worker_runtime, queue):
    body = "The benchmark table in https://blog.example/2026/11/async/#results answers it"
    own = submit(client, body, post="/2026/11/async")  # blog.example is the site's origin
    sibling = submit(client, body, "b@example.com", post="/2026/10/other")  # same blog
    elsewhere = submit(client, body.replace("blog.example", "elsewhere.example"),
                       "c@example.com", post="/2026/11/async")
    drain(queue)
    own_row, sibling_row, elsewhere_row = (get_comment(worker_runtime.engine, cid)
                                           for cid in (own, sibling, elsewhere))
    assert max(own_row["spam_score"], sibling_row["spam_score"]) < 0.5 \
        < elsewhere_row["spam_score"]
    assert "link to this page or site" in own_row["reasons"]
    assert "link to this page or site" in sibling_row["reasons"]
    assert "link to this page or site" not in elsewhere_row["reasons"]


def test_a_spammer_cannot_declare_their_own_site_the_page(client, worker_runtime, queue):
    body = "Cheap pills at http://pills.example/buy now"
    claimed = submit(client, body, post="http://pills.example/buy")
    drain(queue)
    row = get_comment(worker_runtime.engine, claimed)
    assert row["spam_score"] > 0.5 and "link to this page" not in row["reasons"]


@pytest.mark.parametrize("post, expected", [
    ("/2026/11/async", "http://blog.example/2026/11/async"),
    ("http://BLOG.example/2026/11/async", "http://BLOG.example/2026/11/async"),
    ("https://blog.example/x", ""),  # another scheme is another origin
    ("http://pills.example/buy", ""),
    ("//pills.example/buy", ""),
    ("post-42", ""),
])
def test_page_address_trusts_only_the_sites_own_origins(post, expected):
    assert jobs.page_address(post, ("http://blog.example",)) == expected
    assert jobs.page_address("/2026/11/async", ()) == ""


def test_after_a_redis_flush_the_sweeper_recovers_coalesced_comments(client, worker_runtime, queue):
    ids = [submit(client, f"{BODIES[1]} {i}") for i in range(5)]
    queue.connection.flushdb()  # the shared job and its flag are gone
    assert sweep(worker_runtime.engine, queue, timedelta(0)) == 5
    drain(queue)
    assert {get_comment(worker_runtime.engine, cid)["status"] for cid in ids} == {Status.REVIEW}


def test_a_flag_whose_job_was_lost_only_delays_scoring(client, worker_runtime, queue):
    queue.connection.set(pending_flag("modq-test"), 1)  # as if the enqueue after SET NX was lost
    comment_id = submit(client, BODIES[1])
    assert queue.get_jobs() == []
    assert sweep(worker_runtime.engine, queue, timedelta(0)) == 1
    drain(queue)
    assert get_comment(worker_runtime.engine, comment_id)["status"] == Status.REVIEW
