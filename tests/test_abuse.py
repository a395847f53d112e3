"""Refusing abuse cheaply: rate limit per client, honeypot, form timing, duplicates."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from rq import Queue
from rq.serializers import JSONSerializer

from service import create_app
from service.antibot import form_token
from service.listing import count_by_status
from service.storage import Status, get_comment

COMMENT = {"name": "Aiko", "email": "aiko@example.jp", "body": "Thanks for the write-up!"}


def make_client(settings, **changes):
    app = create_app(replace(settings, **changes), {"TESTING": True})
    return app, app.test_client()


def post(client, fields=None, **kwargs):
    return client.post("/api/v1/comments", json=fields or COMMENT, **kwargs)


def queued_jobs(redis_conn) -> list[str]:
    """The scoring jobs waiting in the queue (new comments share one ``score_waiting`` job)."""
    queue = Queue("modq-test", connection=redis_conn, serializer=JSONSerializer)
    return [job.func_name for job in queue.get_jobs()]


def test_the_request_after_the_limit_gets_429_json_with_retry_after(settings):
    _, client = make_client(settings, rate_limit="3 per hour")
    answers = [post(client, {**COMMENT, "body": f"comment {i}"}) for i in range(4)]
    assert [r.status_code for r in answers] == [202, 202, 202, 429]
    assert answers[-1].get_json()["error"]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 3600


def test_the_limit_is_per_client_address(settings):
    _, client = make_client(settings, rate_limit="1 per day")
    assert post(client, environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 202
    assert post(client, environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 429
    assert post(client, {**COMMENT, "body": "other"},
                environ_base={"REMOTE_ADDR": "198.51.100.2"}).status_code == 202


def test_web_processes_share_a_clients_count_through_redis(settings):
    _, first = make_client(settings, rate_limit="2 per day")
    _, second = make_client(settings, rate_limit="2 per day")
    assert post(first, {**COMMENT, "body": "one"}).status_code == 202
    assert post(second, {**COMMENT, "body": "two"}).status_code == 202
    assert post(first, {**COMMENT, "body": "three"}).status_code == 429


def test_a_window_counts_from_zero_and_its_key_expires(redis_url, redis_conn):
    from limits import parse

    from service.ratelimit import RedisWindows, seconds_left

    windows, limit = RedisWindows(redis_url), parse("2 per minute")
    start = 1_800_000_000.0  # a minute boundary
    assert [windows.hit_many([(limit, "c")], now=start + s)[0] for s in (0, 30, 59)] == [True, True, False]
    assert windows.hit_many([(limit, "c")], now=start + 60) == [True]
    assert windows.hit_many([(limit, "other")], now=start + 59) == [True]
    assert all(0 < redis_conn.ttl(key) <= 61 for key in redis_conn.keys("modq:rate:*"))
    assert seconds_left(limit, now=start + 59.5) == 1 and seconds_left(limit, now=start) == 60


def test_hits_counted_together_take_their_counts_in_turn_in_one_round_trip(redis_url, redis_conn):
    from limits import parse

    from service.ratelimit import RedisWindows

    windows, minute, day = RedisWindows(redis_url), parse("2 per minute"), parse("3 per day")
    start = 1_800_000_000.0
    hits = [(minute, "a"), (day, "a"), (minute, "a"), (minute, "b"), (minute, "a"), (day, "a")]
    assert windows.hit_many(hits, now=start) == [True, True, True, True, False, True]
    assert windows.hit_many([(day, "a"), (day, "a")], now=start + 1) == [True, False]
    assert all(0 < redis_conn.ttl(key) for key in redis_conn.keys("modq:rate:*"))


def test_invalid_submissions_count_against_the_limit_too(settings):
    _, client = make_client(settings, rate_limit="2 per day")
    assert post(client, {**COMMENT, "email": "not-an-address"}).status_code == 422
    assert post(client).status_code == 202
    refused = post(client, {**COMMENT, "email": "still-not-an-address"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_concurrent_submissions_from_one_address_get_exactly_the_limit(settings, engine):
    app, _ = make_client(settings, rate_limit="5 per day")
    start, answers = threading.Barrier(16), []

    def submit(i: int) -> None:
        client = app.test_client()
        start.wait()
        answers.append(post(client, {**COMMENT, "body": f"burst {i}"}).status_code)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [202] * 5 + [429] * 11
    assert sum(count_by_status(engine).values()) == 5


def test_counters_can_be_kept_in_memory_instead(settings):
    _, client = make_client(settings, rate_limit="1 per day", rate_limit_storage_url="memory://")
    assert post(client).status_code == 202
    assert post(client, {**COMMENT, "body": "again"}).status_code == 429


def test_reading_is_not_limited(settings):
    _, client = make_client(settings, rate_limit="1 per day")
    assert all(client.get("/api/v1/comments?post=p").status_code == 200 for _ in range(3))


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(settings):
    _, client = make_client(settings, rate_limit="1 per day", proxy_count=0)
    assert post(client, headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 202
    assert post(client, {**COMMENT, "body": "b"}, headers={"X-Forwarded-For": "192.0.2.2"}).status_code == 429


def test_behind_one_proxy_the_forwarded_client_address_is_limited(settings, engine):
    app, client = make_client(settings, rate_limit="1 per day", proxy_count=1)
    first = post(client, headers={"X-Forwarded-For": "192.0.2.1"})
    assert first.status_code == 202
    assert post(client, {**COMMENT, "body": "b"}, headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 429
    # a client-sent value before the proxy's own entry is ignored: only the last hop counts
    assert post(client, {**COMMENT, "body": "c"},
                headers={"X-Forwarded-For": "192.0.2.1, 192.0.2.9"}).status_code == 202
    from service.submit import ip_hash

    stored = get_comment(app.extensions["modq.engine"], first.get_json()["id"])
    assert stored["ip_hash"] == ip_hash("192.0.2.1", settings.secret_key)


def test_with_redis_down_the_limit_still_holds_from_memory(settings):
    app, client = make_client(settings, rate_limit="2 per day", redis_url="redis://127.0.0.1:1/0")
    answers = [post(client, {**COMMENT, "body": f"c{i}"}).status_code for i in range(3)]
    assert answers == [202, 202, 429]


def test_a_filled_honeypot_goes_to_spam_with_its_reason_and_is_not_queued(client, engine, redis_conn):
    response = post(client, {**COMMENT, "website": "http://cheap-pills.example"})
    assert response.status_code == 202 and response.get_json()["status"] == "received"
    row = get_comment(engine, response.get_json()["id"])
    assert row["status"] == Status.SPAM and row["reasons"] == ["honeypot field filled"]
    assert row["spam_score"] is None and queued_jobs(redis_conn) == []


def test_a_form_posted_too_fast_after_it_was_shown_goes_to_spam(client, engine, settings):
    token = client.get("/api/v1/form-token").get_json()["ts"]
    response = post(client, {**COMMENT, "ts": token})
    row = get_comment(engine, response.get_json()["id"])
    assert row["status"] == Status.SPAM
    assert row["reasons"][0].startswith("submitted ") and "after the form was shown" in row["reasons"][0]


def test_a_form_posted_after_a_human_pause_is_received_and_queued(client, engine, settings, redis_conn):
    token = form_token(settings.secret_key, shown_at=time.time() - settings.min_submit_seconds - 1)
    response = post(client, {**COMMENT, "ts": token})
    assert get_comment(engine, response.get_json()["id"])["status"] == Status.RECEIVED
    assert queued_jobs(redis_conn) == ["worker.jobs.score_waiting"]


@pytest.mark.parametrize("token", ["1700000000", "MTc5.forged", form_token("another-secret", 0)])
def test_a_timestamp_not_signed_by_this_server_goes_to_spam(client, engine, token):
    response = post(client, {**COMMENT, "ts": token})
    row = get_comment(engine, response.get_json()["id"])
    assert row["status"] == Status.SPAM and row["reasons"] == ["form timestamp is not signed by this server"]


def test_the_form_token_endpoint_names_the_fields_and_is_not_cached(client, settings):
    response = client.get("/api/v1/form-token", headers={"Origin": "http://blog.example"})
    token = response.get_json()
    assert token["token_field"] == "ts" and token["honeypot_field"] == "website"
    assert token["min_seconds"] == settings.min_submit_seconds
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Access-Control-Allow-Origin"] == "http://blog.example"


def test_a_duplicate_submission_returns_the_first_comment_and_stores_nothing(client, engine, redis_conn):
    first = post(client).get_json()["id"]
    again = post(client, {**COMMENT, "email": "AIKO@example.jp"})
    assert again.status_code == 202 and again.get_json()["id"] == first
    assert count_by_status(engine)["received"] == 1
    assert queued_jobs(redis_conn) == ["worker.jobs.score_waiting"]
    other = post(client, {**COMMENT, "body": COMMENT["body"] + "!"}).get_json()["id"]
    assert other != first


def test_the_same_comment_after_the_duplicate_window_is_a_new_comment(settings):
    app, client = make_client(settings, duplicate_window_seconds=0)
    ids = {post(client).get_json()["id"] for _ in range(2)}
    assert len(ids) == 2


def test_the_rate_limit_setting_is_checked_at_start_and_can_be_turned_off(settings, tmp_path):
    from service.settings import Settings, SettingsError

    env = {"MODQ_VAR_DIR": str(tmp_path)}
    assert Settings.from_env(env).rate_limit == "10 per minute"
    assert Settings.from_env({**env, "MODQ_RATE_LIMIT": "5/minute;100/day"}).rate_limit == "5/minute;100/day"
    with pytest.raises(SettingsError, match="MODQ_RATE_LIMIT"):
        Settings.from_env({**env, "MODQ_RATE_LIMIT": "lots"})
    with pytest.raises(SettingsError, match="MODQ_PROXY_COUNT"):
        Settings.from_env({**env, "MODQ_PROXY_COUNT": "-1"})
    _, client = make_client(settings, rate_limit="off")
    assert {post(client, {**COMMENT, "body": f"c{i}"}).status_code for i in range(12)} == {202}


def test_rescoring_after_a_new_model_leaves_what_a_bot_check_decided(client, engine):
    from service.storage import ScoreRecord, rescore

    comment_id = post(client, {**COMMENT, "website": "filled"}).get_json()["id"]
    record = ScoreRecord(comment_id, 0.01, ["ordinary words"], "v2", Status.REVIEW)
    assert rescore(engine, [record], (Status.REVIEW, Status.SPAM)) == []
    assert get_comment(engine, comment_id)["reasons"] == ["honeypot field filled"]
