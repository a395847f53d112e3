"""Chaos against real processes: a worker killed mid-job, Redis killed and restarted, many writers.

Invariant in every test: each comment answered 202 is stored, ends up scored, and no
request ever gets a 5xx.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import replace

import psycopg
from redis import Redis
from rq import Worker

from processes import free_port, http, modq_env, start_modq, start_redis, stop, wait_until
from service.db import make_engine
from service.listing import count_by_status
from service.queue import enqueue_scoring, scoring_job_id, scoring_queue
from service.storage import NewComment, Status, add_comment, get_comment, init_db

OWNER = {"Authorization": "Bearer test-owner-token-0123456789"}
JSON = {"Content-Type": "application/json"}
OUTAGE_SECONDS = 3


@contextmanager
def write_lock_on(database_url: str, comment_id: int):
    """Hold a lock the worker's scoring write must wait for, so "mid-job" lasts until we say."""
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
    else:
        conn = psycopg.connect(database_url.replace("+psycopg", ""))
        conn.execute("SELECT id FROM comments WHERE id = %s FOR UPDATE", (comment_id,))
    try:
        yield
    finally:
        conn.rollback()
        conn.close()


def test_a_worker_killed_mid_job_leaves_nothing_unscored(scoring_settings, tmp_path):
    log = tmp_path / "modq.log"
    engine = make_engine(scoring_settings.database_url)
    init_db(engine)
    redis = Redis.from_url(scoring_settings.redis_url)
    queue = scoring_queue(redis, scoring_settings.queue_name)
    first = start_modq(["worker"], modq_env(scoring_settings), log)
    try:
        wait_until(lambda: worker_ready(scoring_settings), timeout=60)
        comment_id = add_comment(engine, NewComment(post="p", name="N", email="n@example.com",
                                                    homepage="", body="A question about the config."))
        with write_lock_on(scoring_settings.database_url, comment_id):
            enqueue_scoring(queue, comment_id)
            wait_until(lambda: queue.started_job_registry.count == 1, timeout=30)
            stop(first, signal.SIGKILL)  # the whole process group, mid-job
        assert get_comment(engine, comment_id)["status"] == Status.RECEIVED
        assert queue.fetch_job(scoring_job_id(queue.name, comment_id)).get_status() == "started"

        second = start_modq(["worker"], modq_env(scoring_settings, MODQ_SWEEP_AFTER="1"), log)
        try:
            wait_until(lambda: get_comment(engine, comment_id)["status"] != Status.RECEIVED, timeout=60)
        finally:
            stop(second)
        assert second.returncode == 0  # SIGTERM still stops a worker that reconnects on errors
    finally:
        stop(first, signal.SIGKILL)
        engine.dispose()
        print(log.read_text(errors="replace")[-3000:])


class Poster(threading.Thread):
    """Posts distinct comments one after another until stopped, recording every answer."""

    def __init__(self, base: str, name: str) -> None:
        super().__init__(daemon=True)
        self.base, self.tag = base, name
        self.statuses: list[int | None] = []
        self.ids: list[int] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            body = json.dumps({"name": "Aiko", "email": "aiko@example.jp",
                               "body": f"{self.tag}: comment number {len(self.statuses)}"}).encode()
            status, _, answer = http("POST", f"{self.base}/api/v1/comments", body, JSON)
            self.statuses.append(status)
            if status == 202:
                self.ids.append(answer["id"])

    def finish(self) -> None:
        self.halt.set()
        self.join(timeout=30)


def worker_ready(settings) -> bool:
    """The worker has loaded its model and listens on the queue."""
    redis = Redis.from_url(settings.redis_url)
    try:
        return Worker.count(connection=redis, queue=scoring_queue(redis, settings.queue_name)) > 0
    finally:
        redis.close()


@contextmanager
def running(settings, tmp_path, web_workers: int = 1, **env: str):
    """``modq serve`` and ``modq worker`` on ``settings``; yields the base URL."""
    port, log = free_port(), tmp_path / "modq.log"
    # Tables first, as a deployment does: web processes racing to CREATE TABLE on a fresh
    # PostgreSQL can collide (the ops branch's migrations take a lock for that).
    engine = make_engine(settings.database_url)
    init_db(engine)
    engine.dispose()
    full_env = modq_env(settings, MODQ_SWEEP_AFTER="1", **env)
    server = start_modq(["serve", "--port", str(port), "--workers", str(web_workers), "--threads", "2"],
                        full_env, log)
    worker = start_modq(["worker"], full_env, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: http("GET", f"{base}/healthz")[0] == 200, timeout=60)
        wait_until(lambda: worker_ready(settings), timeout=60)
        yield base, log
    finally:
        stop(server)
        stop(worker)
        print(log.read_text(errors="replace")[-3000:])


def all_scored(settings, ids: list[int]) -> bool:
    engine = make_engine(settings.database_url)
    try:
        counts = count_by_status(engine)
        return counts[Status.RECEIVED] == 0 and sum(counts.values()) == len(ids)
    finally:
        engine.dispose()


def test_comments_arriving_while_redis_is_killed_and_restarted_are_all_kept_and_scored(
    scoring_settings, tmp_path
):
    redis_process, url = start_redis(tmp_path / "redis")
    settings = replace(scoring_settings, redis_url=url, rate_limit="100000 per minute")
    try:
        with running(settings, tmp_path) as (base, log):
            poster = Poster(base, "redis-chaos")
            poster.start()
            wait_until(lambda: len(poster.ids) >= 5, timeout=30)
            stop(redis_process, signal.SIGKILL)
            seen = len(poster.statuses)
            wait_until(lambda: len(poster.statuses) >= seen + 5, timeout=30)  # posts during the outage
            time.sleep(OUTAGE_SECONDS)  # long enough for the worker's blocking dequeue to notice
            redis_process, _ = start_redis(tmp_path / "redis", port=int(url.rsplit(":", 1)[1].split("/")[0]))
            seen = len(poster.statuses)
            wait_until(lambda: len(poster.statuses) >= seen + 5, timeout=30)
            poster.finish()
            assert set(poster.statuses) == {202}
            wait_until(lambda: all_scored(settings, poster.ids), timeout=90, interval=0.5)
            assert len(set(poster.ids)) == len(poster.ids)
            assert "aiko@example.jp" not in log.read_text(errors="replace")
    finally:
        stop(redis_process, signal.SIGKILL)


def test_concurrent_web_and_worker_writes_never_fail(scoring_settings, tmp_path):
    settings = replace(scoring_settings, rate_limit="100000 per minute")
    with running(settings, tmp_path, web_workers=2) as (base, log):
        posters = [Poster(base, f"writer {n}") for n in range(4)]
        decisions: list[int | None] = []
        for poster in posters:
            poster.start()
        wait_until(lambda: sum(len(p.ids) for p in posters) >= 60, timeout=120)
        for poster in posters[:2]:
            for comment_id in poster.ids[:10]:  # the owner decides while the rest still pour in
                decisions.append(http("POST", f"{base}/api/v1/review/{comment_id}/approve", b"", OWNER)[0])
        for poster in posters:
            poster.finish()
        ids = [i for p in posters for i in p.ids]
        assert {s for p in posters for s in p.statuses} == {202}
        assert set(decisions) == {200}
        wait_until(lambda: all_scored(settings, ids), timeout=90, interval=0.5)
        assert "database is locked" not in log.read_text(errors="replace")
