"""``raw_aw_events``: the user's computer activity, fetched incrementally from ActivityWatch."""

from datetime import timedelta

import dagster as dg
from pydantic import Field

from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.source_tables import latest_event_time, write_aw_events
from vrdndi_pipeline.resources.activitywatch import ActivityWatchSource
from vrdndi_pipeline.resources.database import AppDatabase


class RawAwEventsConfig(dg.Config):
    overlap_minutes: int = Field(
        default=60,
        ge=0,
        description="Re-fetch this much before the newest stored event: the newest event keeps "
        "growing through heartbeats, and late AFK changes are picked up.",
    )


@dg.asset(group_name="ingest", kinds={"activitywatch", "sql"})
def raw_aw_events(
    context: dg.AssetExecutionContext,
    config: RawAwEventsConfig,
    activitywatch: ActivityWatchSource,
    database: AppDatabase,
) -> dg.MaterializeResult:
    """Window events of the user's computer, AFK-filtered and categorised.

    One row of table ``aw_events`` per ActivityWatch window event (bucket id, event id): start
    (UTC), seconds not AFK, app, window title, URL of the browser tab, category path. Upserted,
    so materializing twice equals once.
    """
    host = activitywatch.resolve_host()
    engine = database.engine()
    with read_transaction(engine) as conn:
        newest = latest_event_time(conn, host.hostname)
    since = newest - timedelta(minutes=config.overlap_minutes) if newest else None
    activity = activitywatch.fetch_window_activity(host, since)
    with write_transaction(engine) as conn:
        counts = write_aw_events(conn, activity.events)
    context.log.info(
        "%s: %d events fetched, %d new, %d updated",
        host.hostname,
        len(activity.events),
        counts.inserted,
        counts.updated,
    )
    times = [e.timestamp for e in activity.events]
    return dg.MaterializeResult(
        metadata={
            "hostname": host.hostname,
            "buckets": ", ".join(activity.buckets),
            "fetched_since": since.isoformat() if since else "beginning",
            "events_fetched": len(activity.events),
            **counts.as_metadata("rows_"),
            "skipped": dg.MetadataValue.json(activity.skipped),
            "category_rules": activity.category_source,
            "afk_filtered": activity.afk_filtered,
            "first_event": min(times).isoformat() if times else "none",
            "last_event": max(times).isoformat() if times else "none",
        }
    )
