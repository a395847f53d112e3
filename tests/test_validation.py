"""Field validation is a pure function: every field, every way it can be wrong."""

from __future__ import annotations

import pytest

from service.validation import LIMITS, validate_comment

GOOD = {"name": "Aiko", "email": "aiko@example.jp", "body": "素敵な記事でした。", "homepage": ""}


def errors_for(**changes: str) -> dict[str, str]:
    raw = {**GOOD, **changes}
    return validate_comment({k: v for k, v in raw.items() if v is not None})[1]


def test_a_good_comment_is_clean_and_kept_exactly():
    clean, errors = validate_comment({**GOOD, "body": "  二行\r\nの本文  "})
    assert errors == {}
    assert clean is not None and clean.body == "  二行\r\nの本文  "


@pytest.mark.parametrize("field", ["name", "email", "body"])
def test_a_missing_required_field_is_named(field):
    raw = {k: v for k, v in GOOD.items() if k != field}
    assert validate_comment(raw)[1] == {field: "is required"}


@pytest.mark.parametrize("field", ["name", "email", "body"])
@pytest.mark.parametrize("value", ["", "   ", "\n\t "])
def test_an_empty_or_blank_required_field_is_refused(field, value):
    assert field in errors_for(**{field: value})


@pytest.mark.parametrize("field", ["name", "email", "homepage", "body"])
def test_a_too_long_field_is_refused(field):
    long_values = {
        "name": "n" * (LIMITS["name"] + 1),
        "email": "a" * 64 + "@" + ("b" * 60 + ".") * 4 + "jp",
        "homepage": "https://example.com/" + "p" * LIMITS["homepage"],
        "body": "x" * (LIMITS["body"] + 1),
    }
    assert field in errors_for(**{field: long_values[field]})


def test_fields_at_their_limits_are_accepted():
    assert errors_for(name="n" * LIMITS["name"], body="本" * LIMITS["body"]) == {}


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@b.com", "a b@c.com", "a@b.com\r\nBcc: x@y.z"])
def test_an_invalid_email_is_refused(email):
    assert "email" in errors_for(email=email)


def test_the_email_is_stored_normalised():
    clean, _ = validate_comment({**GOOD, "email": "Aiko@EXAMPLE.jp"})
    assert clean is not None and clean.email == "Aiko@example.jp"


@pytest.mark.parametrize(
    "homepage",
    ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "\x01javascript:alert(1)", "data:text/html,x",
     "//evil.example", "ftp://example.com", "https://", "example.com", "http://exa\u200bmple.com"],
)
def test_a_homepage_that_is_not_an_http_link_is_refused(homepage):
    assert "homepage" in errors_for(homepage=homepage)


@pytest.mark.parametrize("homepage", ["https://blog.example.jp/", "http://例え.jp/ページ"])
def test_http_homepages_are_accepted(homepage):
    assert errors_for(homepage=homepage) == {}


@pytest.mark.parametrize("field", ["name", "email"])
def test_control_characters_in_single_line_fields_are_refused(field):
    value = {"name": "Ai\x00ko", "email": "aiko@exa\nmple.jp"}[field]
    assert field in errors_for(**{field: value})


def test_a_nul_in_the_body_is_refused_but_line_breaks_are_kept():
    assert "body" in errors_for(body="bad\x00body")
    assert errors_for(body="line one\nline two\ttab") == {}


@pytest.mark.parametrize("email", ["Aiko@EXAMPLE.jp", "not-an-email", "a b@c.com"])
def test_a_repeated_address_gets_the_answer_email_validator_gives(email):
    from email_validator import EmailNotValidError, validate_email

    try:
        expected = (validate_email(email, check_deliverability=False).normalized, None)
    except EmailNotValidError as exc:
        expected = (email, f"is not a valid email address: {exc}")
    first, second = (validate_comment({**GOOD, "email": email}) for _ in range(2))
    assert first == second
    clean, errors = first
    assert (clean.email if clean else email, errors.get("email")) == expected
