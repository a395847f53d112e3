"""Keep the model's verdict beside the status, so owner overrides can be counted.

Comments scored before this revision and not yet decided get their status as verdict;
decided ones stay unknown (NULL) rather than guessed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("comments", sa.Column("verdict", sa.String(length=16), nullable=True))
    op.execute(
        "UPDATE comments SET verdict = status "
        "WHERE status IN ('review', 'spam') AND spam_score IS NOT NULL AND decision IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("verdict")
