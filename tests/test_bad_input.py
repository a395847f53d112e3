"""Malformed requests anywhere in the API: a 4xx with a JSON error, never a 5xx, nothing stored."""

from __future__ import annotations

import pytest

from service.listing import count_by_status
from service.rules import list_rules
from service.storage import get_comment

GOOD = {"name": "Aiko", "email": "aiko@example.jp", "body": "Hello"}


def nothing_stored(engine) -> bool:
    return sum(count_by_status(engine).values()) == 0


@pytest.mark.parametrize("field", ["name", "email", "body", "homepage", "post", "redirect", "website", "ts"])
def test_a_non_string_in_any_json_field_is_422_naming_it(client, engine, field):
    for value in (["a"], {"a": "b"}, 7, 1.5, True):
        response = client.post("/api/v1/comments", json={**GOOD, field: value})
        assert response.status_code == 422
        assert response.get_json()["fields"] == {field: "must be a string"}
    assert nothing_stored(engine)


@pytest.mark.parametrize("field, size", [("name", 101), ("email", 255), ("homepage", 255), ("body", 10_001),
                                         ("body", 60_000), ("post", 513)])
def test_one_huge_field_inside_the_request_size_limit_is_422(client, engine, field, size):
    value = "https://example.com/" + "a" * size if field == "homepage" else "a" * size
    response = client.post("/api/v1/comments", json={**GOOD, field: value})
    assert response.status_code == 422 and field in response.get_json()["fields"]
    assert nothing_stored(engine)


def test_form_array_syntax_is_not_an_array(client, engine):
    response = client.post("/api/v1/comments", data=b"name[]=a&email=a%40example.com&body=x",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422 and response.get_json()["fields"] == {"name": "is required"}
    assert nothing_stored(engine)


@pytest.mark.parametrize("path", ["/api/v1/comments?post=%00", "/api/v1/review?q=a%00b",
                                  "/api/v1/review?post=%1b", "/api/v1/rules?x%00=1"])
def test_a_control_character_in_a_query_parameter_is_400(client, owner, path):
    response = client.get(path, headers=owner)
    assert response.status_code == 400
    assert response.get_json()["fields"]


@pytest.mark.parametrize("path, method", [("/api/v1/review/2147483648", "get"),
                                          ("/api/v1/review/99999999999999999999/approve", "post"),
                                          ("/api/v1/rules/9223372036854775808", "delete")])
def test_an_id_no_database_column_can_hold_is_404(client, owner, path, method):
    response = getattr(client, method)(path, headers=owner)
    assert response.status_code == 404 and response.get_json()["error"]


def test_control_characters_in_headers_are_dropped_not_a_500(client, engine):
    response = client.post("/api/v1/comments", json=GOOD,
                           headers={"User-Agent": "Bot\x00/1\x01", "Referer": "http://x/\x00"})
    assert response.status_code == 202
    row = get_comment(engine, response.get_json()["id"])
    assert (row["user_agent"], row["referrer"]) == ("Bot/1", "http://x/")


@pytest.mark.parametrize("data, content_type, status", [
    (b'{"action": "block"', "application/json", 400),
    (b'{"action": "block", "action": "trust", "kind": "ip", "pattern": "::1"}', "application/json", 400),
    (b"action=block&action=trust&kind=ip&pattern=%3A%3A1", "application/x-www-form-urlencoded", 400),
    (b'{"action": ["block"], "kind": "ip", "pattern": "::1"}', "application/json", 422),
    (b"action=block", "text/plain", 415),
    (b'{"action": "block", "kind": "ip", "pattern": "::1"}', "application/json; charset=latin-1", 415),
])
def test_a_malformed_rule_request_is_4xx_and_adds_nothing(client, owner, engine, data, content_type, status):
    response = client.post("/api/v1/rules", data=data, content_type=content_type, headers=owner)
    assert response.status_code == status and response.get_json()["error"]
    assert list_rules(engine) == []


def test_an_unknown_api_path_and_a_wrong_method_answer_json(client):
    assert client.get("/api/v1/nothing-here").get_json()["error"]
    response = client.put("/api/v1/comments", json=GOOD)
    assert response.status_code == 405 and response.get_json()["error"] and "Allow" in response.headers
