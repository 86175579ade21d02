"""sources: aw_events, videos, video_ratings, watch_history

Revision ID: 0001
Revises:
Create Date: 2026-11-21 11:59:18.555506
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "aw_events",
        sa.Column("bucket_id", sa.String(length=255), nullable=False),
        sa.Column("event_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "duration_s", sa.Float(), nullable=False, comment="seconds not AFK during the event"
        ),
        sa.Column("app", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column(
            "category", sa.Text(), nullable=False, comment='JSON list, e.g. ["Work", "Programming"]'
        ),
        sa.PrimaryKeyConstraint("bucket_id", "event_id", name=op.f("pk_aw_events")),
        comment="ActivityWatch window events, AFK-filtered and categorised; one row per event.",
    )
    with op.batch_alter_table("aw_events", schema=None) as batch_op:
        batch_op.create_index("ix_aw_events_timestamp", ["timestamp"], unique=False)

    op.create_table(
        "video_ratings",
        sa.Column("video_id", sa.String(length=11), nullable=False),
        sa.Column("rating", sa.String(length=8), nullable=False, comment="like | dislike"),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("video_id", name=op.f("pk_video_ratings")),
        comment="The user's likes and dislikes as YouTube reports them; one row per video.",
    )
    op.create_table(
        "videos",
        sa.Column("video_id", sa.String(length=11), nullable=False),
        sa.Column("title", sa.Text(), nullable=False, comment="original case"),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.Column("channel_title", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "duration_s",
            sa.Integer(),
            nullable=True,
            comment="NULL when unknown; 0 for live streams",
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tags", sa.Text(), nullable=True, comment="JSON list"),
        sa.Column(
            "source",
            sa.String(length=16),
            nullable=False,
            comment="where vrdndi first learned of it",
        ),
        sa.Column("details_from", sa.String(length=16), nullable=False, comment="api | takeout"),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("video_id", name=op.f("pk_videos")),
        comment="YouTube videos from subscriptions, ratings and watch history; one row per video.",
    )
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.create_index("ix_videos_channel_id", ["channel_id"], unique=False)
        batch_op.create_index("ix_videos_published_at", ["published_at"], unique=False)

    op.create_table(
        "watch_history",
        sa.Column("video_id", sa.String(length=11), nullable=False),
        sa.Column("watched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("channel_title", sa.Text(), nullable=True),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("video_id", "watched_at", name=op.f("pk_watch_history")),
        comment="Google Takeout watch history; one row per (video, moment watched).",
    )
    with op.batch_alter_table("watch_history", schema=None) as batch_op:
        batch_op.create_index("ix_watch_history_watched_at", ["watched_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("watch_history", schema=None) as batch_op:
        batch_op.drop_index("ix_watch_history_watched_at")

    op.drop_table("watch_history")
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.drop_index("ix_videos_published_at")
        batch_op.drop_index("ix_videos_channel_id")

    op.drop_table("videos")
    op.drop_table("video_ratings")
    with op.batch_alter_table("aw_events", schema=None) as batch_op:
        batch_op.drop_index("ix_aw_events_timestamp")

    op.drop_table("aw_events")
