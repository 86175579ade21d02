"""the feed: feed_predictions, hidden_videos, run_failures

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 14:29:09.116666
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "feed_predictions",
        sa.Column("video_id", sa.String(length=11), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False, comment="1 = top of the feed"),
        sa.Column("title", sa.Text(), nullable=False, comment="original case"),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.Column("channel_title", sa.Text(), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.Column(
            "published_at",
            sa.DateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "interest_score",
            sa.Float(),
            nullable=True,
            comment="P(interested); NULL when the ranking had none",
        ),
        sa.Column(
            "productive_score",
            sa.Float(),
            nullable=True,
            comment="P(right time now); NULL without a champion",
        ),
        sa.Column(
            "combined_score", sa.Float(), nullable=False, comment="what the ranking sorted by"
        ),
        sa.Column(
            "ranking",
            sa.String(length=32),
            nullable=False,
            comment="champion | interest-baseline | recency",
        ),
        sa.Column(
            "model_version",
            sa.String(length=64),
            nullable=False,
            comment="champion version, or 'none'",
        ),
        sa.Column("explanation", sa.Text(), nullable=True, comment="a short 'why this video' line"),
        sa.Column(
            "generation",
            sa.String(length=32),
            nullable=False,
            comment="id of the refresh that wrote it",
        ),
        sa.Column(
            "generated_at",
            sa.DateTime(timezone=True),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("video_id", name=op.f("pk_feed_predictions")),
        comment="The current feed, replaced as a whole in one transaction; one row per video.",
    )
    with op.batch_alter_table("feed_predictions", schema=None) as batch_op:
        batch_op.create_index("ix_feed_predictions_rank", ["rank"], unique=True)

    op.create_table(
        "hidden_videos",
        sa.Column("video_id", sa.String(length=11), nullable=False),
        sa.Column(
            "hidden_at",
            sa.DateTime(timezone=True),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("video_id", name=op.f("pk_hidden_videos")),
        comment="Videos the user hid in the feed site; never shown again. One row per video.",
    )
    op.create_table(
        "run_failures",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("job_name", sa.String(length=128), nullable=False),
        sa.Column(
            "failed_at",
            sa.DateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_run_failures")),
        comment="Failed pipeline runs, recorded by a sensor so the feed site can show them.",
    )
    with op.batch_alter_table("run_failures", schema=None) as batch_op:
        batch_op.create_index("ix_run_failures_failed_at", ["failed_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("run_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_run_failures_failed_at")

    op.drop_table("run_failures")
    op.drop_table("hidden_videos")
    with op.batch_alter_table("feed_predictions", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_predictions_rank")

    op.drop_table("feed_predictions")
