"""The owner's review API: list the queue, read a comment, decide on it.

Every route needs the owner's bearer token. Decisions are POSTs and idempotent: repeating
one changes nothing; a move the state machine does not allow answers 409.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from service.auth import owner_required
from service.errors import error_response
from service.extensions import engine
from service.listing import SORTS, ReviewQuery, count_by_status, list_for_review
from service.storage import Decision, Status, decide, get_comment
from service.views import owner_view

bp = Blueprint("review_api", __name__, url_prefix="/api/v1/review")
MAX_PER_PAGE = 100


class QueryError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise QueryError(name, f"must be a whole number from {low} to {high}")
    return int(raw)


def parse_review_query() -> ReviewQuery:
    """Read ``status``, ``sort``, ``page``, ``per_page``, ``post`` and ``q`` from the URL."""
    status = request.args.get("status", Status.REVIEW.value)
    if status not in {s.value for s in Status}:
        raise QueryError("status", "must be one of " + ", ".join(s.value for s in Status))
    sort = request.args.get("sort", "score_desc")
    if sort not in SORTS:
        raise QueryError("sort", "must be one of " + ", ".join(SORTS))
    return ReviewQuery(
        status=Status(status),
        sort=sort,
        page=_int_arg("page", 1, 1, 1_000_000),
        per_page=_int_arg("per_page", 50, 1, MAX_PER_PAGE),
        post=request.args.get("post") or None,
        search=(request.args.get("q") or "").strip()[:200] or None,
    )


@bp.get("")
@owner_required
def list_queue():
    try:
        query = parse_review_query()
    except QueryError as exc:
        return error_response(400, "invalid query parameter", {exc.field: exc.reason})
    rows, total = list_for_review(engine(), query)
    return jsonify(
        status=query.status.value, sort=query.sort, page=query.page, per_page=query.per_page,
        total=total, counts=count_by_status(engine(), query.post),
        items=[owner_view(row) for row in rows],
    )


@bp.get("/<int:comment_id>")
@owner_required
def show(comment_id: int):
    row = get_comment(engine(), comment_id)
    if row is None:
        return error_response(404, f"no comment {comment_id}")
    return jsonify(owner_view(row))


@bp.post("/<int:comment_id>/<any(approve, reject, spam, ham):action>")
@owner_required
def act(comment_id: int, action: str):
    if get_comment(engine(), comment_id) is None:
        return error_response(404, f"no comment {comment_id}")
    if decide(engine(), comment_id, Decision(action)) is None:
        return error_response(409, f"cannot {action} a comment in its current status")
    return jsonify(owner_view(get_comment(engine(), comment_id)))
