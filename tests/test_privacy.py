"""Privacy: no email, IP or token in logs; rejected and spam comments purged after retention."""

from __future__ import annotations

import logging
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import update

from service.cli import main
from service.listing import count_by_status
from service.retention import purge
from service.storage import NewComment, Status, add_comment, comments, utcnow

EMAIL = "private.person@example.jp"
IP = "198.51.100.77"


def test_logs_of_submission_screening_and_review_carry_no_email_ip_or_token(app, client, owner, caplog):
    from service.queue import connect_redis, scoring_queue

    caplog.set_level(logging.DEBUG)
    env = {"REMOTE_ADDR": IP}
    client.post("/api/v1/rules", json={"action": "block", "kind": "email", "pattern": EMAIL}, headers=owner)
    client.post("/api/v1/comments", json={"name": "P", "email": EMAIL, "body": "blocked"}, environ_base=env)
    client.post("/api/v1/rules", json={"action": "block", "kind": "ip", "pattern": IP}, headers=owner)
    app.extensions["modq.queue"] = scoring_queue(connect_redis("redis://127.0.0.1:1/0"), "modq-test")
    created = client.post("/api/v1/comments", json={"name": "P", "email": "other@example.jp", "body": "x",
                                                    "website": "bot"}, environ_base=env).get_json()
    client.get("/api/v1/review?status=spam", headers=owner)
    client.post(f"/api/v1/review/{created['id']}/approve", headers=owner)
    client.get("/api/v1/review", headers={"Authorization": "Bearer wrong-token"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "stored as spam" in logged  # the screening was logged, just not who it was
    for secret in (EMAIL, "other@example.jp", IP, owner["Authorization"].split()[1], "wrong-token"):
        assert secret not in logged


def add(engine, status: Status, age: timedelta) -> int:
    """A comment that has been in ``status`` for ``age``."""
    comment_id = add_comment(engine, NewComment(post="p", name="N", email=EMAIL, homepage="", body="b"))
    with engine.begin() as conn:
        conn.execute(update(comments).where(comments.c.id == comment_id)
                     .values(status=status.value, updated_at=utcnow() - age))
    return comment_id


def test_purge_deletes_only_rejected_and_spam_past_retention(engine):
    old, recent = timedelta(days=31), timedelta(days=29)
    for status in Status:
        add(engine, status, old)
        add(engine, status, recent)
    assert purge(engine, timedelta(days=30), dry_run=True) == 2
    assert count_by_status(engine)[Status.SPAM] == 2
    assert purge(engine, timedelta(days=30)) == 2
    counts = count_by_status(engine)
    assert counts == {"received": 2, "review": 2, "spam": 1, "approved": 2, "rejected": 1}


def test_purge_from_the_cli_with_a_dry_run_first(settings, monkeypatch, engine):
    monkeypatch.setenv("MODQ_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MODQ_VAR_DIR", str(settings.var_dir))
    add(engine, Status.SPAM, timedelta(hours=13))
    runner = CliRunner()
    assert "1 comment(s) would be deleted" in runner.invoke(main, ["purge", "--older-than", "12h",
                                                                   "--dry-run"]).output
    assert "0 comment(s) deleted" in runner.invoke(main, ["purge"]).output  # default: 30 days
    assert "1 comment(s) deleted" in runner.invoke(main, ["purge", "--older-than", "720m"]).output
    assert sum(count_by_status(engine).values()) == 0
    refused = runner.invoke(main, ["purge", "--older-than", "a month"])
    assert refused.exit_code == 2 and "not a duration" in refused.output
