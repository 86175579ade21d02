"""One run of the ``raw_aw_events`` ingest: where the incremental fetch starts, and what it
writes.

The fetch starts ``overlap`` before the newest stored event of the host (the newest event keeps
growing through heartbeats, and late AFK changes are picked up), or at the beginning when none
is stored. The events are upserted (materializing twice equals once) and the invalid ones are
kept in ``rejected_items`` in the same transaction; they never move the cursor, since the
cursor is read from the stored (valid) events only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from vrdndi_pipeline.core.sources.activitywatch.events import HostBuckets, WindowActivity
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.quarantine import record_rejections
from vrdndi_pipeline.core.store.source_tables import latest_event_time, write_aw_events
from vrdndi_pipeline.core.store.upserts import UpsertCounts


def fetch_start(newest: datetime | None, overlap: timedelta) -> datetime | None:
    """``overlap`` before ``newest`` (the newest stored event); ``None`` (from the beginning)
    when nothing is stored."""
    return newest - overlap if newest is not None else None


def read_fetch_start(
    engine: Engine, hostname: str, overlap: timedelta, *, now: datetime
) -> datetime | None:
    """Where the fetch of ``hostname``'s events starts (see :func:`fetch_start`); stored events
    dated after ``now`` do not count (see ``latest_event_time``)."""
    with read_transaction(engine) as conn:
        newest = latest_event_time(conn, hostname, now=now)
    return fetch_start(newest, overlap)


@dataclass(frozen=True, slots=True)
class AwEventsWritten:
    """What :func:`write_window_activity` wrote for ``activity``, and how a run reports it."""

    host: HostBuckets
    since: datetime | None
    activity: WindowActivity
    counts: UpsertCounts

    @property
    def rejected(self) -> Counter[str]:
        """Invalid events per reason."""
        return Counter(r.reason for r in self.activity.rejections)

    def summary_line(self) -> str:
        return (
            f"{self.host.hostname}: {len(self.activity.events)} events fetched, "
            f"{self.counts.inserted} new, {self.counts.updated} updated, "
            f"{len(self.activity.rejections)} rejected"
        )

    def rejections_line(self) -> str | None:
        """A warning naming the reasons, most frequent first; ``None`` when nothing was invalid."""
        if not self.activity.rejections:
            return None
        reasons = ", ".join(f"{reason} {n}" for reason, n in self.rejected.most_common())
        return (
            f"{self.host.hostname}: {len(self.activity.rejections)} invalid ActivityWatch "
            f"events set aside in rejected_items: {reasons}"
        )

    def metadata(self) -> dict[str, Any]:
        """The run's metadata (plain values; a dict is shown as JSON)."""
        activity = self.activity
        times = [e.timestamp for e in activity.events]
        return {
            "hostname": self.host.hostname,
            "buckets": ", ".join(activity.buckets),
            "browser_buckets_not_joined": ", ".join(self.host.unjoined_web) or "none",
            "fetched_since": self.since.isoformat() if self.since else "beginning",
            "events_fetched": len(activity.events),
            **self.counts.as_metadata("rows_"),
            "skipped": activity.skipped,
            "rejected": dict(self.rejected),
            "rejected_total": len(activity.rejections),
            "category_rules": activity.category_source,
            "afk_filtered": activity.afk_filtered,
            "first_event": min(times).isoformat() if times else "none",
            "last_event": max(times).isoformat() if times else "none",
        }


def write_window_activity(
    engine: Engine,
    host: HostBuckets,
    since: datetime | None,
    activity: WindowActivity,
    now: datetime,
) -> AwEventsWritten:
    """``activity``'s events upserted into ``aw_events`` and its invalid events kept in
    ``rejected_items``, in one transaction."""
    with write_transaction(engine) as conn:
        counts = write_aw_events(conn, activity.events)
        record_rejections(conn, "activitywatch", activity.rejections, now)
    return AwEventsWritten(host, since, activity, counts)
