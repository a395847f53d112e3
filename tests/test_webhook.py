"""The owner's webhook: signed, only for the review queue, never blocking a score."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry
from rq.serializers import JSONSerializer

from processes import modq_env, start_modq, stop, wait_until
from service.db import make_engine
from service.queue import connect_redis, enqueue_scoring, scoring_queue
from service.settings import Settings, SettingsError
from service.storage import Decision, NewComment, Status, add_comment, decide, get_comment, init_db
from service.webhook import notify_later, notify_queue_name, send
from worker import jobs, runtime

SECRET = "webhook-secret-for-tests"
SPAM = "CHECK OUT MY CHANNEL!!! subscribe to me http://free-money.example.com win $1000 now click here"
HAM = "I really liked the part about the migration, thanks for writing it up."


class Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict, bytes]] = []
    answer = 204

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).answer)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver():
    handler = type("Handler", (Receiver,), {"received": [], "answer": 204})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


@pytest.fixture
def hooked(scoring_settings, receiver, monkeypatch):
    """A worker runtime whose settings (and environment, for the RQ job) name the webhook."""
    handler, url = receiver
    settings = replace(scoring_settings, webhook_url=url, webhook_secret=SECRET)
    for key, value in modq_env(settings, MODQ_WEBHOOK_URL=url, MODQ_WEBHOOK_SECRET=SECRET).items():
        monkeypatch.setenv(key, value)
    rt = runtime.Runtime.from_settings(settings)
    runtime.install(rt)
    yield rt, handler
    runtime.install(None)
    rt.engine.dispose()


def work(settings: Settings, redis_conn) -> None:
    queues = [scoring_queue(redis_conn, settings.queue_name),
              scoring_queue(redis_conn, notify_queue_name(settings))]
    SimpleWorker(queues, connection=redis_conn, serializer=JSONSerializer).work(burst=True)


def add(engine, body: str) -> int:
    return add_comment(engine, NewComment(post="/p", name="Mika", email="mika@example.jp",
                                          homepage="", body=body))


def test_a_comment_entering_review_is_posted_signed_and_without_email(hooked, redis_conn):
    rt, handler = hooked
    comment_id = add(rt.engine, HAM)
    jobs.score_comment(comment_id)
    work(rt.settings, redis_conn)
    [(headers, body)] = handler.received
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Modq-Signature"], expected)
    assert headers["X-Modq-Event"] == "comment.review"
    sent = json.loads(body)
    assert sent["event"] == "comment.review"
    assert sent["comment"]["id"] == comment_id and sent["comment"]["body"] == HAM
    assert 0 <= sent["comment"]["spam_score"] < 1
    assert b"mika@example.jp" not in body and "email" not in sent["comment"]


def test_no_notice_for_a_comment_judged_spam(hooked, redis_conn):
    rt, handler = hooked
    comment_id = add(rt.engine, SPAM)
    jobs.score_comment(comment_id)
    assert get_comment(rt.engine, comment_id)["status"] == Status.SPAM
    assert scoring_queue(redis_conn, notify_queue_name(rt.settings)).count == 0
    work(rt.settings, redis_conn)
    assert handler.received == []


def test_a_failing_webhook_neither_blocks_scoring_nor_loses_the_notice(hooked, redis_conn):
    rt, handler = hooked
    handler.answer = 500
    comment_id = add(rt.engine, HAM)
    jobs.score_comment(comment_id)
    work(rt.settings, redis_conn)
    assert get_comment(rt.engine, comment_id)["status"] == Status.REVIEW
    assert len(handler.received) == 1
    notices = scoring_queue(redis_conn, notify_queue_name(rt.settings))
    assert ScheduledJobRegistry(queue=notices).count == 1  # to be retried later


def test_a_notice_is_dropped_once_the_owner_has_decided(hooked):
    rt, handler = hooked
    comment_id = add(rt.engine, HAM)
    jobs.score_comment(comment_id)
    decide(rt.engine, comment_id, Decision.APPROVE)
    assert send(rt.settings, rt.engine, comment_id) is False
    assert handler.received == []


def test_queueing_a_notice_with_redis_down_is_not_an_error(scoring_settings):
    settings = replace(scoring_settings, webhook_url="http://127.0.0.1:9/", webhook_secret=SECRET,
                       redis_url="redis://127.0.0.1:1/0")
    assert notify_later(settings, 1) is False


def test_a_webhook_without_a_secret_is_refused_at_start():
    with pytest.raises(SettingsError, match="MODQ_WEBHOOK_SECRET"):
        Settings.from_env({"MODQ_WEBHOOK_URL": "https://hooks.example/modq", "MODQ_SECRET_KEY": "k"})


def test_a_running_worker_scores_notifies_and_reports_healthy(receiver, model_dir, redis_url, redis_conn,
                                                               tmp_path):
    """A real ``modq worker`` process serves the notice queue and keeps its heartbeat (SQLite only:
    the database plays no part in what is checked here)."""
    handler, url = receiver
    settings = Settings(var_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'w.sqlite3'}",
                        redis_url=redis_url, owner_token="t", model_dir=model_dir, secret_key="k",
                        queue_name="modq-test", webhook_url=url, webhook_secret=SECRET)
    env = modq_env(settings, MODQ_WEBHOOK_URL=url, MODQ_WEBHOOK_SECRET=SECRET)
    engine = make_engine(settings.database_url)
    init_db(engine)
    comment_id = add(engine, HAM)
    enqueue_scoring(scoring_queue(connect_redis(redis_url), settings.queue_name), comment_id)
    worker = start_modq(["worker"], env, tmp_path / "worker.log")
    try:
        wait_until(lambda: handler.received, timeout=90)
        assert get_comment(engine, comment_id)["status"] == Status.REVIEW
        check = subprocess.run([sys.executable, "-m", "service.cli", "worker", "--healthcheck"], env=env,
                               capture_output=True, text=True, timeout=60)
        assert check.returncode == 0, check.stderr
    finally:
        stop(worker)
        engine.dispose()
