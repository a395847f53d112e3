"""The public submission API: ``POST /api/v1/comments``.

A blog's comment form posts here directly (urlencoded) or a script posts JSON. The
comment is committed before its scoring job is queued, and the answer comes at once:
202 with the id, or 303 back to the blog when the form asked for a redirect. Bots and
blocked senders get the same answer as everyone else (their comment goes to the spam
folder), so the answer teaches a spammer nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from datetime import timedelta

from flask import Blueprint, jsonify, redirect, request

from service.errors import error_response
from service.extensions import engine, scoring_trigger, settings
from service.groupcommit import Refused
from service.payload import PayloadError, read_submission
from service.ratelimit import submission_limits, too_many
from service.rules import count_hit
from service.screening import Verdict, fingerprint, screen
from service.storage import NewComment, Status, Stored, mark_unqueued, store_comment, utcnow
from service.validation import CleanComment, validate_comment

bp = Blueprint("submit", __name__, url_prefix="/api/v1")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
log = logging.getLogger(__name__)


def ip_hash(address: str | None, secret: str) -> str:
    """Client addresses are personal data: keep only a keyed hash, enough to match repeats."""
    if not address:
        return ""
    return hmac.digest(secret.encode(), address.encode(), hashlib.sha256).hex()


def redirect_allowed(url: str, origins: tuple[str, ...]) -> bool:
    """Only send browsers back to a blog origin the owner configured."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    return f"{parts.scheme}://{parts.netloc}".lower() in {o.lower() for o in origins}


def _printable(header: str) -> str:
    """Headers are stored for the owner to read; control characters (a NUL breaks
    PostgreSQL) are dropped rather than refusing a comment over a browser's header."""
    return _CONTROL.sub("", header)


def _store(clean: CleanComment, verdict: Verdict | None) -> Stored:
    """Store the comment, or find the same one sent a moment ago; ``Refused`` (with the
    limit it exceeds) if its client is over a rate limit.

    The submissions of one commit group (``service.groupcommit``) share the rate-limit
    count before the commit and, for comments left to the model, the call that asks for a
    scoring job after it.
    """
    config = settings()
    limits = submission_limits()
    return store_comment(
        engine(),
        NewComment(
            post=clean.post,
            name=clean.name,
            email=clean.email,
            homepage=clean.homepage,
            body=clean.body,
            ip_hash=ip_hash(request.remote_addr, config.secret_key),
            user_agent=_printable(request.headers.get("User-Agent", ""))[:512],
            referrer=_printable(request.referrer or "")[:1024],
            fingerprint=fingerprint(clean.email, clean.body),
            status=verdict.status if verdict else Status.RECEIVED,
            reasons=(verdict.reason,) if verdict else (),
        ),
        duplicate_since=utcnow() - timedelta(seconds=config.duplicate_window_seconds),
        after_commit=scoring_trigger() if verdict is None else None,
        admit=(limits.refusals, request.remote_addr or "") if limits else None,
    )


def _after_store(stored: Stored, verdict: Verdict | None) -> None:
    """Note a comment whose job could not be queued; for a screened comment, count the
    rule that decided it."""
    if verdict is None:
        if not stored.after_commit:
            mark_unqueued(engine(), stored.id)
        return
    log.info("comment %s stored as %s: %s", stored.id, verdict.status.value, verdict.reason)
    if verdict.rule_id is not None:
        count_hit(engine(), verdict.rule_id)


def _counted_error(status: int, message: str, fields: dict[str, str] | None = None):
    """A submission that stores nothing still counts against its client's rate limit:
    429 if it is over one, else the error it earned."""
    limits = submission_limits()
    limit = limits.refused_by(request.remote_addr or "") if limits else None
    return too_many(limit) if limit else error_response(status, message, fields)


@bp.post("/comments")
def submit_comment():
    try:
        raw = read_submission(request)
    except PayloadError as exc:
        return _counted_error(exc.status, exc.message, exc.fields)
    clean, problems = validate_comment(raw)
    if clean and clean.redirect and not redirect_allowed(clean.redirect, settings().allowed_origins):
        problems = {"redirect": "is not on an allowed origin (MODQ_ALLOWED_ORIGINS)"}
    if problems or clean is None:
        return _counted_error(422, "the comment has invalid fields", problems)
    verdict = screen(raw, clean, request.remote_addr, settings())
    try:
        stored = _store(clean, verdict)
    except Refused as refusal:
        return too_many(refusal.answer)
    if stored.new:
        _after_store(stored, verdict)
    if clean.redirect:
        return redirect(clean.redirect, code=303)
    return jsonify(id=stored.id, status=Status.RECEIVED.value), 202
