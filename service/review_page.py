"""The owner's review page: ``/review``, server-rendered, usable without JavaScript.

Sign-in trades the owner token for a signed session cookie; every change is a POST
checked by ``page_security.protect_post``. Actions answer a 303 back to the list (plain
forms) or JSON when the page's script asks for it, so the keyboard flow never reloads.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException

from service.auth import token_matches
from service.extensions import engine, settings
from service.listing import count_by_status, list_for_review, recent_posts
from service.page_security import protect_post
from service.review_api import QueryError, parse_review_query
from service.storage import Decision, Status, as_utc, decide, decide_many, get_comment
from service.validation import check_homepage

bp = Blueprint("review_page", __name__, url_prefix="/review")
bp.before_request(protect_post)
MAX_BULK = 500
LABELS = {Status.REVIEW: "Queue", Status.SPAM: "Spam", Status.APPROVED: "Approved",
          Status.REJECTED: "Rejected", Status.RECEIVED: "Scoring"}
SORT_LABELS = (("score_desc", "Most likely spam first"), ("score_asc", "Least likely spam first"),
               ("newest", "Newest first"), ("oldest", "Oldest first"))
# (action, button label, keyboard shortcut) offered in each folder, most used first.
APPROVE, REJECT = ("approve", "Approve", "a"), ("reject", "Reject", "r")
SPAM, HAM = ("spam", "Spam", "s"), ("ham", "Not spam", "n")
ACTIONS = {
    Status.REVIEW: (APPROVE, REJECT, SPAM),
    Status.RECEIVED: (APPROVE, REJECT, SPAM),
    Status.SPAM: (HAM, APPROVE, REJECT),
    Status.APPROVED: (REJECT, SPAM),
    Status.REJECTED: (APPROVE, SPAM),
}
DONE_WORDS = {"approve": "Approved", "reject": "Rejected", "spam": "Marked as spam",
              "ham": "Moved to the queue (not spam)"}


def _token_fingerprint() -> str:
    """Ties a session to the current owner token: changing the token signs everyone out."""
    key = settings().secret_key.encode()
    return hmac.new(key, settings().owner_token.encode(), hashlib.sha256).hexdigest()[:32]


def signed_in() -> bool:
    return hmac.compare_digest(str(session.get("owner", "")), _token_fingerprint())


def signin_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        if signed_in():
            return view(*args, **kwargs)
        if request.method == "GET":
            return redirect(url_for(".signin", next=request.full_path.rstrip("?")))
        abort(401, "sign in first")

    return wrapped


def safe_next(target: str | None) -> str:
    """Only ever send the owner back to a page of the review UI (no open redirect)."""
    target = target or ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/review") or "\\" in target:
        return url_for(".queue")
    return target


@bp.get("/signin")
def signin():
    if signed_in():
        return redirect(safe_next(request.args.get("next")))
    return render_template("signin.html", next=request.args.get("next", ""))


@bp.post("/signin")
def signin_submit():
    if not token_matches(request.form.get("token", ""), settings().owner_token):
        return render_template("signin.html", next=request.form.get("next", ""),
                               error="That is not the owner token."), 401
    session.clear()  # a fresh session (and CSRF token) after signing in
    session.permanent = True
    session["owner"] = _token_fingerprint()
    return redirect(safe_next(request.form.get("next")), code=303)


@bp.post("/signout")
def signout():
    session.clear()
    return redirect(url_for(".signin"), code=303)


@bp.get("")
@signin_required
def queue():
    try:
        query = parse_review_query()
    except QueryError as exc:
        abort(400, f"{exc.field} {exc.reason}")
    rows, total = list_for_review(engine(), query)
    pages = max(1, -(-total // query.per_page))
    return render_template(
        "review.html", query=query, rows=rows, total=total, pages=pages,
        counts=count_by_status(engine(), query.post), posts=recent_posts(engine()),
        statuses=list(LABELS), labels=LABELS, sorts=SORT_LABELS, actions=ACTIONS[query.status],
        here=request.full_path.rstrip("?"),
    )


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/<int:comment_id>/<any(approve, reject, spam, ham):action>")
@signin_required
def act(comment_id: int, action: str):
    """Decide on one comment; a move the state machine refuses is a 409, never a 500."""
    before = get_comment(engine(), comment_id)
    if before is None:
        abort(404, f"no comment {comment_id}")
    status = decide(engine(), comment_id, Decision(action))
    if _wants_json():
        if status is None:
            return jsonify(error=f"cannot {action} this comment in its current status"), 409
        return jsonify(id=comment_id, status=status.value, previous=before["status"])
    if status is None:
        flash(f"Comment {comment_id} cannot be moved that way from its current status.", "error")
    else:
        flash(f"{DONE_WORDS[action]}: comment {comment_id}.", "done")
    return redirect(safe_next(request.form.get("next")), code=303)


def _selected_ids() -> list[int]:
    raw = request.form.getlist("ids")
    if len(raw) > MAX_BULK or not all(value.isdigit() for value in raw):
        abort(400, f"select at most {MAX_BULK} comments by id")
    return list(dict.fromkeys(int(value) for value in raw))


@bp.post("/bulk")
@signin_required
def bulk():
    """One decision for every selected comment, in one transaction."""
    action = request.form.get("action", "")
    if action not in {d.value for d in Decision}:
        abort(400, "action must be one of approve, reject, spam, ham")
    ids = _selected_ids()
    if not ids:
        flash("Select some comments first.", "error")
        return redirect(safe_next(request.form.get("next")), code=303)
    done, refused = decide_many(engine(), ids, Decision(action))
    if done:
        flash(f"{DONE_WORDS[action]}: {len(done)} comment{'s' if len(done) != 1 else ''}.", "done")
    if refused:
        flash(f"{len(refused)} could not be moved that way: " + ", ".join(map(str, refused)), "error")
    return redirect(safe_next(request.form.get("next")), code=303)


@bp.context_processor
def page_context() -> dict:
    return {"signed_in": signed_in()}


@bp.app_template_filter("when")
def when(value: datetime | None, layout: str = "%Y-%m-%d %H:%M UTC") -> str:
    value = as_utc(value)
    return value.strftime(layout) if value else ""


@bp.app_template_filter("web_link")
def web_link(url: str | None) -> str | None:
    """The URL if it is safe to put in an href (http or https with a host), else None."""
    if not url or check_homepage(url) is not None:
        return None
    return url


@bp.errorhandler(HTTPException)
def page_error(exc: HTTPException):
    """Errors on the page are pages too (the script asks for JSON and gets JSON)."""
    if _wants_json():
        return jsonify(error=exc.description), exc.code
    return render_template("error.html", error=exc), exc.code
