"""Akismet's REST API (version 1.1), so an Akismet client pointed at modq works unchanged.

``comment-check`` answers at once, as Akismet does: it scores in the web process with
the live model, loaded on the first call and kept for the life of the process
(reloaded only when the ``LIVE`` pointer changes). The web side imports scikit-learn
only then, so a modq that never sees an Akismet call never pays for it.

comment-check stores nothing. An Akismet client (WordPress, for one) keeps the comment
and runs its own moderation with the verdict; a copy in modq's review queue would have
to be moderated twice. What modq keeps is the feedback: ``submit-spam`` and
``submit-ham`` store the comment with the owner's decision (spam, or approved), under
the post key ``permalink``, so the next ``modq train`` learns from them.

The key is checked on every call, in constant time, against ``MODQ_AKISMET_KEY`` (else
the owner token): as the ``api_key`` form field (``key`` for verify-key) or as the
leading label of the host name (``KEY.modq.example.com``), as Akismet accepts both.
"""

from __future__ import annotations

import logging
import threading

from flask import Blueprint, Response, current_app, request

from service.auth import token_matches
from service.extensions import engine, settings
from service.records import add_decided
from service.storage import Decision, NewComment
from service.submit import ip_hash
from service.validation import LIMITS

bp = Blueprint("akismet", __name__, url_prefix="/1.1")
log = logging.getLogger(__name__)

THANKS = "Thanks for making the web a better place."
DISCARD_SCORE = 0.99  # "blatant" spam: clients may drop it without keeping it
BAD_KEY_HELP = "We were unable to verify your API key."
REQUIRED = ("blog", "user_ip")

_model_lock = threading.Lock()


def _text(body: str, status: int = 200, **headers: str) -> Response:
    return Response(body, status=status, mimetype="text/plain", headers=headers)


def key_is_valid(*field_names: str) -> bool:
    expected = settings().akismet_api_key
    candidates = [request.form.get(name, "") for name in field_names]
    host = request.host.split(":")[0]
    if host.count(".") >= 2:
        candidates.append(host.split(".")[0])
    return any(token_matches(candidate, expected) for candidate in candidates)


def _missing() -> Response | None:
    for name in REQUIRED:
        if not request.form.get(name, "").strip():
            message = f"Missing required field: {name}."
            return _text(message, 400, **{"X-akismet-debug-help": message})
    return None


def live_model():
    """The app's LiveModel (one app per gunicorn process), built on the first Akismet call."""
    with _model_lock:
        if "modq.akismet_model" not in current_app.extensions:
            from classifier import ModelStore
            from worker.runtime import LiveModel

            current_app.extensions["modq.akismet_model"] = LiveModel(
                ModelStore(settings().model_dir), settings().spam_threshold)
        return current_app.extensions["modq.akismet_model"]


def _check(form) -> Response:
    from classifier import CommentInput, ModelNotFound

    live = live_model()
    try:
        model = live.current()
    except ModelNotFound:
        log.error("akismet comment-check: no live model in MODQ_MODEL_DIR")
        return _text("no live model", 503)
    comment = CommentInput(body=form.get("comment_content", ""), name=form.get("comment_author", ""),
                           email=form.get("comment_author_email", ""),
                           homepage=form.get("comment_author_url", ""),
                           page=form.get("permalink", ""))
    score = float(model.predict_proba([comment])[0])
    if score < live.threshold(model):
        return _text("false")
    return _text("true", **({"X-akismet-pro-tip": "discard"} if score >= DISCARD_SCORE else {}))


@bp.post("/comment-check")
def comment_check() -> Response:
    if not key_is_valid("api_key"):
        return _text("invalid", **{"X-akismet-debug-help": BAD_KEY_HELP})
    return _missing() or _check(request.form)


def _feedback(decision: Decision) -> Response:
    if not key_is_valid("api_key"):
        return _text("invalid", **{"X-akismet-debug-help": BAD_KEY_HELP})
    missing = _missing()
    if missing:
        return missing
    form = request.form
    body = form.get("comment_content", "")[: LIMITS["body"]]
    if body.strip():
        add_decided(engine(), NewComment(
            post=form.get("permalink", "")[: LIMITS["post"]],
            name=form.get("comment_author", "")[: LIMITS["name"]],
            email=form.get("comment_author_email", "")[: LIMITS["email"]],
            homepage=form.get("comment_author_url", "")[: LIMITS["homepage"]],
            body=body,
            ip_hash=ip_hash(form.get("user_ip"), settings().secret_key),
            user_agent=form.get("user_agent", "")[:512],
            referrer=form.get("referrer", "")[:1024],
        ), decision)
    return _text(THANKS)


@bp.post("/submit-spam")
def submit_spam() -> Response:
    return _feedback(Decision.SPAM)


@bp.post("/submit-ham")
def submit_ham() -> Response:
    return _feedback(Decision.APPROVE)


@bp.post("/verify-key")
def verify_key() -> Response:
    return _text("valid" if key_is_valid("key", "api_key") else "invalid")
