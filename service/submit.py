"""The public submission API: ``POST /api/v1/comments``.

A blog's comment form posts here directly (urlencoded) or a script posts JSON. The
comment is committed before its scoring job is queued, and the answer comes at once:
202 with the id, or 303 back to the blog when the form asked for a redirect.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, jsonify, redirect, request

from service.errors import error_response
from service.extensions import engine, queue, settings
from service.payload import PayloadError, read_submission
from service.queue import request_scoring
from service.storage import NewComment, Status, add_comment, mark_unqueued
from service.validation import CleanComment, validate_comment

bp = Blueprint("submit", __name__, url_prefix="/api/v1")


def ip_hash(address: str | None, secret: str) -> str:
    """Client addresses are personal data: keep only a keyed hash, enough to match repeats."""
    if not address:
        return ""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()


def redirect_allowed(url: str, origins: tuple[str, ...]) -> bool:
    """Only send browsers back to a blog origin the owner configured."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    return f"{parts.scheme}://{parts.netloc}".lower() in {o.lower() for o in origins}


def _store(clean: CleanComment) -> int:
    return add_comment(
        engine(),
        NewComment(
            post=clean.post,
            name=clean.name,
            email=clean.email,
            homepage=clean.homepage,
            body=clean.body,
            ip_hash=ip_hash(request.remote_addr, settings().secret_key),
            user_agent=request.user_agent.string[:512],
            referrer=(request.referrer or "")[:1024],
        ),
    )


@bp.post("/comments")
def submit_comment():
    try:
        raw = read_submission(request)
    except PayloadError as exc:
        return error_response(exc.status, exc.message, exc.fields)
    clean, problems = validate_comment(raw)
    if clean and clean.redirect and not redirect_allowed(clean.redirect, settings().allowed_origins):
        problems = {"redirect": "is not on an allowed origin (MODQ_ALLOWED_ORIGINS)"}
    if problems or clean is None:
        return error_response(422, "the comment has invalid fields", problems)
    comment_id = _store(clean)
    if not request_scoring(queue()):
        mark_unqueued(engine(), comment_id)
    if clean.redirect:
        return redirect(clean.redirect, code=303)
    return jsonify(id=comment_id, status=Status.RECEIVED.value), 202
