"""The OpenAPI 3 description of modq's whole HTTP API, served at ``/api/v1/openapi.json``.

Written by hand next to the code it describes; ``tests/test_openapi.py`` fails when an
API route (``/api/``, the Akismet ``/1.1/`` endpoints, health and metrics) is missing
here, and fuzzes the app against this document. The HTML review page is not an API.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from service.storage import Status
from service.validation import LIMITS

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

STRING = {"type": "string"}
TIME = {"type": "string", "format": "date-time"}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": STRING, "fields": {"type": "object", "additionalProperties": STRING}},
}
ERROR_TEXT = {
    303: "Redirect back to the blog (the form sent `redirect`)",
    400: "Malformed request", 401: "Owner token missing or wrong", 404: "No such item",
    409: "Conflicts with the current state", 413: "Request too large",
    415: "Unsupported content type or charset", 422: "Invalid fields",
    429: "Too many submissions from this address (see Retry-After)",
}


def _text(limit: int | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "string", **({"maxLength": limit} if limit else {}), **extra}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _responses(ok: dict[int, dict[str, Any]], *errors: int) -> dict[str, Any]:
    documented: dict[str, Any] = {str(code): body for code, body in ok.items()}
    for code in errors:
        body = {"description": ERROR_TEXT[code]}
        if code != 303:
            body["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        documented[str(code)] = body
    return documented


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, **({"required": list(required)} if required else {})}


def _query(name: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def _path(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema},
                                          "application/json": {"schema": schema}}}


SUBMISSION = _object({
    "name": _text(LIMITS["name"]), "email": _text(LIMITS["email"], format="email"),
    "body": _text(LIMITS["body"]), "homepage": _text(LIMITS["homepage"], format="uri"),
    "post": _text(LIMITS["post"]), "redirect": _text(LIMITS["redirect"], format="uri"),
    "website": _text(description="Honeypot: leave empty (hide it from people)"),
    "ts": _text(description="Signed timestamp from GET /api/v1/form-token"),
}, ("name", "email", "body"))
COMMENT_ID = _path("comment_id", {"type": "integer", "minimum": 0})
OWNER = [{"owner": []}]
STATUSES = [s.value for s in Status]
OWNER_COMMENT = _object({
    "id": {"type": "integer"}, "post": STRING, "name": STRING, "email": STRING, "homepage": STRING,
    "body": STRING, "status": {"type": "string", "enum": STATUSES},
    "spam_score": {"type": ["number", "null"]}, "model_version": {"type": ["string", "null"]},
    "reasons": {"type": ["array", "null"], "items": STRING}, "decision": {"type": ["string", "null"]},
})
RULE = _object({
    "id": {"type": "integer"}, "action": {"type": "string", "enum": ["block", "trust"]},
    "kind": {"type": "string", "enum": ["email", "domain", "ip", "link"]}, "pattern": STRING,
    "hits": {"type": "integer"}, "created_at": TIME, "last_hit_at": {"type": ["string", "null"]},
})
NEW_RULE = _object({"action": RULE["properties"]["action"], "kind": RULE["properties"]["kind"],
                    "pattern": _text(254)}, ("action", "kind", "pattern"))

AKISMET_FORM = _object({name: STRING for name in (
    "api_key", "key", "blog", "user_ip", "user_agent", "referrer", "permalink", "comment_type",
    "comment_author", "comment_author_email", "comment_author_url", "comment_content")})


def _plain(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/plain": {"schema": STRING}}}


PATHS: dict[str, dict[str, Any]] = {
    "/healthz": {"get": {"summary": "Liveness", "responses": _responses(
        {200: _ok("Up", _object({"status": STRING}))})}},
    "/api/v1/comments": {
        "post": {
            "summary": "Submit a comment (a blog's form posts here)",
            "requestBody": _body(SUBMISSION),
            "responses": _responses({202: _ok("Stored; scored in the background", _object(
                {"id": {"type": "integer"}, "status": STRING}))}, 303, 400, 413, 415, 422, 429),
        },
        "get": {
            "summary": "The approved comments of a thread, oldest first",
            "parameters": [_query("post", _text(LIMITS["post"], minLength=1), required=True)],
            "responses": _responses({200: _ok("Approved comments", _object({
                "post": STRING, "comments": {"type": "array", "items": _object({
                    "id": {"type": "integer"}, "name": STRING, "homepage": STRING, "body": STRING,
                    "created_at": TIME})}}))}, 400),
        },
    },
    "/api/v1/form-token": {"get": {
        "summary": "A signed timestamp for a comment form (the too-fast-to-be-human check)",
        "responses": _responses({200: _ok("Token", _object({
            "ts": STRING, "token_field": STRING, "honeypot_field": STRING, "min_seconds": {
                "type": "number"}}))})}},
    "/api/v1/review": {"get": {
        "summary": "One page of comments in a status (default: the review queue)", "security": OWNER,
        "parameters": [
            _query("status", {"type": "string", "enum": STATUSES}),
            _query("sort", {"type": "string", "enum": ["score_desc", "score_asc", "newest", "oldest"]}),
            _query("page", {"type": "integer", "minimum": 1}),
            _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100}),
            _query("post", STRING), _query("q", STRING),
        ],
        "responses": _responses({200: _ok("A page", _object({
            "total": {"type": "integer"}, "counts": {"type": "object"},
            "items": {"type": "array", "items": OWNER_COMMENT}}))}, 400, 401)}},
    "/api/v1/review/{comment_id}": {"get": {
        "summary": "One comment, every field", "security": OWNER, "parameters": [COMMENT_ID],
        "responses": _responses({200: _ok("The comment", OWNER_COMMENT)}, 401, 404)}},
    "/api/v1/review/{comment_id}/{action}": {"post": {
        "summary": "Decide on a comment (repeating a decision is harmless)", "security": OWNER,
        "parameters": [COMMENT_ID, _path("action", {"type": "string",
                                                    "enum": ["approve", "reject", "spam", "ham"]})],
        "responses": _responses({200: _ok("The comment after the decision", OWNER_COMMENT)},
                                401, 404, 409)}},
    "/api/v1/rules": {
        "get": {"summary": "The sender rules with their hit counts", "security": OWNER,
                "responses": _responses({200: _ok("Rules", _object(
                    {"rules": {"type": "array", "items": RULE}}))}, 401)},
        "post": {"summary": "Add a sender rule", "security": OWNER, "requestBody": _body(NEW_RULE),
                 "responses": _responses({201: _ok("The new rule", RULE)}, 400, 401, 409, 413, 415, 422)},
    },
    "/api/v1/rules/{rule_id}": {"delete": {
        "summary": "Remove a sender rule", "security": OWNER,
        "parameters": [_path("rule_id", {"type": "integer", "minimum": 0})],
        "responses": _responses({200: _ok("Removed", _object(
            {"id": {"type": "integer"}, "deleted": {"type": "boolean"}}))}, 401, 404)}},
    "/api/v1/openapi.json": {"get": {"summary": "This document", "responses": _responses(
        {200: _ok("OpenAPI 3.1 document", {"type": "object"})})}},
    "/readyz": {"get": {"summary": "Readiness: database, Redis and a live model", "responses": {
        str(code): _ok(text, _object({"status": STRING, "checks": {"type": "object"}}))
        for code, text in ((200, "Ready"), (503, "Not ready; checks says why"))}}},
    "/metrics": {"get": {"summary": "Prometheus metrics", "security": OWNER, "responses": {
        "200": _plain("Prometheus text format"), **_responses({}, 401)}}},
    **{f"/1.1/{name}": {"post": {
        "summary": summary, "description": "Akismet-compatible: see the Akismet API documentation.",
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": AKISMET_FORM}}},
        "responses": {"200": _plain("true/false, valid/invalid or thanks"),
                      "400": _plain("A required field is missing"),
                      "503": _plain("No live model yet (modq train)")}}}
       for name, summary in (("comment-check", "Is this comment spam?"),
                             ("submit-spam", "The owner says: spam"),
                             ("submit-ham", "The owner says: not spam"),
                             ("verify-key", "Is this key valid?"))},
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "modq", "version": "1",
             "description": "Self-hosted comment moderation with a spam filter that explains itself."},
    "paths": PATHS,
    "components": {
        "schemas": {"Error": ERROR},
        "securitySchemes": {"owner": {"type": "http", "scheme": "bearer",
                                      "description": "MODQ_OWNER_TOKEN"}},
    },
}


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(DOCUMENT)
