"""reasons and steering: structured reasons and exploration on feed rows, the exposure log,
append-only hide / block changes (replacing hidden_videos), and the model selections

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed_predictions", schema=None) as batch_op:
        batch_op.drop_column("explanation")
        batch_op.add_column(
            sa.Column(
                "reasons",
                sa.Text(),
                nullable=False,
                server_default="[]",
                comment="why this video: JSON list of {kind, text, weight}",
            )
        )
        batch_op.add_column(
            sa.Column(
                "explored",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
                comment="true when an exploration slot chose it",
            )
        )
        batch_op.add_column(
            sa.Column(
                "propensity",
                sa.Float(),
                comment="probability with which the feed's policy put it in its slot",
            )
        )
    op.create_table(
        "feed_exposures",
        sa.Column("generation", sa.String(length=32), nullable=False),
        sa.Column("video_id", sa.String(length=11), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("explored", sa.Boolean(), nullable=False),
        sa.Column("propensity", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False, comment="the ranking's combined score"),
        sa.Column("ranking", sa.String(length=32), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("generation", "video_id", name=op.f("pk_feed_exposures")),
        comment="Every video every feed showed, with the probability it was chosen with; "
        "append-only (offline evaluation of future rankers).",
    )
    op.create_table(
        "visibility_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("change_id", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=8), nullable=False, comment="video | channel"),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("label", sa.Text(), comment="the video's title or the channel's name"),
        sa.Column("hidden", sa.Boolean(), nullable=False, comment="true: hide; false: restore"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "target IN ('video', 'channel')", name=op.f("ck_visibility_changes_target")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visibility_changes")),
        sa.UniqueConstraint("change_id", name=op.f("uq_visibility_changes_change_id")),
        comment="Hide / restore of a video and block / unblock of a channel in the feed site, "
        "append-only; the latest change per target wins.",
    )
    with op.batch_alter_table("visibility_changes", schema=None) as batch_op:
        batch_op.create_index("ix_visibility_changes_target", ["target", "target_id"])
    # Hidden videos of earlier versions become hide changes; nothing a person did is lost.
    hidden = sa.table("hidden_videos", sa.column("video_id"), sa.column("hidden_at"))
    changes = sa.table(
        "visibility_changes",
        *(sa.column(c) for c in ("change_id", "target", "target_id", "label", "hidden")),
        sa.column("created_at"),
    )
    op.execute(
        changes.insert().from_select(
            ["change_id", "target", "target_id", "label", "hidden", "created_at"],
            sa.select(
                sa.literal("hidden-") + hidden.c.video_id,
                sa.literal("video"),
                hidden.c.video_id,
                sa.null(),
                sa.true(),
                hidden.c.hidden_at,
            ),
        )
    )
    op.drop_table("hidden_videos")
    op.create_table(
        "model_selections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("selected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("champion_version", sa.String(length=64), comment="after the selection"),
        sa.Column("champion_family", sa.String(length=16)),
        sa.Column(
            "labels_total", sa.Integer(), nullable=False, comment="labels when training started"
        ),
        sa.Column("summary", sa.Text(), nullable=False, comment="JSON: candidates and scores"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_selections")),
        comment="One row per champion selection (champion_model): what was trained, what was "
        "promoted and why; append-only.",
    )


def downgrade() -> None:
    op.drop_table("model_selections")
    op.create_table(
        "hidden_videos",
        sa.Column("video_id", sa.String(length=11), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("video_id", name=op.f("pk_hidden_videos")),
    )
    op.drop_table("visibility_changes")
    op.drop_table("feed_exposures")
    with op.batch_alter_table("feed_predictions", schema=None) as batch_op:
        batch_op.drop_column("propensity")
        batch_op.drop_column("explored")
        batch_op.drop_column("reasons")
        batch_op.add_column(sa.Column("explanation", sa.Text()))
