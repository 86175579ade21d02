"""frozen text embeddings: video_embeddings and window_title_embeddings

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "video_embeddings",
        sa.Column("video_id", sa.String(length=11), nullable=False),
        sa.Column(
            "encoder",
            sa.String(length=255),
            nullable=False,
            comment="id of the frozen sentence encoder",
        ),
        sa.Column(
            "text_sha256",
            sa.String(length=64),
            nullable=False,
            comment="of the video text embedded",
        ),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column(
            "vector", sa.LargeBinary(), nullable=False, comment="float32 little-endian, dim values"
        ),
        sa.Column("embedded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("video_id", "encoder", name=op.f("pk_video_embeddings")),
        comment="Frozen sentence embeddings of video texts; one row per (video, encoder), "
        "recomputed when the text changes.",
    )
    op.create_table(
        "window_title_embeddings",
        sa.Column(
            "text_sha256",
            sa.String(length=64),
            nullable=False,
            comment="of the event text embedded",
        ),
        sa.Column(
            "encoder",
            sa.String(length=255),
            nullable=False,
            comment="id of the frozen sentence encoder",
        ),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column(
            "vector", sa.LargeBinary(), nullable=False, comment="float32 little-endian, dim values"
        ),
        sa.Column("embedded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("text_sha256", "encoder", name=op.f("pk_window_title_embeddings")),
        comment="Frozen sentence embeddings of ActivityWatch event texts (app | title | "
        "category); one row per (distinct text, encoder).",
    )


def downgrade() -> None:
    op.drop_table("window_title_embeddings")
    op.drop_table("video_embeddings")
