"""POST /api/v1/comments: what is accepted, what is refused, and that errors store nothing."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from rq import Queue
from rq.serializers import JSONSerializer

from service.listing import count_by_status
from service.storage import Status, get_comment

FORM = "application/x-www-form-urlencoded"
JAPANESE = "はじめまして。とても参考になりました！\r\n絵文字も😀、半角ｶﾅも。"


def form_post(client, fields: dict[str, str], **kwargs):
    return client.post("/api/v1/comments", data=urlencode(fields).encode(), content_type=FORM, **kwargs)


def stored_total(engine) -> int:
    return sum(count_by_status(engine).values())


def test_a_form_post_is_accepted_stored_exactly_and_queued(client, engine, redis_conn):
    fields = {"name": "山田 花子", "email": "hanako@example.jp", "body": JAPANESE,
              "homepage": "https://hanako.example.jp/", "post": "/2026/11/hello"}
    response = form_post(client, fields, headers={"User-Agent": "TestBrowser/1.0"})
    assert response.status_code == 202
    payload = response.get_json()
    assert payload["status"] == "received"
    row = get_comment(engine, payload["id"])
    assert row["body"] == JAPANESE and row["body"].encode() == JAPANESE.encode()
    assert row["name"] == "山田 花子" and row["post"] == "/2026/11/hello"
    assert row["status"] == Status.RECEIVED.value
    assert row["user_agent"] == "TestBrowser/1.0"
    queue = Queue("modq-test", connection=redis_conn, serializer=JSONSerializer)
    assert [job.func_name for job in queue.get_jobs()] == ["worker.jobs.score_waiting"]


def test_a_json_post_is_accepted(client, engine):
    response = client.post("/api/v1/comments", json={"name": "Bob", "email": "bob@example.com",
                                                     "body": "Nice post"})
    assert response.status_code == 202
    assert get_comment(engine, response.get_json()["id"])["body"] == "Nice post"


def test_the_ip_is_stored_only_as_a_keyed_hash(client, engine):
    response = client.post("/api/v1/comments", json={"name": "B", "email": "b@example.com", "body": "x"},
                           environ_base={"REMOTE_ADDR": "203.0.113.7"})
    row = get_comment(engine, response.get_json()["id"])
    assert "203.0.113.7" not in json.dumps(row, default=str)
    assert len(row["ip_hash"]) == 64


def test_a_form_with_an_allowed_redirect_goes_back_to_the_blog(client):
    response = form_post(client, {"name": "A", "email": "a@example.com", "body": "hi",
                                  "redirect": "http://blog.example/post#comments"})
    assert response.status_code == 303
    assert response.headers["Location"] == "http://blog.example/post#comments"


def test_a_redirect_to_another_origin_is_refused_and_nothing_stored(client, engine):
    response = form_post(client, {"name": "A", "email": "a@example.com", "body": "hi",
                                  "redirect": "https://evil.example/"})
    assert response.status_code == 422
    assert "redirect" in response.get_json()["fields"]
    assert stored_total(engine) == 0


def test_missing_fields_are_all_named_and_nothing_is_stored(client, engine):
    response = form_post(client, {"homepage": "javascript:alert(1)"})
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"name", "email", "body", "homepage"}
    assert stored_total(engine) == 0


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=x", "application/xml"])
def test_an_unsupported_content_type_gets_415(client, engine, content_type):
    response = client.post("/api/v1/comments", data=b"name=a", content_type=content_type)
    assert response.status_code == 415
    assert "error" in response.get_json()
    assert stored_total(engine) == 0


def test_a_non_utf8_charset_gets_415(client):
    response = client.post("/api/v1/comments", data=b"name=a",
                           content_type="application/x-www-form-urlencoded; charset=latin-1")
    assert response.status_code == 415


def test_a_too_large_request_gets_413_as_json(client, engine):
    response = form_post(client, {"name": "A", "email": "a@example.com", "body": "x" * 100_000})
    assert response.status_code == 413
    assert "error" in response.get_json()
    assert stored_total(engine) == 0


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'"text"', b'{"name": ["a"], "email": "a@example.com", "body": "x"}',
     b'{"name": "a", "name": "b", "email": "a@example.com", "body": "x"}', b"\xff\xfe{}"],
)
def test_malformed_json_gets_a_4xx_json_error(client, engine, body):
    response = client.post("/api/v1/comments", data=body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "error" in response.get_json()
    assert stored_total(engine) == 0


def test_a_field_sent_twice_in_a_form_is_refused(client, engine):
    response = client.post("/api/v1/comments", data=b"name=a&name=b&email=a%40example.com&body=x",
                           content_type=FORM)
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"name": "was sent more than once"}
    assert stored_total(engine) == 0


def test_invalid_utf8_in_a_form_is_refused(client, engine):
    response = client.post("/api/v1/comments", data=b"name=%FF%FE&email=a%40example.com&body=x",
                           content_type=FORM)
    assert response.status_code == 400
    assert stored_total(engine) == 0


def test_a_submission_is_stored_even_when_redis_is_unreachable(app, client, engine):
    from service.queue import connect_redis, scoring_queue

    app.extensions["modq.queue"] = scoring_queue(connect_redis("redis://127.0.0.1:1/0"), "modq-test")
    response = client.post("/api/v1/comments", json={"name": "A", "email": "a@example.com", "body": "x"})
    assert response.status_code == 202
    row = get_comment(engine, response.get_json()["id"])
    assert row["status"] == "received" and row["enqueued_at"] is None
