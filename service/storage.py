"""The comments table and the small queries everything else uses.

A comment's moderation state is a column; every state change is a conditional UPDATE
(``WHERE id = ? AND status IN (...)``), so repeating an action or a job changes a
comment at most once. Text is stored exactly as submitted; the classifier normalises
its own copy.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)

from service.groupcommit import AdmitCheck, group_commit
from service.prepared import Prepared


class Status(enum.StrEnum):
    """Where a comment is in moderation: received -> review|spam -> approved|rejected."""

    RECEIVED = "received"
    REVIEW = "review"
    SPAM = "spam"
    APPROVED = "approved"
    REJECTED = "rejected"


class Decision(enum.StrEnum):
    """An owner's action; each moves a comment from some statuses to one status."""

    APPROVE = "approve"
    REJECT = "reject"
    SPAM = "spam"
    HAM = "ham"


# What each owner decision allows and where it leads. "ham" (not spam) sends a comment
# from the spam folder back to the review queue.
TRANSITIONS: dict[Decision, tuple[frozenset[Status], Status]] = {
    Decision.APPROVE: (frozenset(Status) - {Status.APPROVED}, Status.APPROVED),
    Decision.REJECT: (frozenset(Status) - {Status.REJECTED}, Status.REJECTED),
    Decision.SPAM: (frozenset(Status) - {Status.SPAM}, Status.SPAM),
    Decision.HAM: (frozenset({Status.SPAM}), Status.REVIEW),
}

metadata = MetaData()

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("post", String(512), nullable=False, default=""),
    Column("name", String(100), nullable=False),
    Column("email", String(254), nullable=False),
    Column("homepage", String(254), nullable=False, default=""),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False, default=Status.RECEIVED.value),
    Column("spam_score", Float),
    Column("model_version", String(64)),
    Column("reasons", JSON),
    Column("decision", String(16)),
    # What the model said (review or spam) when it scored, kept when the owner moves the
    # comment: an owner decision that disagrees with it is an override (service.metrics).
    Column("verdict", String(16)),
    Column("ip_hash", String(64), nullable=False, default=""),
    Column("user_agent", String(512), nullable=False, default=""),
    Column("referrer", String(1024), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("scored_at", DateTime(timezone=True)),
    Column("decided_at", DateTime(timezone=True)),
    Column("enqueued_at", DateTime(timezone=True)),
    Column("fingerprint", String(64), nullable=False, default=""),
    Index("ix_comments_status_created", "status", "created_at"),
    Index("ix_comments_post_status", "post", "status"),
    Index("ix_comments_fingerprint", "fingerprint"),
)

