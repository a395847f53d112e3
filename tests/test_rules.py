"""Sender rules: managed over HTTP and the CLI, applied before the model, counted."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from click.testing import CliRunner

from service.cli import main
from service.rules import (
    Rule,
    RuleAction,
    RuleError,
    RuleKind,
    add_rule,
    count_hit,
    first_match,
    list_rules,
    parse_rule,
)
from service.storage import Status, get_comment, utcnow
from service.validation import CleanComment

COMMENT = {"name": "Ken", "email": "ken@mail.example.com", "homepage": "https://ken.example.org/",
           "body": "Nice post, see www.Casino-Deals.example/x"}


def add(client, owner, action, kind, pattern):
    return client.post("/api/v1/rules", json={"action": action, "kind": kind, "pattern": pattern},
                       headers=owner)


def submit(client, fields=None, ip="203.0.113.7"):
    response = client.post("/api/v1/comments", json=fields or COMMENT, environ_base={"REMOTE_ADDR": ip})
    assert response.status_code == 202
    return response.get_json()["id"]


@pytest.mark.parametrize("kind, pattern", [("email", "KEN@mail.example.com"), ("domain", "example.com"),
                                           ("domain", "ken.example.org"), ("ip", "203.0.113.0/24"),
                                           ("link", "casino-deals")])
def test_a_block_rule_sends_a_matching_comment_to_spam_and_counts_the_hit(client, owner, engine, kind,
                                                                          pattern):
    rule = add(client, owner, "block", kind, pattern).get_json()
    comment = get_comment(engine, submit(client))
    assert comment["status"] == Status.SPAM and comment["reasons"] == [f"blocked by rule {rule['id']}"]
    [listed] = client.get("/api/v1/rules", headers=owner).get_json()["rules"]
    assert listed["hits"] == 1 and listed["last_hit_at"]


def test_a_comment_no_rule_matches_is_left_to_the_model(client, owner, engine):
    for kind, pattern in [("email", "other@mail.example.com"), ("domain", "ample.com"),
                          ("ip", "203.0.114.0/24"), ("link", "pills")]:
        assert add(client, owner, "block", kind, pattern).status_code == 201
    comment = get_comment(engine, submit(client))
    assert comment["status"] == Status.RECEIVED
    assert all(rule["hits"] == 0 for rule in client.get("/api/v1/rules", headers=owner).get_json()["rules"])


def test_a_trusted_sender_is_published_at_once(client, owner, engine):
    rule = add(client, owner, "trust", "email", "ken@mail.example.com").get_json()
    comment_id = submit(client, {**COMMENT, "post": "/p"})
    assert get_comment(engine, comment_id)["reasons"] == [f"trusted by rule {rule['id']}"]
    public = client.get("/api/v1/comments?post=/p").get_json()["comments"]
    assert [c["id"] for c in public] == [comment_id]


def test_block_wins_over_trust_and_only_the_deciding_rule_counts(client, owner, engine):
    trust = add(client, owner, "trust", "email", "ken@mail.example.com").get_json()
    block = add(client, owner, "block", "ip", "203.0.113.7").get_json()
    assert get_comment(engine, submit(client))["reasons"] == [f"blocked by rule {block['id']}"]
    hits = {r["id"]: r["hits"] for r in client.get("/api/v1/rules", headers=owner).get_json()["rules"]}
    assert hits == {trust["id"]: 0, block["id"]: 1}


def test_a_bot_check_beats_a_trust_rule(client, owner, engine):
    add(client, owner, "trust", "email", "ken@mail.example.com")
    comment = get_comment(engine, submit(client, {**COMMENT, "website": "x"}))
    assert comment["status"] == Status.SPAM and comment["reasons"] == ["honeypot field filled"]


def test_ipv6_prefixes_match(client, owner, engine):
    add(client, owner, "block", "ip", "2001:db8::/32")
    assert get_comment(engine, submit(client, ip="2001:db8:1::5"))["status"] == Status.SPAM


def test_rules_need_the_owner_token(client):
    assert client.get("/api/v1/rules").status_code == 401
    new_rule = {"action": "block", "kind": "ip", "pattern": "::1"}
    assert client.post("/api/v1/rules", json=new_rule).status_code == 401
    assert client.delete("/api/v1/rules/1").status_code == 401


@pytest.mark.parametrize("fields, bad", [
    ({"action": "allow", "kind": "email", "pattern": "a@b.c"}, "action"),
    ({"action": "block", "kind": "url", "pattern": "x"}, "kind"),
    ({"action": "block", "kind": "ip", "pattern": "10.0.0.0/33"}, "pattern"),
    ({"action": "block", "kind": "email", "pattern": "no-at-sign"}, "pattern"),
    ({"action": "block", "kind": "domain", "pattern": "a/b"}, "pattern"),
    ({"action": "block", "kind": "link", "pattern": "two words"}, "pattern"),
    ({"action": "block", "kind": "link", "pattern": "x" * 255}, "pattern"),
])
def test_an_invalid_rule_is_422_naming_the_field_and_nothing_is_stored(client, owner, engine, fields, bad):
    response = client.post("/api/v1/rules", json=fields, headers=owner)
    assert response.status_code == 422 and bad in response.get_json()["fields"]
    assert list_rules(engine) == []


def test_a_second_rule_for_the_same_pattern_is_409(client, owner):
    assert add(client, owner, "block", "domain", "spam.example").status_code == 201
    assert add(client, owner, "trust", "domain", "SPAM.example.").status_code == 409


def test_removing_a_rule_stops_it_at_once(client, owner, engine):
    rule = add(client, owner, "block", "ip", "203.0.113.7").get_json()
    assert client.delete(f"/api/v1/rules/{rule['id']}", headers=owner).get_json() == {"id": rule["id"],
                                                                                      "deleted": True}
    assert client.delete(f"/api/v1/rules/{rule['id']}", headers=owner).status_code == 404
    assert get_comment(engine, submit(client))["status"] == Status.RECEIVED


def test_rules_from_the_cli(settings, monkeypatch, app, engine):
    monkeypatch.setenv("MODQ_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MODQ_VAR_DIR", str(settings.var_dir))
    runner = CliRunner()
    added = runner.invoke(main, ["rules", "add", "block", "domain", "Spam.Example"])
    assert added.exit_code == 0 and "block domain spam.example" in added.output
    assert runner.invoke(main, ["rules", "add", "block", "ip", "not-an-ip"]).exit_code != 0
    [rule] = list_rules(engine)
    listed = runner.invoke(main, ["rules", "list"])
    assert "spam.example" in listed.output and "0 hits" in listed.output
    assert runner.invoke(main, ["rules", "remove", str(rule.id)]).exit_code == 0
    assert list_rules(engine) == []
    assert runner.invoke(main, ["rules", "remove", str(rule.id)]).exit_code != 0


def test_hits_counted_from_many_threads_are_all_kept(engine):
    rule = add_rule(engine, "block", "ip", "192.0.2.0/24")
    threads = [threading.Thread(target=lambda: [count_hit(engine, rule.id) for _ in range(10)])
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert list_rules(engine)[0].hits == 40


def test_patterns_are_stored_in_one_canonical_form():
    assert parse_rule("block", "ip", "10.1.2.3/8")[2] == "10.0.0.0/8"
    assert parse_rule("trust", "domain", "@Example.COM")[2] == "example.com"
    assert parse_rule("block", "email", " A@B.example ")[2] == "a@b.example"
    with pytest.raises(RuleError):
        parse_rule("block", "ip", "")


def test_a_link_rule_looks_only_at_links_not_at_the_text():
    casino = Rule(1, RuleAction.BLOCK, RuleKind.LINK, "casino", 0, utcnow(), None)
    clean = CleanComment(name="n", email="n@example.com", homepage="", body="I lost at the casino",
                         post="", redirect="")
    assert first_match([casino], clean, None) is None
    linked = replace(clean, body="I lost at https://Casino.example/poker")
    assert first_match([casino], linked, None) is casino
