"""late fusion cache: video_encodings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 15:41:26.122673
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "video_encodings",
        sa.Column("video_id", sa.String(length=11), nullable=False),
        sa.Column(
            "adapter_version",
            sa.String(length=64),
            nullable=False,
            comment="registered model version and its MLflow run id",
        ),
        sa.Column(
            "text_sha256",
            sa.String(length=64),
            nullable=False,
            comment="of the text the backbone read",
        ),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column(
            "vector", sa.LargeBinary(), nullable=False, comment="float32 little-endian, dim values"
        ),
        sa.Column("encoded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("video_id", "adapter_version", name=op.f("pk_video_encodings")),
        comment="Late fusion's cached video vectors; one row per (video, adapter version).",
    )


def downgrade() -> None:

    op.drop_table("video_encodings")
