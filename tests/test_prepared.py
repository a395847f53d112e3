"""Prepared statements write exactly what SQLAlchemy's own execution writes, on both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, insert, select

from service.prepared import Prepared
from service.storage import NewComment, Status, comments, get_comment, store_comment, utcnow

COLUMNS = ("post", "name", "email", "homepage", "body", "ip_hash", "user_agent", "referrer", "fingerprint",
           "status", "reasons", "created_at", "updated_at", "enqueued_at", "spam_score")
TEXT = {"ip_hash": "h" * 64, "user_agent": "Mozilla/5.0", "referrer": "https://blog.example/p",
        "fingerprint": ""}
PREPARED_INSERT = Prepared(
    insert(comments).values({name: bindparam(name, type_=comments.c[name].type) for name in COLUMNS})
    .returning(comments.c.id))


def stored_as(engine, comment_id: int) -> tuple:
    """The row as the driver hands it back, before SQLAlchemy's result processing."""
    with engine.connect() as conn:
        row = conn.exec_driver_sql(f"SELECT * FROM comments WHERE id = {int(comment_id)}").one()
    return tuple(row)[1:]


def test_a_prepared_insert_stores_what_sqlalchemy_stores(engine):
    now = utcnow()
    values = {"post": "/p", "name": "名前", "email": "a@example.jp", "homepage": "https://x.example/",
              "body": "line\n\tindented 'quoted' %s %(x)s ?", "status": Status.SPAM.value,
              "reasons": ["honeypot field filled", "ü"], "created_at": now, "updated_at": now,
              "enqueued_at": now - timedelta(seconds=1), "spam_score": 0.25, **TEXT}
    with engine.begin() as conn:
        prepared_id = PREPARED_INSERT.execute(conn, values).fetchone()[0]
        plain_id = conn.execute(insert(comments), values).inserted_primary_key[0]
    assert stored_as(engine, prepared_id) == stored_as(engine, plain_id)


def test_none_is_stored_as_sql_null_even_in_a_json_column(engine):
    now = utcnow()
    values = {"post": "", "name": "N", "email": "n@example.com", "homepage": "", "body": "b",
              "status": "received", "reasons": None, "created_at": now, "updated_at": now,
              "enqueued_at": None, "spam_score": None, **TEXT}
    with engine.begin() as conn:
        comment_id = PREPARED_INSERT.execute(conn, values).fetchone()[0]
        found = conn.execute(select(comments.c.id).where(
            comments.c.reasons.is_(None), comments.c.enqueued_at.is_(None))).scalars().all()
    assert found == [comment_id]


def test_the_same_comment_within_the_window_is_found_not_stored_again(engine):
    new = NewComment(post="/p", name="N", email="n@example.com", homepage="", body="same",
                     fingerprint="f" * 64)
    first = store_comment(engine, new, duplicate_since=utcnow() - timedelta(minutes=5))
    again = store_comment(engine, new, duplicate_since=utcnow() - timedelta(minutes=5))
    later = store_comment(engine, new, duplicate_since=utcnow() + timedelta(seconds=1))
    assert first.new and not again.new and again.id == first.id
    assert later.new and later.id != first.id
    assert get_comment(engine, later.id)["body"] == "same"
