"""The declared schema of the application database (SQLAlchemy 2 Core).

Alembic migrations in ``migrations/versions`` create exactly this schema; a test compares them.
Times are stored in UTC (:class:`UtcDateTime`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    false,
)

# Stable constraint names so that migrations and PostgreSQL agree.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no time zone type, so values are normalised to UTC before they are written and
    marked UTC when they are read. Naive datetimes are refused: their meaning is unknown.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store times as timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _video_id(*, primary_key: bool = True) -> Column[str]:
    """The 11-character YouTube video id: the table's key, or (``primary_key=False``) a
    required column."""
    return Column("video_id", String(11), primary_key=primary_key, nullable=False)


def _required_time(name: str, comment: str | None = None) -> Column[datetime]:
    """A required UTC time (:class:`UtcDateTime`)."""
    return Column(name, UtcDateTime, nullable=False, comment=comment)


def _encoder_key() -> Column[str]:
    """The frozen sentence encoder an embedding table is keyed by (with the text)."""
    return Column(
        "encoder", String(255), primary_key=True, comment="id of the frozen sentence encoder"
    )


def _vector_columns(stamp: str) -> tuple[Column[Any], ...]:
    """A stored vector (``dim`` values, as written by ``vector_store.pack_vector``) and the
    time ``stamp`` it was computed at."""
    return (
        Column("dim", Integer, nullable=False),
        Column("vector", LargeBinary, nullable=False, comment="float32 little-endian, dim values"),
        _required_time(stamp),
    )


aw_events = Table(
    "aw_events",
    metadata,
    Column("bucket_id", String(255), primary_key=True),
    Column("event_id", BigInteger, primary_key=True, autoincrement=False),
    Column("hostname", String(255), nullable=False),
    _required_time("timestamp"),
    Column("duration_s", Float, nullable=False, comment="seconds not AFK during the event"),
    Column("app", Text),
    Column("title", Text),
    Column("url", Text),
    Column("category", Text, nullable=False, comment='JSON list, e.g. ["Work", "Programming"]'),
    comment="ActivityWatch window events, AFK-filtered and categorised; one row per event.",
)
Index("ix_aw_events_timestamp", aw_events.c.timestamp)

videos = Table(
    "videos",
    metadata,
    _video_id(),
    Column("title", Text, nullable=False, comment="original case"),
    Column("channel_id", String(64)),
    Column("channel_title", Text),
    Column("description", Text),
    Column("duration_s", Integer, comment="NULL when unknown; 0 for live streams"),
    Column("published_at", UtcDateTime),
    Column("tags", Text, comment="JSON list"),
    Column("source", String(16), nullable=False, comment="where vrdndi first learned of it"),
    Column("details_from", String(16), nullable=False, comment="api | takeout"),
    _required_time("first_seen_at"),
    comment="YouTube videos from subscriptions, ratings and watch history; one row per video.",
)
Index("ix_videos_published_at", videos.c.published_at)
Index("ix_videos_channel_id", videos.c.channel_id)

video_ratings = Table(
    "video_ratings",
    metadata,
    _video_id(),
    Column("rating", String(8), nullable=False, comment="like | dislike"),
    _required_time("first_seen_at"),
    comment="The user's likes and dislikes as YouTube reports them; one row per video.",
)

watch_history = Table(
    "watch_history",
    metadata,
    _video_id(),
    Column("watched_at", UtcDateTime, primary_key=True),
    Column("title", Text),
    Column("channel_title", Text),
    Column("channel_id", String(64)),
    comment="Google Takeout watch history; one row per (video, moment watched).",
)
Index("ix_watch_history_watched_at", watch_history.c.watched_at)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "click_id", String(64), nullable=False, unique=True, comment="idempotency key of one click"
    ),
    _video_id(primary_key=False),
    Column("kind", String(16), nullable=False, comment="interest | productive"),
    Column(
        "value",
        Integer,
        nullable=False,
        comment="1: interest / correct timing; 0: uninterest / not now",
    ),
    _required_time("created_at"),
    Column("timezone", String(64), nullable=False, comment="the user's IANA zone at the click"),
    CheckConstraint("kind IN ('interest', 'productive')", name="kind"),
    CheckConstraint("value IN (0, 1)", name="value"),
    comment="Feedback clicks in the feed site, append-only; one row per click.",
)
Index("ix_feedback_created_at", feedback.c.created_at)

interest_labels = Table(
    "interest_labels",
    metadata,
    _video_id(),
    Column("label", Integer, nullable=False, comment="1: interest, 0: uninterest"),
    _required_time("labelled_at"),
    Column("source", String(16), nullable=False, server_default="labeller"),
    CheckConstraint("label IN (0, 1)", name="label"),
    comment="Interest labels from the Streamlit labeller; one row per video, the latest wins.",
)

feed_predictions = Table(
    "feed_predictions",
    metadata,
    _video_id(),
    Column("rank", Integer, nullable=False, comment="1 = top of the feed"),
    Column("title", Text, nullable=False, comment="original case"),
    Column("channel_id", String(64)),
    Column("channel_title", Text),
    Column("duration_s", Integer),
    Column("published_at", UtcDateTime),
    Column("interest_score", Float, comment="P(interested); NULL when the ranking had none"),
    Column("productive_score", Float, comment="P(right time now); NULL without a champion"),
    Column("combined_score", Float, nullable=False, comment="what the ranking sorted by"),
    Column("ranking", String(32), nullable=False, comment="champion | interest-baseline | recency"),
    Column("model_version", String(64), nullable=False, comment="champion version, or 'none'"),
    Column("generation", String(32), nullable=False, comment="id of the refresh that wrote it"),
    _required_time("generated_at"),
    Column(
        "reasons",
        Text,
        nullable=False,
        server_default="[]",
        comment="why this video: JSON list of {kind, text, weight}",
    ),
    Column(
        "explored",
        Boolean,
        nullable=False,
        server_default=false(),
        comment="true when an exploration slot chose it",
    ),
    Column(
        "propensity", Float, comment="probability with which the feed's policy put it in its slot"
    ),
    comment="The current feed, replaced as a whole in one transaction; one row per video.",
)
Index("ix_feed_predictions_rank", feed_predictions.c.rank, unique=True)

feed_generation = Table(
    "feed_generation",
    metadata,
    Column("generation", String(32), primary_key=True, comment="id of the refresh"),
    _required_time("generated_at"),
    Column("ranking", String(32), nullable=False, comment="champion | interest-baseline | recency"),
    Column("model_version", String(64), nullable=False, comment="champion version, or 'none'"),
    Column("videos", Integer, nullable=False, comment="rows it wrote to feed_predictions"),
    comment="The refresh that wrote the current feed_predictions (also an empty one); one row, "
    "replaced in the same transaction as the feed.",
)

feed_exposures = Table(
    "feed_exposures",
    metadata,
    Column("generation", String(32), primary_key=True),
    _video_id(),
    Column("rank", Integer, nullable=False),
    Column("explored", Boolean, nullable=False),
    Column("propensity", Float, nullable=False),
    Column("score", Float, nullable=False, comment="the ranking's combined score"),
    Column("ranking", String(32), nullable=False),
    Column("model_version", String(64), nullable=False),
    _required_time("generated_at"),
    comment="Every video every feed showed, with the probability it was chosen with; "
    "append-only (offline evaluation of future rankers).",
)

visibility_changes = Table(
    "visibility_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("change_id", String(64), nullable=False, unique=True),
    Column("target", String(8), nullable=False, comment="video | channel"),
    Column("target_id", String(64), nullable=False),
    Column("label", Text, comment="the video's title or the channel's name"),
    Column("hidden", Boolean, nullable=False, comment="true: hide; false: restore"),
    _required_time("created_at"),
    CheckConstraint("target IN ('video', 'channel')", name="target"),
    comment="Hide / restore of a video and block / unblock of a channel in the feed site, "
    "append-only; the latest change per target wins.",
)
Index("ix_visibility_changes_target", visibility_changes.c.target, visibility_changes.c.target_id)

model_selections = Table(
    "model_selections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _required_time("selected_at"),
    Column("champion_version", String(64), comment="after the selection"),
    Column("champion_family", String(16)),
    Column("labels_total", Integer, nullable=False, comment="labels when training started"),
    Column("summary", Text, nullable=False, comment="JSON: candidates and scores"),
    comment="One row per champion selection (champion_model): what was trained, what was "
    "promoted and why; append-only.",
)

run_failures = Table(
    "run_failures",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("job_name", String(128), nullable=False),
    _required_time("failed_at"),
    Column("message", Text, nullable=False),
    comment="Failed pipeline runs, recorded by a sensor so the feed site can show them.",
)
Index("ix_run_failures_failed_at", run_failures.c.failed_at)

video_encodings = Table(
    "video_encodings",
    metadata,
    _video_id(),
    Column(
        "adapter_version",
        String(64),
        primary_key=True,
        comment="registered model version and its MLflow run id",
    ),
    Column("text_sha256", String(64), nullable=False, comment="of the text the backbone read"),
    *_vector_columns(stamp="encoded_at"),
    comment="Late fusion's cached video vectors; one row per (video, adapter version).",
)

video_embeddings = Table(
    "video_embeddings",
    metadata,
    _video_id(),
    _encoder_key(),
    Column("text_sha256", String(64), nullable=False, comment="of the video text embedded"),
    *_vector_columns(stamp="embedded_at"),
    comment="Frozen sentence embeddings of video texts; one row per (video, encoder), "
    "recomputed when the text changes.",
)

window_title_embeddings = Table(
    "window_title_embeddings",
    metadata,
    Column("text_sha256", String(64), primary_key=True, comment="of the event text embedded"),
    _encoder_key(),
    *_vector_columns(stamp="embedded_at"),
    comment="Frozen sentence embeddings of ActivityWatch event texts (app | title | "
    "category); one row per (distinct text, encoder).",
)

rejected_items = Table(
    "rejected_items",
    metadata,
    Column("source", String(32), primary_key=True, comment="takeout | activitywatch | youtube"),
    Column("item_key", String(200), primary_key=True, comment="the item's id, or what it was"),
    Column("reason", String(64), primary_key=True, comment="why it was set aside"),
    _required_time("first_seen"),
    _required_time("last_seen"),
    Column("times_seen", Integer, nullable=False),
    comment="Source items set aside by validation (quarantine): each counted and kept here, "
    "never stopping the other items of a run.",
)

undescribable_videos = Table(
    "undescribable_videos",
    metadata,
    _video_id(),
    _required_time("first_seen", comment="first asked and not returned"),
    _required_time("last_checked", comment="last asked and not returned"),
    Column("times_checked", Integer, nullable=False),
    comment="Videos the YouTube API did not describe (deleted, private): not asked again "
    "until a re-check is due, so imports do not spend quota on them every run.",
)