# The owner's sender rules (service.rules): block or trust by email, domain, IP prefix
# or a pattern in links, each counting the comments it decided.
rules = Table(
    "rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action", String(8), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("pattern", String(254), nullable=False),
    Column("hits", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_hit_at", DateTime(timezone=True)),
    UniqueConstraint("kind", "pattern", name="uq_rules_kind_pattern"),
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything modq writes is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


SCHEMA_LOCK_ID = 7_243_001  # any constant: serialises schema changes across processes (service.schema)


def init_db(engine: Engine) -> None:
    """Bring the schema to the newest migration (``service.schema``); cheap when it is."""
    from service.schema import upgrade

    upgrade(engine)


@dataclass(frozen=True)
class NewComment:
    post: str
    name: str
    email: str
    homepage: str
    body: str
    ip_hash: str = ""
    user_agent: str = ""
    referrer: str = ""
    fingerprint: str = ""
    status: Status = Status.RECEIVED  # or spam/approved when a sender rule or bot check decided
    reasons: tuple[str, ...] = ()


# The submission path's statements, compiled once (service.prepared): every column a new
# comment sets, and an INSERT that adds nothing when the same comment (fingerprint) was
# stored since ``dup_since``. Either returns the new id.
_NEW_COLUMNS = ("post", "name", "email", "homepage", "body", "ip_hash", "user_agent", "referrer",
                "fingerprint", "status", "reasons", "created_at", "updated_at", "enqueued_at")
_NEW_VALUES = [bindparam(name, type_=comments.c[name].type) for name in _NEW_COLUMNS]
_INSERT = Prepared(insert(comments).values(dict(zip(_NEW_COLUMNS, _NEW_VALUES, strict=True)))
                   .returning(comments.c.id))
_INSERT_UNLESS_DUPLICATE = Prepared(
    insert(comments).from_select(
        _NEW_COLUMNS,
        select(*_NEW_VALUES).where(~exists().where(
            comments.c.fingerprint == bindparam("dup_fingerprint", type_=comments.c.fingerprint.type),
            comments.c.created_at >= bindparam("dup_since", type_=comments.c.created_at.type))),
    ).returning(comments.c.id)
)
_FIRST_DUPLICATE = Prepared(
    select(comments.c.id)
    .where(comments.c.fingerprint == bindparam("dup_fingerprint", type_=comments.c.fingerprint.type),
           comments.c.created_at >= bindparam("dup_since", type_=comments.c.created_at.type))
    .order_by(comments.c.id).limit(1)
)


@dataclass(frozen=True)
class Stored:
    """What ``store_comment`` did: the comment's id, whether it is new, and what the
    commit group's ``after_commit`` call returned (None when there was none)."""

    id: int
    new: bool
    after_commit: Any = None


def add_comment(engine: Engine, new: NewComment) -> int:
    """Store a submitted comment and return its id (committed on return)."""
    return store_comment(engine, new).id


def store_comment(engine: Engine, new: NewComment, duplicate_since: datetime | None = None,
                  after_commit: Callable[[], Any] | None = None,
                  admit: tuple[AdmitCheck, Any] | None = None) -> Stored:
    """Store a comment; or, if a comment with the same fingerprint was stored since
    ``duplicate_since``, return its id and store nothing new.

    ``enqueued_at`` is set optimistically, saving a second write on the hot path; the
    caller clears it with ``mark_unqueued`` if queueing the job then fails.
    Concurrent submissions share a commit (``service.groupcommit``): one fsync for many,
    and ``after_commit`` (the same callable object for all of them) runs once per group;
    an ``admit`` check runs once per group before it and may refuse this comment
    (``service.groupcommit.Refused`` is raised, nothing is stored).
    """
    now = utcnow()
    values = {**new.__dict__, "status": new.status.value, "reasons": list(new.reasons) or None,
              "created_at": now, "updated_at": now,
              "enqueued_at": now if new.status == Status.RECEIVED else None}
    check_duplicates = duplicate_since is not None and bool(new.fingerprint)
    if check_duplicates:
        values.update(dup_fingerprint=new.fingerprint, dup_since=duplicate_since)

    # Parameters converted here, before the group commit: its leader runs the statements
    # while every writer of every process waits, so only the statements run there.
    statement = (_INSERT_UNLESS_DUPLICATE if check_duplicates else _INSERT).bind(engine.dialect, values)

    def insert_unless_duplicate(conn: Connection) -> tuple[int, bool]:
        row = statement.execute(conn).fetchone()
        if not check_duplicates:
            return int(row[0]), True
        if row is not None:
            return int(row[0]), True
        return int(_FIRST_DUPLICATE.execute(conn, values).fetchone()[0]), False

    (comment_id, is_new), after_result = group_commit(engine, insert_unless_duplicate, after_commit, admit)
    return Stored(comment_id, is_new, after_result)


def get_comment(engine: Engine, comment_id: int) -> dict[str, Any] | None:
    with engine.begin() as conn:
        row = conn.execute(select(comments).where(comments.c.id == comment_id)).mappings().first()
    return dict(row) if row else None


def get_comments(engine: Engine, ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    with engine.begin() as conn:
        rows = conn.execute(select(comments).where(comments.c.id.in_(ids))).mappings().all()
    return [dict(row) for row in rows]


def mark_enqueued(engine: Engine, ids: list[int]) -> None:
    """Remember when a scoring job was last queued, so the sweeper can tell lost ones."""
    if not ids:
        return
    with engine.begin() as conn:
        conn.execute(update(comments).where(comments.c.id.in_(ids)).values(enqueued_at=utcnow()))


def mark_unqueued(engine: Engine, comment_id: int) -> None:
    """No job could be queued: let the sweeper pick the comment up at its next pass."""
    with engine.begin() as conn:
        conn.execute(update(comments).where(comments.c.id == comment_id).values(enqueued_at=None))


@dataclass(frozen=True)
class ScoreRecord:
    comment_id: int
    spam_score: float
    reasons: list[str]
    model_version: str
    status: Status


def record_scores(engine: Engine, records: list[ScoreRecord]) -> list[int]:
    """Write scores for comments still ``received``; returns the ids that changed.

    A comment the owner already decided on, or one a duplicate job already scored, is
    left alone: the rows still waiting are read and locked first (SQLite's BEGIN IMMEDIATE,
    PostgreSQL's FOR UPDATE), and the UPDATE repeats the condition, so scoring is
    idempotent. One statement writes the whole batch (executemany).
    """
    if not records:
        return []
    now = utcnow()
    statement = (
        update(comments)
        .where(comments.c.id == bindparam("score_id"), comments.c.status == Status.RECEIVED.value)
        .values(spam_score=bindparam("new_score"), reasons=bindparam("new_reasons", type_=JSON),
                model_version=bindparam("new_version"), status=bindparam("new_status"),
                verdict=bindparam("new_status"), scored_at=now, updated_at=now)
    )
    waiting = select(comments.c.id).where(comments.c.id.in_([rec.comment_id for rec in records]),
                                          comments.c.status == Status.RECEIVED.value)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            waiting = waiting.with_for_update()
        still_waiting = set(conn.execute(waiting).scalars())
        changed = [rec for rec in records if rec.comment_id in still_waiting]
        if changed:
            conn.execute(statement, [
                {"score_id": rec.comment_id, "new_score": rec.spam_score, "new_reasons": rec.reasons,
                 "new_version": rec.model_version, "new_status": rec.status.value} for rec in changed])
    return [rec.comment_id for rec in changed]


def rescore(engine: Engine, records: list[ScoreRecord], statuses: tuple[Status, ...]) -> list[int]:
    """Replace the score of comments still waiting for the owner (after a new model);
    returns the ids it replaced (a rule's or the owner's verdict is left alone)."""
    changed = []
    now = utcnow()
    with engine.begin() as conn:
        for rec in records:
            result = conn.execute(
                update(comments)
                .where(
                    comments.c.id == rec.comment_id,
                    comments.c.status.in_([s.value for s in statuses]),
                    comments.c.decision.is_(None),
                    # Leave alone what a sender rule or bot check decided: not the model's call.
                    or_(comments.c.model_version.is_not(None), comments.c.status == Status.RECEIVED.value),
                )
                .values(
                    spam_score=rec.spam_score,
                    reasons=rec.reasons,
                    model_version=rec.model_version,
                    status=rec.status.value,
                    verdict=rec.status.value,
                    scored_at=now,
                    updated_at=now,
                )
            )
            if result.rowcount:
                changed.append(rec.comment_id)
    return changed


def decide(engine: Engine, comment_id: int, decision: Decision) -> Status | None:
    """Apply an owner decision; returns the new status, or None if the move is not allowed.

    Repeating a decision that already holds is allowed and changes nothing.
    """
    allowed, target = TRANSITIONS[decision]
    now = utcnow()
    with engine.begin() as conn:
        result = conn.execute(
            update(comments)
            .where(comments.c.id == comment_id, comments.c.status.in_([s.value for s in allowed]))
            .values(status=target.value, decision=decision.value, decided_at=now, updated_at=now)
        )
        if result.rowcount:
            return target
        current = conn.execute(
            select(comments.c.status).where(comments.c.id == comment_id)
        ).scalar_one_or_none()
    return target if current == target.value else None


def decide_many(engine: Engine, ids: list[int], decision: Decision) -> tuple[list[int], list[int]]:
    """Apply one decision to many comments in one transaction: ``(done, refused)`` ids.

    The owner clears a page of comments at once; one conditional UPDATE keeps that a
    single commit, and "done" includes comments that already had the target status.
    """
    allowed, target = TRANSITIONS[decision]
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            update(comments)
            .where(comments.c.id.in_(ids), comments.c.status.in_([s.value for s in allowed]))
            .values(status=target.value, decision=decision.value, decided_at=now, updated_at=now)
        )
        found = dict(conn.execute(
            select(comments.c.id, comments.c.status).where(comments.c.id.in_(ids))
        ).all())
    done = [i for i in ids if found.get(i) == target.value]
    return done, [i for i in ids if found.get(i) != target.value]


def unscored_ids(engine: Engine, stale_after: timedelta, limit: int = 1000) -> list[int]:
    """Comments still ``received`` whose job was never queued or was queued long ago."""
    cutoff = utcnow() - stale_after
    with engine.begin() as conn:
        rows = conn.execute(
            select(comments.c.id)
            .where(
                comments.c.status == Status.RECEIVED.value,
                or_(comments.c.enqueued_at.is_(None), comments.c.enqueued_at < cutoff),
            )
            .order_by(comments.c.id)
            .limit(limit)
        ).scalars().all()
    return list(rows)


def waiting_comments(engine: Engine, after_id: int, limit: int) -> list[dict[str, Any]]:
    """The next ``limit`` comments still ``received`` after ``after_id``: what the model reads."""
    with engine.begin() as conn:
        rows = conn.execute(
            select(comments.c.id, comments.c.status, comments.c.body, comments.c.name,
                   comments.c.email, comments.c.homepage, comments.c.post)
            .where(comments.c.status == Status.RECEIVED.value, comments.c.id > after_id)
            .order_by(comments.c.id)
            .limit(limit)
        ).mappings().all()
    return [dict(row) for row in rows]


def waiting_ids(engine: Engine, statuses: tuple[Status, ...], after_id: int = 0,
                limit: int = 500) -> list[int]:
    """Ids of undecided comments in `statuses` above `after_id` (keyset pages for rescore)."""
    with engine.begin() as conn:
        rows = conn.execute(
            select(comments.c.id)
            .where(
                comments.c.status.in_([s.value for s in statuses]),
                comments.c.decision.is_(None),
                comments.c.id > after_id,
            )
            .order_by(comments.c.id)
            .limit(limit)
        ).scalars().all()
    return list(rows)


def oldest_unscored_at(engine: Engine) -> datetime | None:
    with engine.begin() as conn:
        value = conn.execute(
            select(func.min(comments.c.created_at)).where(
                comments.c.status == Status.RECEIVED.value
            )
        ).scalar_one_or_none()
    return as_utc(value)


def owner_labelled(engine: Engine) -> list:
    """The owner's decisions as training labels: spam is spam, approved or "not spam" is ham.

    Rejected comments are not labels: an owner rejects off-topic or rude comments that
    are not spam.
    """
    from classifier.datasets import LabelledComment  # the web side never imports the model

    labels = {Decision.SPAM.value: 1, Decision.APPROVE.value: 0, Decision.HAM.value: 0}
    with engine.begin() as conn:
        rows = conn.execute(
            select(comments.c.body, comments.c.name, comments.c.email, comments.c.homepage,
                   comments.c.decision)
            .where(comments.c.decision.in_(list(labels)))
            .order_by(comments.c.id)
        ).all()
    return [
        LabelledComment(body=r.body, name=r.name, email=r.email, homepage=r.homepage,
                        label=labels[r.decision], source="owner")
        for r in rows
    ]


def owner_labels() -> list:
    """Owner labels from the configured database (what ``modq train`` learns from)."""
    from service.db import make_engine
    from service.settings import Settings

    engine = make_engine(Settings.from_env().database_url)
    init_db(engine)
    return owner_labelled(engine)
