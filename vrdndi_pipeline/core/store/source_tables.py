"""Reading cursors from, and writing rows to, the source tables (events, videos, history)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Connection, Table, func, select

from vrdndi_pipeline.core.records import AwEvent, Video, VideoRating, WatchEntry
from vrdndi_pipeline.core.store.schema import (
    aw_events,
    undescribable_videos,
    video_ratings,
    videos,
    watch_history,
)
from vrdndi_pipeline.core.store.upserts import UpsertCounts, insert_statement_for, upsert_rows
from vrdndi_pipeline.core.store.video_rows import video_values
from vrdndi_pipeline.core.validation import FUTURE_MARGIN

# Columns a later, richer description of a video may change; first_seen_at and source stay.
VIDEO_DETAIL_COLUMNS = (
    "title",
    "channel_id",
    "channel_title",
    "description",
    "duration_s",
    "published_at",
    "tags",
    "details_from",
)


def _cursor(newest: datetime | None, now: datetime) -> datetime | None:
    return min(newest, now) if newest is not None else None


def latest_event_time(
    conn: Connection, hostname: str, *, now: datetime | None = None
) -> datetime | None:
    """Start of the newest stored window event of ``hostname``: the incremental cursor.

    Never later than ``now`` (the wall clock when ``None``): rows dated past ``now`` plus
    ``FUTURE_MARGIN`` (stored before events were validated) are not counted, since a cursor in
    year 9999 would leave every real event behind it; a row just ahead of ``now`` (a clock a
    little fast) gives ``now``, so no event between is skipped.
    """
    now = now or datetime.now(UTC)
    statement = select(func.max(aw_events.c.timestamp)).where(
        aw_events.c.hostname == hostname, aw_events.c.timestamp <= now + FUTURE_MARGIN
    )
    return _cursor(conn.execute(statement).scalar_one_or_none(), now)


def latest_upload_per_channel(
    conn: Connection, *, now: datetime | None = None
) -> dict[str, datetime]:
    """Newest stored upload of every subscribed channel: the cursor for incremental fetches.

    Like :func:`latest_event_time`, each channel's cutoff is at most ``now`` (the wall clock
    when ``None``), and uploads dated past ``now`` plus ``FUTURE_MARGIN`` are not counted.
    """
    now = now or datetime.now(UTC)
    statement = (
        select(videos.c.channel_id, func.max(videos.c.published_at))
        .where(
            videos.c.source == "subscription",
            videos.c.channel_id.is_not(None),
            videos.c.published_at <= now + FUTURE_MARGIN,
        )
        .group_by(videos.c.channel_id)
    )
    cursors = {channel_id: _cursor(newest, now) for channel_id, newest in conn.execute(statement)}
    return {channel_id: cutoff for channel_id, cutoff in cursors.items() if cutoff is not None}


def known_video_ids(conn: Connection, video_ids: Iterable[str]) -> set[str]:
    """Which of ``video_ids`` already have full (API) details stored."""
    wanted = list(dict.fromkeys(video_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        statement = select(videos.c.video_id).where(
            videos.c.video_id.in_(chunk), videos.c.details_from == "api"
        )
        found.update(conn.execute(statement).scalars())
    return found


def known_undescribable(
    conn: Connection, video_ids: Iterable[str], *, checked_after: datetime
) -> set[str]:
    """Which of ``video_ids`` the API did not describe when last asked after ``checked_after``
    (older records are due for a re-check and not returned)."""
    wanted = list(dict.fromkeys(video_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        statement = select(undescribable_videos.c.video_id).where(
            undescribable_videos.c.video_id.in_(wanted[start : start + 500]),
            undescribable_videos.c.last_checked > checked_after,
        )
        found.update(conn.execute(statement).scalars())
    return found


def record_undescribable(
    conn: Connection, not_found: Iterable[str], described: Iterable[str], now: datetime
) -> int:
    """Remember ids the API did not describe (a re-check bumps ``last_checked`` and
    ``times_checked``) and forget ``described`` ids it has described since; returns how many
    ids were recorded."""
    rows = [
        {"video_id": v, "first_seen": now, "last_checked": now, "times_checked": 1}
        for v in dict.fromkeys(not_found)
    ]
    if rows:
        insert = insert_statement_for(conn, undescribable_videos)
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=["video_id"],
                set_={
                    "last_checked": insert.excluded.last_checked,
                    "times_checked": undescribable_videos.c.times_checked + 1,
                },
            ),
            rows,
        )
    again = list(dict.fromkeys(described))
    for start in range(0, len(again), 500):
        conn.execute(
            undescribable_videos.delete().where(
                undescribable_videos.c.video_id.in_(again[start : start + 500])
            )
        )
    return len(rows)


def aw_event_rows(events: Iterable[AwEvent]) -> Iterator[dict[str, Any]]:
    for e in events:
        yield {
            "bucket_id": e.bucket_id,
            "event_id": e.event_id,
            "hostname": e.hostname,
            "timestamp": e.timestamp,
            "duration_s": e.duration_s,
            "app": e.app,
            "title": e.title,
            "url": e.url,
            "category": json.dumps(list(e.category), ensure_ascii=False),
        }


def write_aw_events(conn: Connection, events: Iterable[AwEvent]) -> UpsertCounts:
    """Upsert window events by (bucket, event id): a growing event gets its new duration."""
    return upsert_rows(conn, aw_events, aw_event_rows(events))


def _video_row(video: Video, seen_at: datetime) -> dict[str, Any]:
    return {**video_values(video, videos), "first_seen_at": seen_at}


def write_videos(conn: Connection, found: Sequence[Video], seen_at: datetime) -> UpsertCounts:
    """Store videos, one row each; API details update a row, file-only rows only fill gaps.

    When a video arrives from several sources in one batch, the first one listed wins the
    ``source`` column (callers list subscriptions first).
    """
    by_id: dict[str, Video] = {}
    for video in found:
        by_id.setdefault(video.video_id, video)
    api = [_video_row(v, seen_at) for v in by_id.values() if v.details_from == "api"]
    file_only = [_video_row(v, seen_at) for v in by_id.values() if v.details_from != "api"]
    counts = upsert_rows(
        conn,
        videos,
        api,
        update_columns=VIDEO_DETAIL_COLUMNS,
        keep_existing_when_null=("duration_s", "published_at", "description", "channel_id"),
    )
    return counts + upsert_rows(conn, videos, file_only, update_columns=())


def write_ratings(
    conn: Connection, ratings: Iterable[VideoRating], seen_at: datetime
) -> UpsertCounts:
    """Store likes/dislikes by video; a changed rating replaces the old one."""
    rows = {
        r.video_id: {"video_id": r.video_id, "rating": r.rating, "first_seen_at": seen_at}
        for r in ratings
    }
    return upsert_rows(conn, video_ratings, rows.values(), update_columns=("rating",))


def write_watch_history(conn: Connection, entries: Iterable[WatchEntry]) -> UpsertCounts:
    """Store Takeout history lines by (video, moment watched)."""
    rows = {
        (e.video_id, e.watched_at): {
            "video_id": e.video_id,
            "watched_at": e.watched_at,
            "title": e.title,
            "channel_title": e.channel_title,
            "channel_id": e.channel_id,
        }
        for e in entries
    }
    return upsert_rows(conn, watch_history, rows.values())


def count_duplicate_keys(conn: Connection, table: Table, key_columns: Sequence[Column[Any]]) -> int:
    """Number of key values that occur more than once in ``table``."""
    groups = select(*key_columns).group_by(*key_columns).having(func.count() > 1).subquery()
    return int(conn.execute(select(func.count()).select_from(groups)).scalar_one())


def count_outside(conn: Connection, column: Column[Any], low: datetime, high: datetime) -> int:
    """Rows whose ``column`` is not NULL and lies outside [low, high]."""
    statement = select(func.count()).where(column.is_not(None), (column < low) | (column > high))
    return int(conn.execute(statement).scalar_one())
