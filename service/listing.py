"""Listing comments for people: the owner's paged, filtered queue and the public thread.

Kept apart from ``service.storage`` (the table and the writes that move a comment through
moderation) because these reads only ever serve a page or an API answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, or_, select

from service.storage import Status, comments

SORTS = {
    "score_desc": (comments.c.spam_score.desc(), comments.c.id.desc()),
    "score_asc": (comments.c.spam_score.asc(), comments.c.id.asc()),
    "newest": (comments.c.created_at.desc(), comments.c.id.desc()),
    "oldest": (comments.c.created_at.asc(), comments.c.id.asc()),
}


@dataclass(frozen=True)
class ReviewQuery:
    status: Status = Status.REVIEW
    sort: str = "score_desc"
    page: int = 1
    per_page: int = 50
    post: str | None = None
    search: str | None = None


def _filters(query: ReviewQuery) -> list:
    conditions = [comments.c.status == query.status.value]
    if query.post:
        conditions.append(comments.c.post == query.post)
    if query.search:
        pattern = "%" + query.search.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        conditions.append(
            or_(
                comments.c.name.ilike(pattern, escape="\\"),
                comments.c.email.ilike(pattern, escape="\\"),
                comments.c.body.ilike(pattern, escape="\\"),
            )
        )
    return conditions


def list_for_review(engine: Engine, query: ReviewQuery) -> tuple[list[dict[str, Any]], int]:
    """One page of comments in a status, with the total count for paging."""
    conditions = _filters(query)
    with engine.begin() as conn:
        total = conn.execute(select(func.count()).select_from(comments).where(*conditions)).scalar_one()
        rows = conn.execute(
            select(comments)
            .where(*conditions)
            .order_by(*SORTS[query.sort])
            .limit(query.per_page)
            .offset((query.page - 1) * query.per_page)
        ).mappings().all()
    return [dict(row) for row in rows], int(total)


def count_by_status(engine: Engine, post: str | None = None) -> dict[str, int]:
    stmt = select(comments.c.status, func.count()).group_by(comments.c.status)
    if post:
        stmt = stmt.where(comments.c.post == post)
    with engine.begin() as conn:
        found = dict(conn.execute(stmt).all())
    return {status.value: int(found.get(status.value, 0)) for status in Status}


def recent_posts(engine: Engine, limit: int = 200) -> list[str]:
    """The thread keys that have comments, most recently commented first (for a filter)."""
    with engine.begin() as conn:
        rows = conn.execute(
            select(comments.c.post).where(comments.c.post != "")
            .group_by(comments.c.post).order_by(func.max(comments.c.created_at).desc()).limit(limit)
        ).scalars().all()
    return list(rows)


def approved_for_post(engine: Engine, post: str, limit: int = 500) -> list[dict[str, Any]]:
    """The approved comments of one thread, oldest first (public fields are picked later)."""
    with engine.begin() as conn:
        rows = conn.execute(
            select(comments.c.id, comments.c.name, comments.c.homepage, comments.c.body,
                   comments.c.created_at)
            .where(comments.c.post == post, comments.c.status == Status.APPROVED.value)
            .order_by(comments.c.created_at.asc(), comments.c.id.asc())
            .limit(limit)
        ).mappings().all()
    return [dict(row) for row in rows]
