"""Every HTTP error under /api answers JSON, so clients never parse an HTML error page."""

from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException


def error_response(status: int, message: str, fields: dict[str, str] | None = None):
    body: dict = {"error": message}
    if fields:
        body["fields"] = fields
    return jsonify(body), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            response = exc.get_response()
            payload, status = error_response(exc.code or 500, exc.description or exc.name)
            payload.status_code = status
            for key in ("Retry-After", "Allow", "WWW-Authenticate"):
                if key in response.headers:
                    payload.headers[key] = response.headers[key]
            return payload
        return exc
