"""Sender rules, and a fingerprint per comment so a duplicate submission is found cheaply.

Comments stored before this revision get an empty fingerprint: they are never taken
for a duplicate, which only matters for the few minutes of the duplicate window.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("comments", sa.Column("fingerprint", sa.String(length=64), nullable=False,
                                        server_default=""))
    op.create_index("ix_comments_fingerprint", "comments", ["fingerprint"])
    op.create_table(
        "rules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("pattern", sa.String(length=254), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_hit_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "pattern", name="uq_rules_kind_pattern"),
    )


def downgrade() -> None:
    op.drop_table("rules")
    op.drop_index("ix_comments_fingerprint", table_name="comments")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("fingerprint")
