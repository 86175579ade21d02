"""Training rows from the source tables: interest labels, and productive feedback in context.

``interest_rows``: one row per video with the user's latest interest judgement, from likes and
dislikes, the labeller's ``interest_labels`` and interest clicks in the feed.
``productive_rows``: one row per "correct timing" / "not now" click, joined with the
ActivityWatch events of the hours before the click (read from ``aw_events``, never live), each
clipped at the click so nothing from the future leaks in.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Integer, literal, select, union_all

from vrdndi_pipeline.core.store.schema import (
    aw_events,
    feedback,
    interest_labels,
    video_ratings,
    videos,
)

INTEREST_COLUMNS = [
    "video_id",
    "title",
    "channel_title",
    "description",
    "duration_s",
    "interest_label",
    "label_source",
    "labelled_at",
]
PRODUCTIVE_COLUMNS = [
    "feedback_id",
    "video_id",
    "title",
    "channel_title",
    "description",
    "duration_s",
    "productive_label",
    "feedback_at",
    "timezone",
    "context_events",
    "context_event_count",
]
CONTEXT_FEATURES = "context_features"  # JSON object of named features, added by the asset


@dataclass(frozen=True, slots=True)
class RowStats:
    """What went into a training table and what was left out, for the asset's metadata."""

    rows: int
    by_label: dict[str, int]
    dropped: dict[str, int] = field(default_factory=dict)
    extra: dict[str, int] = field(default_factory=dict)


def _video_text_columns() -> list[Any]:
    return [videos.c.title, videos.c.channel_title, videos.c.description, videos.c.duration_s]


def interest_rows(conn: Connection) -> tuple[pd.DataFrame, RowStats]:
    """The latest interest judgement per video, with the video's text; see the module doc."""
    ratings = select(
        video_ratings.c.video_id,
        (video_ratings.c.rating == "like").cast(Integer).label("label"),
        video_ratings.c.rating.label("source"),
        video_ratings.c.first_seen_at.label("at"),
    )
    labels = select(
        interest_labels.c.video_id,
        interest_labels.c.label,
        interest_labels.c.source,
        interest_labels.c.labelled_at,
    )
    clicks = select(
        feedback.c.video_id,
        feedback.c.value,
        literal("feedback"),
        feedback.c.created_at,
    ).where(feedback.c.kind == "interest")
    judgements = union_all(ratings, labels, clicks).subquery()
    rows = conn.execute(
        select(judgements, *_video_text_columns()).outerjoin(
            videos, videos.c.video_id == judgements.c.video_id
        )
    ).all()

    latest: dict[str, Any] = {}
    dropped: Counter[str] = Counter()
    for row in rows:
        at = _utc(row.at)
        if row.title is None:
            dropped["video_unknown"] += 1
            continue
        current = latest.get(row.video_id)
        if current is None or at >= current[1]:
            latest[row.video_id] = (row, at)
    records = [
        {
            "video_id": row.video_id,
            "title": row.title,
            "channel_title": row.channel_title,
            "description": row.description,
            "duration_s": row.duration_s,
            "interest_label": int(row.label),
            "label_source": "liked"
            if row.source == "like"
            else "disliked"
            if row.source == "dislike"
            else row.source,
            "labelled_at": at,
        }
        for row, at in sorted(latest.values(), key=lambda item: item[0].video_id)
    ]
    superseded = len(rows) - sum(dropped.values()) - len(records)
    sources = Counter(record["label_source"] for record in records)
    extra = {
        "superseded_by_a_later_label": superseded,
        **{f"source_{source}": count for source, count in sources.most_common()},
    }
    return _table(records, INTEREST_COLUMNS, "labelled_at", "interest_label", dropped, extra)


