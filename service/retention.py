"""How long modq keeps what nobody will publish: rejected and spam comments.

They hold personal data (an email, an IP hash) with no use once the owner is sure; the
operator deletes them after a retention period with ``modq purge``.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, delete, func, select

from service.storage import Status, comments, utcnow

PURGEABLE = (Status.REJECTED.value, Status.SPAM.value)


def purge(engine: Engine, older_than: timedelta, dry_run: bool = False) -> int:
    """Delete rejected and spam comments unchanged for ``older_than``; returns how many
    (with ``dry_run``, how many would go)."""
    conditions = (comments.c.status.in_(PURGEABLE), comments.c.updated_at < utcnow() - older_than)
    with engine.begin() as conn:
        if dry_run:
            return int(conn.execute(select(func.count()).select_from(comments).where(*conditions))
                       .scalar_one())
        return int(conn.execute(delete(comments).where(*conditions)).rowcount)
