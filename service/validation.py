"""Checking a submitted comment: a pure function from raw fields to clean fields or errors.

Validation reads top to bottom, one field at a time, and collects every problem so a
form can show them all at once. Text is never rewritten here beyond trimming the
single-line fields: the body is stored exactly as sent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

LIMITS = {"name": 100, "email": 254, "homepage": 254, "body": 10_000, "post": 512,
          "redirect": 2048}
# The last two are the bot checks' fields (service.antibot): read, never stored.
ACCEPTED_FIELDS = ("name", "email", "homepage", "body", "post", "redirect", "website", "ts")

# Control characters: refused everywhere except tab and line breaks in the body.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BODY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class CleanComment:
    name: str
    email: str
    homepage: str
    body: str
    post: str
    redirect: str


def _single_line(value: str, field: str, errors: dict[str, str], required: bool) -> str:
    stripped = value.strip()
    if required and not stripped:
        errors[field] = "must not be blank" if value else "is required"
        return stripped
    value = stripped
    if len(value) > LIMITS[field]:
        errors[field] = f"must be at most {LIMITS[field]} characters"
    elif _CONTROL.search(value):
        errors[field] = "must not contain control characters"
    return value


def check_homepage(url: str) -> str | None:
    """Why ``url`` is not an acceptable homepage link, or None when it is.

    Only http(s) links with a host are ever rendered; ``javascript:``, ``data:`` and
    protocol-relative ``//host`` links are refused however they are spelled.
    """
    if _CONTROL.search(url) or any(unicodedata.category(ch) == "Cf" for ch in url):
        return "must not contain control characters"
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return "must be an http:// or https:// address"
    if not parts.hostname:
        return "must name a host"
    return None


@lru_cache(maxsize=4096)
def checked_email(address: str) -> tuple[str, str | None]:
    """``(normalized address, None)`` or ``(address, why it is invalid)``.

    email-validator is a pure function of the address (deliverability is not checked)
    and takes ~40 us, most of a submission's validation; people comment again under the
    same address, so its answers are kept (at most 4096, each under 300 characters).
    """
    try:
        return validate_email(address, check_deliverability=False).normalized, None
    except EmailNotValidError as exc:
        return address, f"is not a valid email address: {exc}"


def validate_comment(raw: dict[str, str]) -> tuple[CleanComment | None, dict[str, str]]:
    """Clean a submission, or return each bad field with the reason."""
    errors: dict[str, str] = {}
    name = _single_line(raw.get("name", ""), "name", errors, required=True)
    email = _single_line(raw.get("email", ""), "email", errors, required=True)
    if "email" not in errors:
        email, problem = checked_email(email)
        if problem:
            errors["email"] = problem
    homepage = _single_line(raw.get("homepage", ""), "homepage", errors, required=False)
    if homepage and "homepage" not in errors:
        problem = check_homepage(homepage)
        if problem:
            errors["homepage"] = problem
    body = raw.get("body", "")
    if not body.strip():
        errors["body"] = "must not be blank" if body else "is required"
    elif len(body) > LIMITS["body"]:
        errors["body"] = f"must be at most {LIMITS['body']} characters"
    elif _BODY_CONTROL.search(body):
        errors["body"] = "must not contain control characters other than tabs and line breaks"
    post = _single_line(raw.get("post", ""), "post", errors, required=False)
    redirect = _single_line(raw.get("redirect", ""), "redirect", errors, required=False)
    if errors:
        return None, errors
    return CleanComment(name, email, homepage, body, post, redirect), {}
