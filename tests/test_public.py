"""GET /api/v1/comments: only approved comments, only public fields."""

from __future__ import annotations

from service.storage import Decision, NewComment, add_comment, decide


def add(engine, post: str, body: str, decision: Decision | None = None) -> int:
    comment_id = add_comment(engine, NewComment(post=post, name="名前", email="secret@example.com",
                                                homepage="https://h.example/", body=body,
                                                ip_hash="f" * 64))
    if decision:
        decide(engine, comment_id, decision)
    return comment_id


def test_only_approved_comments_of_the_post_are_shown_oldest_first(client, engine):
    first = add(engine, "post-1", "一番目", Decision.APPROVE)
    add(engine, "post-1", "waiting")
    add(engine, "post-1", "rejected", Decision.REJECT)
    add(engine, "post-1", "spam", Decision.SPAM)
    add(engine, "post-2", "other post", Decision.APPROVE)
    second = add(engine, "post-1", "二番目", Decision.APPROVE)
    body = client.get("/api/v1/comments?post=post-1").get_json()
    assert [c["id"] for c in body["comments"]] == [first, second]
    assert [c["body"] for c in body["comments"]] == ["一番目", "二番目"]


def test_public_output_never_carries_email_ip_or_score(client, engine):
    add(engine, "p", "hello", Decision.APPROVE)
    response = client.get("/api/v1/comments?post=p")
    comment = response.get_json()["comments"][0]
    assert set(comment) == {"id", "name", "homepage", "body", "created_at"}
    assert b"secret@example.com" not in response.data and b"ffff" not in response.data


def test_the_post_parameter_is_required(client):
    response = client.get("/api/v1/comments")
    assert response.status_code == 400 and "post" in response.get_json()["fields"]


def test_cors_is_allowed_only_for_configured_blog_origins(client, engine):
    allowed = client.get("/api/v1/comments?post=p", headers={"Origin": "http://blog.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://blog.example"
    other = client.get("/api/v1/comments?post=p", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
