"""Asset checks on the source tables: unique keys, plausible times, parsed durations."""

from datetime import UTC, datetime, timedelta

import dagster as dg
from sqlalchemy import func, select

from vrdndi_pipeline.assets.raw_aw_events import raw_aw_events
from vrdndi_pipeline.assets.youtube_videos import youtube_videos
from vrdndi_pipeline.core.store.database import read_transaction
from vrdndi_pipeline.core.store.schema import aw_events, videos, watch_history
from vrdndi_pipeline.core.store.source_tables import count_duplicate_keys, count_outside
from vrdndi_pipeline.resources.database import AppDatabase

# ActivityWatch was first released in 2016; YouTube's first video is from 2005-04-23.
EARLIEST_ACTIVITY = datetime(2016, 1, 1, tzinfo=UTC)
EARLIEST_VIDEO = datetime(2005, 4, 23, tzinfo=UTC)


def _latest_plausible() -> datetime:
    return datetime.now(UTC) + timedelta(days=1)


@dg.asset_check(asset=raw_aw_events, blocking=True)
def aw_events_have_unique_keys(database: AppDatabase) -> dg.AssetCheckResult:
    """No (bucket, event id) occurs twice in `aw_events`."""
    with read_transaction(database.engine()) as conn:
        duplicates = count_duplicate_keys(
            conn, aw_events, [aw_events.c.bucket_id, aw_events.c.event_id]
        )
    return dg.AssetCheckResult(passed=duplicates == 0, metadata={"duplicate_keys": duplicates})


@dg.asset_check(asset=raw_aw_events)
def aw_events_times_in_range(database: AppDatabase) -> dg.AssetCheckResult:
    """Event starts lie between 2016 and tomorrow; durations are not negative."""
    with read_transaction(database.engine()) as conn:
        outside = count_outside(conn, aw_events.c.timestamp, EARLIEST_ACTIVITY, _latest_plausible())
        negative = conn.execute(select(func.count()).where(aw_events.c.duration_s < 0)).scalar_one()
    return dg.AssetCheckResult(
        passed=outside == 0 and negative == 0,
        metadata={"timestamps_out_of_range": outside, "negative_durations": int(negative)},
    )


@dg.asset_check(asset=youtube_videos, blocking=True)
def videos_have_unique_keys(database: AppDatabase) -> dg.AssetCheckResult:
    """No video id occurs twice in `videos`, no (video, time) twice in `watch_history`."""
    with read_transaction(database.engine()) as conn:
        video_dupes = count_duplicate_keys(conn, videos, [videos.c.video_id])
        history_dupes = count_duplicate_keys(
            conn, watch_history, [watch_history.c.video_id, watch_history.c.watched_at]
        )
    return dg.AssetCheckResult(
        passed=video_dupes == history_dupes == 0,
        metadata={"duplicate_video_ids": video_dupes, "duplicate_history_keys": history_dupes},
    )


@dg.asset_check(asset=youtube_videos)
def videos_times_in_range(database: AppDatabase) -> dg.AssetCheckResult:
    """Publish and watch times lie between YouTube's first video and tomorrow."""
    latest = _latest_plausible()
    with read_transaction(database.engine()) as conn:
        published = count_outside(conn, videos.c.published_at, EARLIEST_VIDEO, latest)
        watched = count_outside(conn, watch_history.c.watched_at, EARLIEST_VIDEO, latest)
    return dg.AssetCheckResult(
        passed=published == watched == 0,
        metadata={"published_out_of_range": published, "watched_out_of_range": watched},
    )


@dg.asset_check(asset=youtube_videos)
def videos_durations_parsed(database: AppDatabase) -> dg.AssetCheckResult:
    """Every video with API details has a duration of zero (live) or more seconds."""
    with read_transaction(database.engine()) as conn:

        def count(*conditions):  # type: ignore[no-untyped-def]
            return int(conn.execute(select(func.count()).where(*conditions)).scalar_one())

        api = videos.c.details_from == "api"
        missing = count(api, videos.c.duration_s.is_(None))
        negative = count(videos.c.duration_s < 0)
        live = count(videos.c.duration_s == 0)
        total = count(api)
    return dg.AssetCheckResult(
        passed=missing == 0 and negative == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "api_videos": total,
            "missing_duration": missing,
            "negative_duration": negative,
            "live_or_premiere": live,
        },
    )


source_checks = [
    aw_events_have_unique_keys,
    aw_events_times_in_range,
    videos_have_unique_keys,
    videos_times_in_range,
    videos_durations_parsed,
]