def productive_rows(conn: Connection, context_hours: float) -> tuple[pd.DataFrame, RowStats]:
    """One row per video with a productive click — its latest — with the ActivityWatch context
    of that click (JSON list of events)."""
    clicks = conn.execute(
        select(feedback, *_video_text_columns())
        .outerjoin(videos, videos.c.video_id == feedback.c.video_id)
        .where(feedback.c.kind == "productive")
        .order_by(feedback.c.created_at, feedback.c.id)
    ).all()
    window = timedelta(hours=context_hours)
    events = events_between(
        conn,
        min((_utc(c.created_at) for c in clicks), default=None),
        max((_utc(c.created_at) for c in clicks), default=None),
        window,
    )
    starts = [e["start"] for e in events]

    # Changing one's mind is a new click: the latest productive click of a video wins.
    latest = {click.video_id: click.id for click in clicks}
    superseded = len(clicks) - len(latest)
    clicks = [click for click in clicks if latest[click.video_id] == click.id]
    records = []
    dropped: Counter[str] = Counter()
    without_context = 0
    for click in clicks:
        if click.title is None:
            dropped["video_unknown"] += 1
            continue
        at = _utc(click.created_at)
        lo, hi = bisect.bisect_left(starts, at - window), bisect.bisect_left(starts, at)
        context = [clipped_event(event, at) for event in events[lo:hi]]
        without_context += not context
        records.append(
            {
                "feedback_id": click.id,
                "video_id": click.video_id,
                "title": click.title,
                "channel_title": click.channel_title,
                "description": click.description,
                "duration_s": click.duration_s,
                "productive_label": int(click.value),
                "feedback_at": at,
                "timezone": click.timezone,
                "context_events": json.dumps(context, ensure_ascii=False),
                "context_event_count": len(context),
            }
        )
    extra = {"rows_without_context": without_context, "superseded_by_a_later_click": superseded}
    return _table(records, PRODUCTIVE_COLUMNS, "feedback_at", "productive_label", dropped, extra)


def context_texts(frame: pd.DataFrame) -> list[str]:
    """The distinct event texts of the rows' ``context_events`` (what the encoder embeds)."""
    from vrdndi_pipeline.core.model.context_features import event_text, parse_context_events

    texts = (event_text(e) for raw in frame["context_events"] for e in parse_context_events(raw))
    return list(dict.fromkeys(texts))


def context_feature_column(
    frame: pd.DataFrame,
    video_vectors: Mapping[str, np.ndarray],
    title_vectors: Mapping[str, np.ndarray],
) -> list[str]:
    """Per productive row, its named features at the click (JSON): the one function the feed
    also uses for "now" (:func:`moment_features.row_features`), on the clipped context."""
    from vrdndi_pipeline.core.model.context_features import parse_context_events
    from vrdndi_pipeline.core.ranker.moment_features import moment_context, row_features

    out = []
    for row in frame.to_dict("records"):
        moment = _utc(row["feedback_at"])
        context = moment_context(
            parse_context_events(row["context_events"]), moment, row["timezone"], title_vectors
        )
        duration = None if pd.isna(row["duration_s"]) else float(row["duration_s"])
        features = row_features(context, video_vectors[row["video_id"]], duration)
        out.append(json.dumps(features, sort_keys=True))
    return out


def events_between(
    conn: Connection, first: datetime | None, last: datetime | None, window: timedelta
) -> list[dict[str, Any]]:
    if first is None or last is None:
        return []
    statement = (
        select(aw_events)
        .where(aw_events.c.timestamp >= first - window, aw_events.c.timestamp < last)
        .order_by(aw_events.c.timestamp)
    )
    return [
        {
            "start": _utc(row.timestamp),
            "duration_s": row.duration_s,
            "app": row.app,
            "title": row.title,
            "url": row.url,
            "category": json.loads(row.category),
        }
        for row in conn.execute(statement)
    ]


def clipped_event(event: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The event as the model sees it at ``at``: its seconds after ``at`` have not happened yet."""
    seconds = min(event["duration_s"], (at - event["start"]).total_seconds())
    return {
        "timestamp": event["start"].isoformat(),
        "duration_s": round(seconds, 3),
        "app": event["app"],
        "title": event["title"],
        "url": event["url"],
        "category": event["category"],
    }


def _utc(value: datetime) -> datetime:
    return (
        pd.Timestamp(value).tz_convert("UTC").to_pydatetime()
        if value.tzinfo
        else pd.Timestamp(value, tz="UTC").to_pydatetime()
    )


def _table(
    records: list[dict[str, Any]],
    columns: list[str],
    time_column: str,
    label_column: str,
    dropped: Counter[str],
    extra: dict[str, int],
) -> tuple[pd.DataFrame, RowStats]:
    """The training table of ``records`` (``time_column`` in UTC, ``duration_s`` a nullable
    integer) and its :class:`RowStats`: rows per ``label_column`` value, ``dropped``, ``extra``."""
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame[time_column] = pd.to_datetime(frame[time_column], utc=True)
    frame["duration_s"] = frame["duration_s"].astype("Int64")
    stats = RowStats(
        rows=len(records),
        by_label=_label_counts(frame[label_column]),
        dropped=dict(dropped),
        extra=extra,
    )
    return frame, stats


def _label_counts(labels: pd.Series) -> dict[str, int]:
    counts = labels.value_counts()
    return {str(label): int(counts.get(label, 0)) for label in (0, 1)}
