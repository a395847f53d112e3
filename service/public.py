"""The public read API: the approved comments of one thread, for the blog to show."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from service.errors import error_response
from service.extensions import engine, settings
from service.listing import approved_for_post
from service.validation import LIMITS
from service.views import public_view

bp = Blueprint("public", __name__, url_prefix="/api/v1")


@bp.get("/comments")
def list_approved():
    post = request.args.get("post", "")
    if not post or len(post) > LIMITS["post"]:
        return error_response(400, "query parameter post is required",
                              {"post": f"is required, at most {LIMITS['post']} characters"})
    rows = approved_for_post(engine(), post)
    return jsonify(post=post, comments=[public_view(row) for row in rows])


@bp.after_request
def allow_blog_origins(response):
    """CORS for the blogs the owner listed, and only for reading."""
    origin = request.headers.get("Origin", "").rstrip("/")
    if request.method == "GET" and origin and origin.lower() in {
        o.lower() for o in settings().allowed_origins
    }:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response
