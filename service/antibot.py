"""Cheap bot checks that need no captcha: a honeypot field and a signed form timestamp.

A comment form carries a field people never see (``website``, hidden by the blog's CSS)
and, optionally, ``ts``: a timestamp signed with the secret key, fetched from
``GET /api/v1/form-token`` when the form is shown. Bots fill every field and post at
once; people leave the hidden field empty and take seconds to write. A submission that
trips either check is stored straight in the spam folder with the reason, never
dropped, so a false positive can still be approved.
"""

from __future__ import annotations

import time

from flask import Blueprint, jsonify
from itsdangerous import BadData, URLSafeSerializer

from service.extensions import settings
from service.public import allow_blog_origins

HONEYPOT_FIELD = "website"
TOKEN_FIELD = "ts"
_SALT = "modq.form-token"

bp = Blueprint("antibot", __name__, url_prefix="/api/v1")
bp.after_request(allow_blog_origins)


def form_token(secret: str, shown_at: float | None = None) -> str:
    """A signed timestamp saying when the form was shown (now unless ``shown_at``)."""
    shown = time.time() if shown_at is None else shown_at
    return URLSafeSerializer(secret, salt=_SALT).dumps(round(shown, 3))


def bot_reason(raw: dict[str, str], secret: str, min_seconds: float, now: float | None = None) -> str | None:
    """Why a submission looks like a bot's, or None.

    ``ts`` is optional (a form without it is only checked for the honeypot); when it is
    present it must carry our signature and be at least ``min_seconds`` old.
    """
    if raw.get(HONEYPOT_FIELD, "").strip():
        return "honeypot field filled"
    token = raw.get(TOKEN_FIELD, "")
    if not token:
        return None
    try:
        shown = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except BadData:
        return "form timestamp is not signed by this server"
    if not isinstance(shown, int | float):
        return "form timestamp is not signed by this server"
    elapsed = (time.time() if now is None else now) - shown
    if elapsed < min_seconds:
        return f"submitted {max(elapsed, 0):.1f} s after the form was shown"
    return None


@bp.get("/form-token")
def issue_form_token():
    """A fresh signed timestamp for a comment form, with the names the form should use."""
    response = jsonify(
        ts=form_token(settings().secret_key),
        token_field=TOKEN_FIELD,
        honeypot_field=HONEYPOT_FIELD,
        min_seconds=settings().min_submit_seconds,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
