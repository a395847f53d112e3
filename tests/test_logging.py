"""Structured logs: JSON lines with a request id, and never an email, IP or token."""

from __future__ import annotations

import io
import json
import logging

import pytest
from flask import request

from service.logging_setup import configure, redact


@pytest.fixture
def log_stream():
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()  # not a terminal: JSON
    configure("INFO", stream)
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_request_is_one_json_line_with_the_given_request_id(client, log_stream):
    response = client.post("/api/v1/comments", headers={"X-Request-ID": "edge-42"},
                           json={"name": "Aiko", "email": "aiko@example.jp", "body": "hello"})
    assert response.headers["X-Request-ID"] == "edge-42"
    [entry] = [e for e in lines(log_stream) if e["logger"] == "modq.request"]
    assert entry["request_id"] == "edge-42"
    assert entry["method"] == "POST" and entry["path"] == "/api/v1/comments" and entry["status"] == 202
    assert entry["level"] == "INFO"


def test_a_request_without_a_usable_id_gets_a_fresh_one(client, log_stream):
    first = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    second = client.get("/healthz")
    ids = {first.headers["X-Request-ID"], second.headers["X-Request-ID"]}
    assert len(ids) == 2 and all(len(i) == 32 for i in ids)


def test_emails_ips_and_tokens_never_reach_the_log(client, owner, log_stream):
    client.get("/api/v1/review?q=aiko@example.jp", headers=owner,
               environ_base={"REMOTE_ADDR": "203.0.113.9"})
    try:
        raise ValueError("insert failed for aiko@example.jp from 2001:db8::7 with Bearer s3cret")
    except ValueError:
        logging.getLogger("modq.test").exception("could not store comment by aiko@example.jp")
    text = log_stream.getvalue()
    for secret in ("aiko@example.jp", "203.0.113.9", "2001:db8::7", "s3cret", owner["Authorization"]):
        assert secret not in text
    assert "[email]" in text and "[ip]" in text


def test_passwords_in_urls_are_redacted():
    assert redact("cannot connect to postgresql://modq:hunter2@db:5432/modq") == \
        "cannot connect to postgresql://modq:[redacted]@db:5432/modq"


@pytest.mark.parametrize("message, secret", [
    ("sent by aiko@example.jp", "aiko@example.jp"),
    ("peer 203.0.113.9 hung up", "203.0.113.9"),
    ("peer 2001:db8::7 hung up", "2001:db8::7"),
    ("header was BEARER s3cret", "s3cret"),
    ("query had API_KEY=s3cret", "s3cret"),
    ("form had Password: s3cret", "s3cret"),
    ("redis://:s3cret@cache/0 refused", "s3cret"),
])
def test_each_kind_of_secret_alone_in_a_message_is_redacted(message, secret):
    """The quick check that skips most messages must let every kind of secret through."""
    assert secret not in redact(message)


def test_a_plain_request_line_is_left_as_it_is():
    assert redact("POST /api/v1/comments 202") == "POST /api/v1/comments 202"


def test_redaction_keeps_times_and_versions_readable():
    assert redact("scored at 12:30:45 with model 20261125T235535-abcdef") == \
        "scored at 12:30:45 with model 20261125T235535-abcdef"


def test_a_request_answered_by_an_earlier_hook_still_gets_an_id(app, log_stream):
    """A hook registered before ours (input checks, say) may answer before an id is set."""

    def refuse():
        return ("no", 400) if "refuse" in request.args else None

    app.before_request_funcs[None].insert(0, refuse)
    response = app.test_client().get("/healthz?refuse=1", headers={"X-Request-ID": "early-1"})
    assert response.status_code == 400 and response.headers["X-Request-ID"] == "early-1"
