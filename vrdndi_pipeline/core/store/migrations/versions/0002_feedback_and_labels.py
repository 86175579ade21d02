"""people's tables: feedback, interest_labels

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 12:21:58.693423
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column(
            "click_id", sa.String(length=64), nullable=False, comment="idempotency key of one click"
        ),
        sa.Column("video_id", sa.String(length=11), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="interest | productive"),
        sa.Column(
            "value",
            sa.Integer(),
            nullable=False,
            comment="1: interest / correct timing; 0: uninterest / not now",
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "timezone",
            sa.String(length=64),
            nullable=False,
            comment="the user's IANA zone at the click",
        ),
        sa.CheckConstraint("kind IN ('interest', 'productive')", name=op.f("ck_feedback_kind")),
        sa.CheckConstraint("value IN (0, 1)", name=op.f("ck_feedback_value")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("click_id", name=op.f("uq_feedback_click_id")),
        comment="Feedback clicks in the feed site, append-only; one row per click.",
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index("ix_feedback_created_at", ["created_at"], unique=False)

    op.create_table(
        "interest_labels",
        sa.Column("video_id", sa.String(length=11), nullable=False),
        sa.Column("label", sa.Integer(), nullable=False, comment="1: interest, 0: uninterest"),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), server_default="labeller", nullable=False),
        sa.CheckConstraint("label IN (0, 1)", name=op.f("ck_interest_labels_label")),
        sa.PrimaryKeyConstraint("video_id", name=op.f("pk_interest_labels")),
        comment="Interest labels from the Streamlit labeller; one row per video, the latest wins.",
    )


def downgrade() -> None:

    op.drop_table("interest_labels")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_created_at")

    op.drop_table("feedback")
