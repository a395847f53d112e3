"""Turning a request body into a flat ``{field: str}`` dict, or a precise 4xx.

Both encodings a comment form can use are read strictly: invalid UTF-8, a field sent
twice, JSON that is not an object or holds a non-string where text belongs are all
refused rather than silently repaired, so what is stored is exactly what was sent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from flask import Flask, Request, request
from werkzeug.routing import IntegerConverter

from service.errors import error_response
from service.validation import ACCEPTED_FIELDS

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class DatabaseInt(IntegerConverter):
    """``<int:...>`` in every route: a number no SQL INTEGER column can hold is a 404
    (no such row), never a database error turned 500."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # werkzeug's names
                 max: int | None = 2**31 - 1, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def refuse_control_characters_in_query():
    """A query parameter holding a control character is 400 on every /api route.

    No legitimate parameter has one, and PostgreSQL cannot even compare text with a
    NUL in it: refusing here keeps that from ever reaching SQL as a 500.
    """
    if not request.query_string or not request.path.startswith("/api/"):
        return None
    bad = {key[:100]: "must not contain control characters"
           for key, value in request.args.items(multi=True) if _CONTROL.search(key + value)}
    return error_response(400, "invalid query parameter", bad) if bad else None


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseInt
    app.before_request(refuse_control_characters_in_query)


@dataclass
class PayloadError(Exception):
    status: int
    message: str
    fields: dict[str, str] = field(default_factory=dict)


def _check_charset(request: Request) -> None:
    charset = request.mimetype_params.get("charset")
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise PayloadError(415, f"charset {charset!r} is not supported; send UTF-8")


def _from_form(data: bytes, accepted: tuple[str, ...]) -> dict[str, str]:
    try:
        pairs = parse_qsl(data.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                          encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise PayloadError(400, "the form body is not valid UTF-8") from None
    raw: dict[str, str] = {}
    repeated: dict[str, str] = {}
    for key, value in pairs:
        if key in raw and key in accepted:
            repeated[key] = "was sent more than once"
        raw[key] = value
    if repeated:
        raise PayloadError(400, "a field was sent more than once", repeated)
    return raw


def _reject_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise PayloadError(400, "a field was sent more than once", {key: "was sent more than once"})
        seen[key] = value
    return seen


def _from_json(data: bytes, accepted: tuple[str, ...]) -> dict[str, str]:
    try:
        document = json.loads(data.decode("utf-8"), object_pairs_hook=_reject_duplicate_keys)
    except (UnicodeDecodeError, ValueError):
        raise PayloadError(400, "the body is not valid UTF-8 JSON") from None
    if not isinstance(document, dict):
        raise PayloadError(400, "the JSON body must be an object")
    raw: dict[str, str] = {}
    wrong = {}
    for key in accepted:
        value = document.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            wrong[key] = "must be a string"
        raw[key] = value if isinstance(value, str) else ""
    if wrong:
        raise PayloadError(422, "invalid fields", wrong)
    return raw


def read_fields(request: Request, accepted: tuple[str, ...]) -> dict[str, str]:
    """The ``accepted`` text fields of a form post or JSON request (others are ignored)."""
    if request.mimetype not in (FORM, JSON):
        raise PayloadError(415, f"send {FORM} or {JSON}")
    _check_charset(request)
    data = request.get_data(cache=True)
    return _from_form(data, accepted) if request.mimetype == FORM else _from_json(data, accepted)


def read_submission(request: Request) -> dict[str, str]:
    """The submitted fields of a comment form post or JSON request."""
    return read_fields(request, ACCEPTED_FIELDS)
