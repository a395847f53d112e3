"""Writing comments that did not come through the comment form: Akismet feedback, imports.

Both keep the state machine's shapes (an approved comment carries ``approve``, a spam one
``spam``), so ``storage.owner_labelled`` learns from them like from any owner decision.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, insert, select

from service.storage import TRANSITIONS, Decision, NewComment, comments, decide, utcnow

SUBMITTED = ("post", "name", "email", "homepage", "body", "ip_hash", "user_agent", "referrer")


def add_decided(engine: Engine, new: NewComment, decision: Decision) -> int:
    """Store a comment with an owner's decision, or decide on the same one stored before.

    "The same" is the same thread, email and text: reporting a comment twice (or
    reporting it spam, then ham) changes one row, not two training labels.
    """
    with engine.begin() as conn:
        existing = conn.execute(
            select(comments.c.id).where(comments.c.post == new.post, comments.c.email == new.email,
                                        comments.c.body == new.body).order_by(comments.c.id).limit(1)
        ).scalar_one_or_none()
        if existing is None:
            now = utcnow()
            result = conn.execute(insert(comments).values(
                **{name: getattr(new, name) for name in SUBMITTED},
                status=TRANSITIONS[decision][1].value, decision=decision.value,
                created_at=now, updated_at=now, decided_at=now,
            ))
            return int(result.inserted_primary_key[0])
    decide(engine, existing, decision)
    return existing


def insert_rows(engine: Engine, rows: list[dict[str, Any]]) -> list[int]:
    """Insert complete comment rows (an import) in one transaction; returns the new ids."""
    ids = []
    with engine.begin() as conn:
        for row in rows:
            ids.append(int(conn.execute(insert(comments).values(**row)).inserted_primary_key[0]))
    return ids
