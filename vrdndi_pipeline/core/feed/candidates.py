"""What the feed may show at a moment, and the computer activity it is judged against."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, select

from vrdndi_pipeline.core.model.context_features import ContextEvent
from vrdndi_pipeline.core.records import Video
from vrdndi_pipeline.core.store.people_tables import hidden_now
from vrdndi_pipeline.core.store.schema import (
    feedback,
    video_ratings,
    videos,
    watch_history,
)
from vrdndi_pipeline.core.store.video_rows import video_columns, video_from_row
from vrdndi_pipeline.core.training.training_data import clipped_event, events_between


@dataclass(frozen=True, slots=True)
class CandidateSelection:
    """The recent uploads the user has not judged, watched or hidden yet."""

    candidates: list[Video]  # newest first; every one has its published_at
    published_in_window: int
    excluded: dict[str, int]  # reason -> videos left out for it (first reason that applied)


# Why a video is left out, in the order the reasons are checked (then "hidden" and
# "channel_blocked", from the latest visibility change of the video or its channel).
EXCLUSION_TABLES = {
    "feedback": feedback.c.video_id,
    "watched": watch_history.c.video_id,
    "rated": video_ratings.c.video_id,
}


def _ids(conn: Connection, column: ColumnElement[str], among: Iterable[str]) -> set[str]:
    wanted = list(among)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(conn.execute(select(column).where(column.in_(chunk))).scalars())
    return found


def select_candidates(
    conn: Connection, now: datetime, days: float, *, only_ids: Iterable[str] | None = None
) -> CandidateSelection:
    """Videos published in the ``days`` before ``now`` (none from the future), minus those the
    user gave feedback on, watched, rated or hid, and those of channels the user blocked, as
    the ``Video`` records the store holds. ``only_ids`` narrows to known ids (used to re-check
    an earlier selection just before the feed is written)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    query = (
        select(*video_columns(videos))
        .where(videos.c.published_at > now - timedelta(days=days), videos.c.published_at <= now)
        .order_by(videos.c.published_at.desc(), videos.c.video_id)
    )
    if only_ids is not None:
        query = query.where(videos.c.video_id.in_(list(only_ids)))
    rows = [video_from_row(row._mapping) for row in conn.execute(query)]
    remaining = {r.video_id for r in rows}
    excluded: dict[str, int] = {}
    for reason, column in EXCLUSION_TABLES.items():
        hit = _ids(conn, column, remaining)
        excluded[reason] = len(hit)
        remaining -= hit
    hidden = set(hidden_now(conn, "video")) & remaining
    excluded["hidden"] = len(hidden)
    remaining -= hidden
    blocked_channels = set(hidden_now(conn, "channel"))
    blocked = {
        r.video_id for r in rows if r.video_id in remaining and r.channel_id in blocked_channels
    }
    excluded["channel_blocked"] = len(blocked)
    remaining -= blocked
    return CandidateSelection(
        candidates=[r for r in rows if r.video_id in remaining],
        published_in_window=len(rows),
        excluded=excluded,
    )


def context_at(conn: Connection, now: datetime, hours: float) -> list[ContextEvent]:
    """The ActivityWatch events of the ``hours`` before ``now``, clipped at ``now`` exactly as
    training rows are clipped at the click."""
    window = timedelta(hours=hours)
    events = [e for e in events_between(conn, now, now, window) if e["start"] < now]
    clipped = [clipped_event(e, now) for e in events]
    return [
        ContextEvent(
            timestamp=e["start"],
            duration_s=float(c["duration_s"]),
            app=c["app"],
            title=c["title"],
            url=c["url"],
            category=tuple(str(x) for x in c["category"]),
        )
        for e, c in zip(events, clipped, strict=True)
    ]


def summarize_context(events: Iterable[ContextEvent], hours: float) -> str:
    """``"4.2 h active in the last 6 h, mostly Work > Programming"`` (for the feed's "why")."""
    by_category: dict[str, float] = {}
    total = 0.0
    for event in events:
        seconds = max(event.duration_s, 0.0)
        total += seconds
        name = " > ".join(event.category[:2]) if event.category else "Uncategorized"
        by_category[name] = by_category.get(name, 0.0) + seconds
    if total <= 0:
        return f"no computer activity in the last {hours:g} h"
    top = max(by_category, key=lambda k: by_category[k])
    return f"{total / 3600:.1f} h active in the last {hours:g} h, mostly {top}"
