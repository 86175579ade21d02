"""``raw_aw_events``: the user's computer activity, fetched incrementally from ActivityWatch."""

from datetime import UTC, datetime, timedelta

import dagster as dg
from pydantic import Field

from vrdndi_pipeline.assets.asset_tags import asset_catalog
from vrdndi_pipeline.core.sources.activitywatch.ingest import (
    read_fetch_start,
    write_window_activity,
)
from vrdndi_pipeline.resources.activitywatch import ActivityWatchSource
from vrdndi_pipeline.resources.database import AppDatabase

# The feed refresh reads ActivityWatch every 45 minutes from 08:00 to 04:59, so the longest
# normal gap is the night's 3 h 45 min (04:15 to 08:00). A warning therefore means about five
# refreshes in a row missed (never a normal night), a failure a whole morning without data.
ACTIVITY_FRESHNESS = dg.FreshnessPolicy.time_window(
    warn_window=timedelta(hours=4), fail_window=timedelta(hours=8)
)


class RawAwEventsConfig(dg.Config):
    overlap_minutes: int = Field(
        default=60,
        ge=0,
        description="Re-fetch this much before the newest stored event: the newest event keeps "
        "growing through heartbeats, and late AFK changes are picked up.",
    )


@dg.asset(
    **asset_catalog("ingest", source="activitywatch"),
    kinds={"activitywatch", "sql"},
    freshness_policy=ACTIVITY_FRESHNESS,
)
def raw_aw_events(
    context: dg.AssetExecutionContext,
    config: RawAwEventsConfig,
    activitywatch: ActivityWatchSource,
    database: AppDatabase,
) -> dg.MaterializeResult:
    """Window events of the user's computer, AFK-filtered and categorised.

    One row of table `aw_events` per ActivityWatch window event (bucket id, event id): start
    (UTC), seconds not AFK, app, window title, URL of the browser tab, category path. Upserted,
    so materializing twice equals once. Invalid events (a start in year 9999, a negative
    duration) go to `rejected_items` in the same transaction, and never move the cursor.
    """
    now = datetime.now(UTC)
    host = activitywatch.resolve_host()
    engine = database.engine()
    overlap = timedelta(minutes=config.overlap_minutes)
    since = read_fetch_start(engine, host.hostname, overlap, now=now)
    activity = activitywatch.fetch_window_activity(host, since, now=now)
    written = write_window_activity(engine, host, since, activity, now)
    context.log.info(written.summary_line())
    warning = written.rejections_line()
    if warning is not None:
        context.log.warning(warning)
    return dg.MaterializeResult(metadata=written.metadata())
