"""``raw_aw_events``: the user's computer activity, fetched incrementally from ActivityWatch."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import dagster as dg
from pydantic import Field

from vrdndi_pipeline.asset_tags import OWNERS, asset_tags
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.quarantine import record_rejections
from vrdndi_pipeline.core.store.source_tables import latest_event_time, write_aw_events
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
    group_name="ingest",
    owners=OWNERS,
    tags=asset_tags("ingest", source="activitywatch"),
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
    with read_transaction(engine) as conn:
        newest = latest_event_time(conn, host.hostname, now=now)
    since = newest - timedelta(minutes=config.overlap_minutes) if newest else None
    activity = activitywatch.fetch_window_activity(host, since, now=now)
    with write_transaction(engine) as conn:
        counts = write_aw_events(conn, activity.events)
        record_rejections(conn, "activitywatch", activity.rejections, now)
    rejected = Counter(r.reason for r in activity.rejections)
    context.log.info(
        "%s: %d events fetched, %d new, %d updated, %d rejected",
        host.hostname,
        len(activity.events),
        counts.inserted,
        counts.updated,
        len(activity.rejections),
    )
    if rejected:
        context.log.warning(
            "%s: %d invalid ActivityWatch events set aside in rejected_items: %s",
            host.hostname,
            len(activity.rejections),
            ", ".join(f"{reason} {n}" for reason, n in rejected.most_common()),
        )
    times = [e.timestamp for e in activity.events]
    return dg.MaterializeResult(
        metadata={
            "hostname": host.hostname,
            "buckets": ", ".join(activity.buckets),
            "browser_buckets_not_joined": ", ".join(host.unjoined_web) or "none",
            "fetched_since": since.isoformat() if since else "beginning",
            "events_fetched": len(activity.events),
            **counts.as_metadata("rows_"),
            "skipped": dg.MetadataValue.json(activity.skipped),
            "rejected": dg.MetadataValue.json(dict(rejected)),
            "rejected_total": len(activity.rejections),
            "category_rules": activity.category_source,
            "afk_filtered": activity.afk_filtered,
            "first_event": min(times).isoformat() if times else "none",
            "last_event": max(times).isoformat() if times else "none",
        }
    )
