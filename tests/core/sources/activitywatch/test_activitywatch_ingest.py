"""The decisions of one ``raw_aw_events`` run, without Dagster or a server: where the fetch
starts, what is written, and what the run reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from vrdndi_pipeline.core.records import AwEvent
from vrdndi_pipeline.core.sources.activitywatch.events import HostBuckets, WindowActivity
from vrdndi_pipeline.core.sources.activitywatch.ingest import (
    fetch_start,
    read_fetch_start,
    write_window_activity,
)
from vrdndi_pipeline.core.store.database import read_transaction
from vrdndi_pipeline.core.store.schema import aw_events, rejected_items
from vrdndi_pipeline.core.validation import Rejection

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
HOST = HostBuckets(
    hostname="laptop",
    window=("aw-watcher-window_laptop",),
    afk=("aw-watcher-afk_laptop",),
    web=(),
    unjoined_web=("aw-watcher-web-firefox",),
)


def _event(i: int, start: datetime, hostname: str = "laptop") -> AwEvent:
    return AwEvent(
        bucket_id=f"aw-watcher-window_{hostname}",
        event_id=i,
        hostname=hostname,
        timestamp=start,
        duration_s=30.0,
        app="Code",
        title="main.py",
        category=("Work",),
    )


def _activity(*events: AwEvent, rejections: tuple[Rejection, ...] = ()) -> WindowActivity:
    return WindowActivity(
        hostname="laptop",
        events=events,
        buckets=("aw-watcher-window_laptop", "aw-watcher-afk_laptop"),
        category_source="server",
        afk_filtered=True,
        skipped={"afk": 3},
        rejections=rejections,
    )


def test_the_fetch_starts_an_overlap_before_the_newest_event() -> None:
    assert fetch_start(NOW, HOUR) == NOW - HOUR
    assert fetch_start(None, HOUR) is None  # nothing stored: from the beginning


def test_the_stored_cursor_is_per_host_and_ignores_the_far_future(sqlite_engine: Engine) -> None:
    assert read_fetch_start(sqlite_engine, "laptop", HOUR, now=NOW) is None
    newest = NOW - 5 * HOUR
    activity = _activity(
        _event(1, NOW - 9 * HOUR),
        _event(2, newest),
        _event(3, NOW - HOUR, hostname="desktop"),
        _event(4, datetime(9999, 1, 1, tzinfo=UTC)),  # stored before events were checked
    )
    write_window_activity(sqlite_engine, HOST, None, activity, NOW)
    assert read_fetch_start(sqlite_engine, "laptop", HOUR, now=NOW) == newest - HOUR
    assert read_fetch_start(sqlite_engine, "desktop", timedelta(0), now=NOW) == NOW - HOUR


def test_events_and_rejections_are_written_together_and_twice_equals_once(
    sqlite_engine: Engine,
) -> None:
    rejections = (Rejection("aw-watcher-window_laptop/7", "time_out_of_range"),)
    activity = _activity(_event(1, NOW - 2 * HOUR), _event(2, NOW - HOUR), rejections=rejections)
    first = write_window_activity(sqlite_engine, HOST, None, activity, NOW)
    again = write_window_activity(sqlite_engine, HOST, None, activity, NOW)
    assert (first.counts.inserted, again.counts.inserted, again.counts.unchanged) == (2, 0, 2)
    with read_transaction(sqlite_engine) as conn:
        stored = conn.execute(select(func.count()).select_from(aw_events)).scalar_one()
        quarantined = conn.execute(
            select(rejected_items.c.source, rejected_items.c.reason, rejected_items.c.times_seen)
        ).all()
    assert stored == 2
    assert quarantined == [("activitywatch", "time_out_of_range", 2)]


def test_the_report_names_the_host_the_window_and_the_reasons(sqlite_engine: Engine) -> None:
    rejections = (
        Rejection("a", "time_out_of_range"),
        Rejection("b", "negative_duration"),
        Rejection("c", "negative_duration"),
    )
    first, last = NOW - 3 * HOUR, NOW - HOUR
    since = NOW - 4 * HOUR
    activity = _activity(_event(2, last), _event(1, first), rejections=rejections)
    written = write_window_activity(sqlite_engine, HOST, since, activity, NOW)
    assert written.summary_line() == "laptop: 2 events fetched, 2 new, 0 updated, 3 rejected"
    assert written.rejections_line() == (
        "laptop: 3 invalid ActivityWatch events set aside in rejected_items: "
        "negative_duration 2, time_out_of_range 1"
    )
    assert written.metadata() == {
        "hostname": "laptop",
        "buckets": "aw-watcher-window_laptop, aw-watcher-afk_laptop",
        "browser_buckets_not_joined": "aw-watcher-web-firefox",
        "fetched_since": since.isoformat(),
        "events_fetched": 2,
        "rows_inserted": 2,
        "rows_updated": 0,
        "rows_unchanged": 0,
        "skipped": {"afk": 3},
        "rejected": {"time_out_of_range": 1, "negative_duration": 2},
        "rejected_total": 3,
        "category_rules": "server",
        "afk_filtered": True,
        "first_event": first.isoformat(),
        "last_event": last.isoformat(),
    }


def test_an_empty_run_reports_no_window_and_no_warning(sqlite_engine: Engine) -> None:
    host = HostBuckets("laptop", ("w",), ("a",), ())
    written = write_window_activity(sqlite_engine, host, None, _activity(), NOW)
    assert written.rejections_line() is None
    meta = written.metadata()
    assert (meta["fetched_since"], meta["first_event"], meta["last_event"]) == (
        "beginning",
        "none",
        "none",
    )
    assert meta["browser_buckets_not_joined"] == "none"
