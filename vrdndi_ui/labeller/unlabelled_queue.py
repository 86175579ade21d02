"""The labeller's queue: watched videos without an interest label, most recently watched first.

One :class:`QueueEntry` per video (a video watched five times is labelled once), with what
``videos`` knows about it joined in when the pipeline fetched its details. One query, grouped
in the database, so thousands of history rows stay fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, exists, func, select

from vrdndi_pipeline.core.store.schema import interest_labels, videos, watch_history

# Enough to recognise a video; the full description can be read on YouTube.
EXCERPT_CHARS = 400


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One unlabelled video of the watch history, as the labeller shows it."""

    video_id: str
    title: str | None  # original case; None when neither source knows it
    channel_title: str | None
    last_watched_at: datetime  # UTC, the newest viewing
    times_watched: int
    duration_s: int | None  # None: unknown; 0: a live stream
    description_excerpt: str | None  # at most EXCERPT_CHARS characters, "…" when cut
    published_at: datetime | None


def _excerpt(description: str | None) -> str | None:
    if not description:
        return None
    if len(description) <= EXCERPT_CHARS:
        return description
    return description[:EXCERPT_CHARS].rstrip() + "…"


def unlabelled_videos(conn: Connection) -> list[QueueEntry]:
    """Every watched video with no row in ``interest_labels``, newest viewing first.

    Ties (same moment) are broken by video id, so the order is the same on every backend.
    """
    labelled = exists().where(interest_labels.c.video_id == watch_history.c.video_id)
    history = (
        select(
            watch_history.c.video_id,
            func.max(watch_history.c.watched_at).label("last_watched_at"),
            func.count().label("times_watched"),
            func.max(watch_history.c.title).label("history_title"),
            func.max(watch_history.c.channel_title).label("history_channel"),
        )
        .where(~labelled)
        .group_by(watch_history.c.video_id)
        .subquery()
    )
    query = (
        select(
            history,
            videos.c.title,
            videos.c.channel_title,
            videos.c.duration_s,
            # One more character than shown, so _excerpt knows the text was cut.
            func.substr(videos.c.description, 1, EXCERPT_CHARS + 1).label("description"),
            videos.c.published_at,
        )
        .select_from(history.outerjoin(videos, videos.c.video_id == history.c.video_id))
        .order_by(history.c.last_watched_at.desc(), history.c.video_id)
    )
    return [
        QueueEntry(
            video_id=row.video_id,
            title=row.title or row.history_title,
            channel_title=row.channel_title or row.history_channel,
            last_watched_at=row.last_watched_at,
            times_watched=int(row.times_watched),
            duration_s=row.duration_s,
            description_excerpt=_excerpt(row.description),
            published_at=row.published_at,
        )
        for row in conn.execute(query)
    ]


def skipped_last(entries: Sequence[QueueEntry], skipped_ids: Iterable[str]) -> list[QueueEntry]:
    """``entries`` with the videos skipped in an earlier session moved to the end.

    Both parts keep their order, so a resumed session starts with what was never looked at.
    """
    skipped = set(skipped_ids)
    return [e for e in entries if e.video_id not in skipped] + [
        e for e in entries if e.video_id in skipped
    ]


def resume_position(entries: Sequence[QueueEntry], current_video_id: str | None) -> int:
    """Where to start: the video the user was at, if it still needs a label, else the top."""
    if current_video_id is not None:
        for index, entry in enumerate(entries):
            if entry.video_id == current_video_id:
                return index
    return 0
