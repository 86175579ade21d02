"""rejected items: the quarantine of source items that failed validation

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rejected_items",
        sa.Column(
            "source",
            sa.String(length=32),
            nullable=False,
            comment="takeout | activitywatch | youtube",
        ),
        sa.Column(
            "item_key",
            sa.String(length=200),
            nullable=False,
            comment="the item's id, or what it was",
        ),
        sa.Column("reason", sa.String(length=64), nullable=False, comment="why it was set aside"),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("times_seen", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", "item_key", "reason", name=op.f("pk_rejected_items")),
        comment="Source items set aside by validation (quarantine): each counted and kept here, "
        "never stopping the other items of a run.",
    )


def downgrade() -> None:
    op.drop_table("rejected_items")
