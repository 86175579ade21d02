"""feed_generation: the refresh that wrote the current feed, also when it wrote no rows

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_generation",
        sa.Column("generation", sa.String(length=32), nullable=False, comment="id of the refresh"),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
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
        sa.Column(
            "videos", sa.Integer(), nullable=False, comment="rows it wrote to feed_predictions"
        ),
        sa.PrimaryKeyConstraint("generation", name=op.f("pk_feed_generation")),
        comment="The refresh that wrote the current feed_predictions (also an empty one); one "
        "row, replaced in the same transaction as the feed.",
    )
    # A feed written before this table existed keeps its generation.
    op.execute(
        "INSERT INTO feed_generation (generation, generated_at, ranking, model_version, videos) "
        "SELECT generation, MIN(generated_at), MIN(ranking), MIN(model_version), COUNT(*) "
        "FROM feed_predictions GROUP BY generation"
    )


def downgrade() -> None:
    op.drop_table("feed_generation")
