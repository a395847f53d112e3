"""The owner's review API: auth, listing, reading and deciding."""

from __future__ import annotations

import pytest

from service.storage import NewComment, ScoreRecord, Status, add_comment, record_scores


def add_scored(engine, body: str, score: float, status: Status = Status.REVIEW, post: str = "p1") -> int:
    comment_id = add_comment(engine, NewComment(post=post, name="N", email="n@example.com",
                                                homepage="", body=body))
    record_scores(engine, [ScoreRecord(comment_id, score, ["reason"], "v1", status)])
    return comment_id


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"},
     {"Authorization": "Bearer tökén"}, {"Authorization": "Bearer "}],
)
def test_the_review_api_needs_the_owner_token(client, headers):
    for method, path in [("get", "/api/v1/review"), ("get", "/api/v1/review/1"),
                         ("post", "/api/v1/review/1/approve")]:
        response = getattr(client, method)(path, headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]


def test_the_queue_lists_review_comments_most_likely_spam_first(client, engine, owner):
    low = add_scored(engine, "thanks", 0.1)
    high = add_scored(engine, "buy now", 0.8)
    add_scored(engine, "spam", 0.99, Status.SPAM)
    body = client.get("/api/v1/review", headers=owner).get_json()
    assert [item["id"] for item in body["items"]] == [high, low]
    assert body["total"] == 2 and body["counts"]["spam"] == 1
    ascending = client.get("/api/v1/review?sort=score_asc", headers=owner).get_json()
    assert [item["id"] for item in ascending["items"]] == [low, high]


def test_the_queue_is_paginated_and_filtered(client, engine, owner):
    ids = [add_scored(engine, f"comment {i}", i / 10, post="a" if i % 2 else "b") for i in range(6)]
    page = client.get("/api/v1/review?per_page=2&page=2&sort=oldest", headers=owner).get_json()
    assert [item["id"] for item in page["items"]] == ids[2:4] and page["total"] == 6
    only_a = client.get("/api/v1/review?post=a", headers=owner).get_json()
    assert {item["post"] for item in only_a["items"]} == {"a"} and only_a["total"] == 3
    found = client.get("/api/v1/review?q=comment%203", headers=owner).get_json()
    assert [item["id"] for item in found["items"]] == [ids[3]]


@pytest.mark.parametrize("query", ["status=bogus", "sort=random", "page=0", "per_page=1000", "page=x"])
def test_bad_query_parameters_get_400_naming_them(client, owner, query):
    response = client.get(f"/api/v1/review?{query}", headers=owner)
    assert response.status_code == 400
    assert query.split("=")[0] in response.get_json()["fields"]


def test_one_comment_shows_everything_the_owner_needs(client, engine, owner):
    comment_id = add_scored(engine, "本文", 0.42)
    body = client.get(f"/api/v1/review/{comment_id}", headers=owner).get_json()
    for key in ("id", "post", "name", "email", "homepage", "body", "status", "spam_score",
                "model_version", "reasons", "created_at", "updated_at", "scored_at"):
        assert key in body
    assert body["spam_score"] == 0.42 and body["reasons"] == ["reason"] and body["body"] == "本文"
    assert client.get("/api/v1/review/999999", headers=owner).status_code == 404


def test_approve_reject_and_spam_move_comments(client, engine, owner):
    first, second, third = (add_scored(engine, f"c{i}", 0.2) for i in range(3))
    assert client.post(f"/api/v1/review/{first}/approve", headers=owner).get_json()["status"] == "approved"
    assert client.post(f"/api/v1/review/{second}/reject", headers=owner).get_json()["status"] == "rejected"
    assert client.post(f"/api/v1/review/{third}/spam", headers=owner).get_json()["status"] == "spam"
    # Repeating a decision is harmless.
    again = client.post(f"/api/v1/review/{first}/approve", headers=owner)
    assert again.status_code == 200 and again.get_json()["status"] == "approved"


def test_a_false_positive_can_be_approved_from_spam_or_sent_back_to_review(client, engine, owner):
    spam = add_scored(engine, "looks spammy", 0.97, Status.SPAM)
    assert client.post(f"/api/v1/review/{spam}/ham", headers=owner).get_json()["status"] == "review"
    other = add_scored(engine, "also spammy", 0.97, Status.SPAM)
    assert client.post(f"/api/v1/review/{other}/approve", headers=owner).get_json()["status"] == "approved"


def test_a_move_the_state_machine_does_not_allow_is_409(client, engine, owner):
    comment_id = add_scored(engine, "fine", 0.1)
    client.post(f"/api/v1/review/{comment_id}/approve", headers=owner)
    response = client.post(f"/api/v1/review/{comment_id}/ham", headers=owner)
    assert response.status_code == 409
    assert client.get(f"/api/v1/review/{comment_id}", headers=owner).get_json()["status"] == "approved"


def test_decisions_are_post_only(client, engine, owner):
    comment_id = add_scored(engine, "fine", 0.1)
    assert client.get(f"/api/v1/review/{comment_id}/approve", headers=owner).status_code == 405
    assert client.get(f"/api/v1/review/{comment_id}", headers=owner).get_json()["status"] == "review"
