"""undescribable videos: ids the YouTube API did not return, not asked again every run

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "undescribable_videos",
        sa.Column("video_id", sa.String(length=11), nullable=False),
        sa.Column(
            "first_seen",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="first asked and not returned",
        ),
        sa.Column(
            "last_checked",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="last asked and not returned",
        ),
        sa.Column("times_checked", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("video_id", name=op.f("pk_undescribable_videos")),
        comment="Videos the YouTube API did not describe (deleted, private): not asked again "
        "until a re-check is due, so imports do not spend quota on them every run.",
    )


def downgrade() -> None:
    op.drop_table("undescribable_videos")
