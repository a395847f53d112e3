"""The owner's review page over HTTP (Flask's test client), on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from conftest import OWNER_TOKEN

from service.storage import (
    Decision,
    NewComment,
    ScoreRecord,
    Status,
    add_comment,
    decide_many,
    get_comment,
    record_scores,
)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def store(engine, body: str = "素敵な記事でした", score: float | None = 0.1, **fields) -> int:
    """A submitted comment, scored like the worker would score it."""
    values = {"post": "/hello", "name": "Aiko", "email": "aiko@example.jp", "homepage": "", **fields}
    comment_id = add_comment(engine, NewComment(body=body, **values))
    if score is not None:
        status = Status.SPAM if score >= 0.5 else Status.REVIEW
        record_scores(engine, [ScoreRecord(comment_id, score, ['"free"', "a link"], "v1", status)])
    return comment_id


def csrf_token(client, path: str = "/review/signin") -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture
def signed_in(client):
    response = client.post("/review/signin", data={"token": OWNER_TOKEN, "csrf_token": csrf_token(client)})
    assert response.status_code == 303
    return client


def test_the_review_page_asks_for_sign_in_first(client):
    response = client.get("/review?status=spam")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/review/signin?next=/review?status%3Dspam")


def test_a_wrong_token_is_refused_and_sets_no_owner_session(client):
    response = client.post("/review/signin", data={"token": "nope", "csrf_token": csrf_token(client)})
    assert response.status_code == 401
    assert "not the owner token" in response.get_data(as_text=True)
    assert client.get("/review").status_code == 302


@pytest.mark.parametrize("base_url, secure", [("http://localhost", False), ("https://localhost", True)])
def test_sign_in_sets_a_strict_http_only_cookie_secure_over_https(client, base_url, secure):
    page = client.get("/review/signin", base_url=base_url).get_data(as_text=True)
    response = client.post("/review/signin", base_url=base_url,  # HTTPS: Flask-WTF checks the referrer
                           data={"token": OWNER_TOKEN, "csrf_token": CSRF.search(page).group(1)},
                           headers={"Referer": f"{base_url}/review/signin"})
    cookie = response.headers["Set-Cookie"]
    assert response.status_code == 303
    assert cookie.startswith("modq_session=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert ("; Secure" in cookie) is secure


def test_sign_out_ends_the_session(signed_in):
    signed_in.post("/review/signout", data={"csrf_token": csrf_token(signed_in, "/review")})
    assert signed_in.get("/review").status_code == 302


def test_every_html_page_has_a_content_security_policy(signed_in):
    for path in ("/review", "/review/signin", "/review/nowhere"):
        policy = signed_in.get(path).headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "Content-Security-Policy" not in signed_in.get("/healthz").headers


def test_the_queue_shows_each_comment_with_its_score_reasons_and_counts(signed_in, engine):
    comment_id = store(engine, "一行目\n二行目", score=0.12, homepage="https://aiko.example.jp/")
    store(engine, "buy now", score=0.97)
    html = signed_in.get("/review").get_data(as_text=True)
    assert f'id="c-{comment_id}"' in html and "一行目\n二行目</div>" in html
    assert 'value="0.120"' in html and "12% spam" in html and "&#34;free&#34;" in html
    assert re.search(r'data-count="review">1<', html) and re.search(r'data-count="spam">1<', html)
    assert '<a class="homepage" href="https://aiko.example.jp/" rel="nofollow ugc noopener"' in html
    assert "aiko@example.jp" in html


def test_script_in_a_name_or_body_is_shown_as_text(signed_in, engine):
    store(engine, "<script>alert(1)</script>", name="<script>alert(2)</script>")
    html = signed_in.get("/review").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;script&gt;alert(2)" in html


def test_a_homepage_that_is_not_http_is_never_a_link(signed_in, engine):
    store(engine, homepage="javascript:alert(1)")
    html = signed_in.get("/review").get_data(as_text=True)
    assert 'href="javascript' not in html and '<span class="homepage">javascript:alert(1)</span>' in html


def test_filter_by_post_and_search(signed_in, engine):
    store(engine, "on the first post", post="/one")
    store(engine, "on the second post", post="/two", name="Kenji")
    by_post = signed_in.get("/review?post=/two").get_data(as_text=True)
    assert "on the second post" in by_post and "on the first post" not in by_post
    by_search = signed_in.get("/review?q=kenji").get_data(as_text=True)
    assert "on the second post" in by_search and "on the first post" not in by_search


def test_approving_from_the_page_moves_the_comment_and_returns_to_the_list(signed_in, engine):
    comment_id = store(engine)
    response = signed_in.post(f"/review/{comment_id}/approve",
                              data={"csrf_token": csrf_token(signed_in, "/review"), "next": "/review?q=a"})
    assert response.status_code == 303 and response.headers["Location"] == "/review?q=a"
    assert get_comment(engine, comment_id)["status"] == "approved"
    assert "Approved: comment" in signed_in.get("/review").get_data(as_text=True)


def test_the_script_gets_json_and_a_refused_move_is_409(signed_in, engine):
    comment_id = store(engine)
    token = csrf_token(signed_in, "/review")
    json_accept = {"Accept": "application/json"}
    done = signed_in.post(f"/review/{comment_id}/reject", data={"csrf_token": token}, headers=json_accept)
    assert done.status_code == 200
    assert done.get_json() == {"id": comment_id, "status": "rejected", "previous": "review"}
    refused = signed_in.post(f"/review/{comment_id}/ham", data={"csrf_token": token}, headers=json_accept)
    assert refused.status_code == 409 and get_comment(engine, comment_id)["status"] == "rejected"


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(signed_in, engine):
    comment_id = store(engine)
    response = signed_in.post(f"/review/{comment_id}/approve", data={})
    assert response.status_code == 400
    assert get_comment(engine, comment_id)["status"] == "review"


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "http://localhost:8081"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
])
def test_a_cross_origin_post_is_refused_even_with_a_valid_token(signed_in, engine, headers):
    comment_id = store(engine)
    response = signed_in.post(f"/review/{comment_id}/approve",
                              data={"csrf_token": csrf_token(signed_in, "/review")}, headers=headers)
    assert response.status_code == 403
    assert get_comment(engine, comment_id)["status"] == "review"


def test_a_get_never_changes_anything(signed_in, engine):
    comment_id = store(engine)
    assert signed_in.get(f"/review/{comment_id}/approve").status_code == 405
    assert get_comment(engine, comment_id)["status"] == "review"


def test_actions_need_a_signed_in_owner(client, engine):
    comment_id = store(engine)
    response = client.post(f"/review/{comment_id}/approve", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 401 and get_comment(engine, comment_id)["status"] == "review"


def test_bulk_approves_the_selection_and_reports_what_could_not_move(signed_in, engine):
    first, second = store(engine), store(engine)
    spam_turned_approved = store(engine, score=0.9)
    signed_in.post(f"/review/{first}/reject",
                   data={"csrf_token": csrf_token(signed_in, "/review")})
    response = signed_in.post("/review/bulk", data={
        "csrf_token": csrf_token(signed_in, "/review"), "action": "ham",
        "ids": [str(first), str(second), str(spam_turned_approved)], "next": "/review?status=spam",
    })
    assert response.status_code == 303 and response.headers["Location"] == "/review?status=spam"
    assert get_comment(engine, spam_turned_approved)["status"] == "review"
    html = signed_in.get("/review").get_data(as_text=True)
    assert "Moved to the queue (not spam): 2 comments." in html  # one moved, one already there
    assert f"1 could not be moved that way: {first}<" in html


def test_bulk_refuses_ids_that_are_not_numbers(signed_in, engine):
    response = signed_in.post("/review/bulk", data={
        "csrf_token": csrf_token(signed_in, "/review"), "action": "approve", "ids": ["1 OR 1=1"]})
    assert response.status_code == 400


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/review", "/\\evil.example"])
def test_next_never_leaves_the_review_page(signed_in, engine, target):
    comment_id = store(engine)
    response = signed_in.post(f"/review/{comment_id}/approve",
                              data={"csrf_token": csrf_token(signed_in, "/review"), "next": target})
    assert response.headers["Location"] == "/review"


def test_the_json_apis_need_no_csrf_token(client, owner, engine):
    created = client.post("/api/v1/comments", data={"name": "A", "email": "a@example.jp", "body": "hi"})
    assert created.status_code == 202
    approved = client.post(f"/api/v1/review/{created.get_json()['id']}/approve", headers=owner)
    assert approved.status_code == 200


def test_decide_many_moves_only_what_the_state_machine_allows(engine):
    in_spam, approved = store(engine, score=0.9), store(engine)
    decide_many(engine, [approved], Decision.APPROVE)
    done, refused = decide_many(engine, [in_spam, approved, 999_999], Decision.HAM)
    assert done == [in_spam] and refused == [approved, 999_999]
    assert get_comment(engine, in_spam)["decision"] == "ham"
    assert get_comment(engine, approved)["status"] == "approved"
