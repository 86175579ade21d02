"""Real ActivityWatch exports (web UI with aw-watcher-web, aw-android) and the event checks.

The fixtures in ``tests/data/activitywatch/`` are shaped like real exports: aw-watcher-web
buckets report the hostname ``"unknown"``, aw-android has no AFK bucket and many events of no
length.
"""

from __future__ import annotations

import gzip
import json
import logging
import tracemalloc
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tests.harness.paths import TEST_DATA
from vrdndi_pipeline.core.records import AwEvent, Video
from vrdndi_pipeline.core.sources.activitywatch.events import (
    ActivityDataError,
    BucketInfo,
    HostBuckets,
    coerce_raw_events,
    default_category_rules,
    select_host_buckets,
    window_activity,
)
from vrdndi_pipeline.core.sources.activitywatch.export_file import load_aw_export
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.source_tables import (
    latest_event_time,
    latest_upload_per_channel,
    write_aw_events,
    write_videos,
)
from vrdndi_pipeline.core.validation import FUTURE_MARGIN, MAX_TITLE_CHARS, Rejection
from vrdndi_pipeline.resources.activitywatch import ActivityWatchExport

DATA = TEST_DATA / "activitywatch"
NOW = datetime(2026, 11, 20, tzinfo=UTC)
RULES = default_category_rules()


def _activity(name: str, hostname: str = "", web_buckets: dict[str, str] | None = None):
    export = load_aw_export(DATA / name)
    host = select_host_buckets(export.buckets, hostname, "not-this-machine", web_buckets)
    return host, window_activity(host, export.events, RULES, category_source="t", now=NOW)


def test_web_ui_export_joins_the_unknown_host_browser_bucket():
    host, activity = _activity("webui-export-web-unknown.json")
    assert host.web == ("aw-watcher-web-firefox",) and host.unjoined_web == ()
    urls = {e.event_id: e.url for e in activity.events}
    assert urls == {
        10: "https://www.youtube.com/watch?v=lGWfYgHMfno",
        11: "https://github.com/vrdndi/vrdndi/pulls",
        12: None,  # Code: no browser tab overlaps it
    }
    assert activity.skipped == {} and activity.rejections == ()
    assert "aw-watcher-web-firefox" in activity.buckets


def test_several_machines_need_the_mapping_to_join_browser_buckets():
    host, activity = _activity("two-hosts-export.json", "laptop")
    assert host.web == () and host.unjoined_web == (
        "aw-watcher-web-chrome",
        "aw-watcher-web-firefox",
    )
    assert {e.url for e in activity.events} == {None}

    mapping = {"aw-watcher-web-firefox": "laptop", "aw-watcher-web-chrome": "desktop"}
    laptop, on_laptop = _activity("two-hosts-export.json", "laptop", mapping)
    desktop, on_desktop = _activity("two-hosts-export.json", "desktop", mapping)
    assert (laptop.web, desktop.web) == (("aw-watcher-web-firefox",), ("aw-watcher-web-chrome",))
    assert laptop.unjoined_web == desktop.unjoined_web == ()
    assert {e.event_id: e.url for e in on_laptop.events}[11].startswith("https://github.com/")
    assert {e.event_id: e.url for e in on_desktop.events} == {
        110: "https://chrome.example/",
        111: "https://chrome.example/",
        112: None,
    }


def test_the_export_resource_passes_the_mapping_and_warns_about_unjoined_buckets(caplog):
    path = str(DATA / "two-hosts-export.json")
    plain = ActivityWatchExport(path=path, hostname="desktop", categories_file="")
    with caplog.at_level(logging.WARNING):
        assert plain.resolve_host().web == ()
    assert "VRDNDI_AW_WEB_BUCKETS=aw-watcher-web-chrome=<hostname>;" in caplog.text
    mapped = ActivityWatchExport(
        path=path,
        hostname="desktop",
        categories_file="",
        web_buckets={"aw-watcher-web-chrome": "desktop", "aw-watcher-web-firefox": "laptop"},
    )
    host = mapped.resolve_host()
    assert (host.web, host.unjoined_web) == (("aw-watcher-web-chrome",), ())
    activity = mapped.fetch_window_activity(host, None, now=NOW)
    assert {e.url for e in activity.events} == {"https://chrome.example/", None}


def test_a_mapping_that_names_no_browser_bucket_or_no_host_is_an_error():
    buckets = [
        BucketInfo("aw-watcher-window_laptop", "currentwindow", "laptop"),
        BucketInfo("aw-watcher-afk_laptop", "afkstatus", "laptop"),
        BucketInfo("aw-watcher-web-firefox", "web.tab.current", "unknown"),
    ]
    with pytest.raises(ActivityDataError, match=r"'aw-watcher-web-firefx'.*does not exist.*"):
        select_host_buckets(buckets, "", "x", {"aw-watcher-web-firefx": "laptop"})
    with pytest.raises(ActivityDataError, match=r"'afkstatus' bucket.*'aw-watcher-web-firefox'"):
        select_host_buckets(buckets, "", "x", {"aw-watcher-afk_laptop": "laptop"})
    with pytest.raises(ActivityDataError, match=r"host 'desk'.*'laptop'.*Use one"):
        select_host_buckets(buckets, "", "x", {"aw-watcher-web-firefox": "desk"})
    joined = select_host_buckets(buckets, "", "x", {"aw-watcher-web-firefox": "laptop"})
    assert joined.web == ("aw-watcher-web-firefox",)


def test_a_same_host_browser_bucket_stays_with_its_host():
    buckets = [
        BucketInfo("w_a", "currentwindow", "a"),
        BucketInfo("w_b", "currentwindow", "b"),
        BucketInfo("web_b", "web.tab.current", "b"),
    ]
    assert select_host_buckets(buckets, "b", "x").web == ("web_b",)
    assert select_host_buckets(buckets, "a", "x").web == ()


def test_android_export_counts_zero_length_events_not_afk():
    host, activity = _activity("android-export.json")
    assert host.hostname == "Pixel 7" and host.afk == () and not activity.afk_filtered
    assert activity.skipped == {"zero_length": 3}
    assert activity.rejections == ()
    assert [(e.event_id, e.app, e.duration_s) for e in activity.events] == [
        (101, "YouTube", 312.512),
        (103, "Signal", 95.25),
        (106, "Chrome", 1800.0),
        (107, "Duolingo 🦉", 42.0),
    ]
    assert activity.events[0].timestamp == datetime(2026, 11, 10, 8, 0, tzinfo=UTC)


def _ev(i, start: datetime, seconds, **data) -> dict:
    return {"id": i, "timestamp": start.isoformat(), "duration": seconds, "data": data}


T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
HOST = HostBuckets("h", ("w",), ("afk",), ())


def test_afk_is_only_what_the_afk_watcher_reported():
    afk = [_ev(1, T0, 600, status="not-afk"), _ev(2, T0 + timedelta(minutes=10), 600, status="afk")]
    window = [
        _ev(10, T0, 60, app="a", title="x"),
        _ev(11, T0 + timedelta(minutes=12), 60, app="a", title="away"),
        _ev(12, T0 + timedelta(hours=2), 60, app="a", title="watcher off"),
        _ev(13, T0 + timedelta(minutes=1), 0, app="a", title="no length"),
    ]
    activity = window_activity(HOST, {"w": window, "afk": afk}, RULES, category_source="t", now=NOW)
    assert [e.event_id for e in activity.events] == [10]
    assert activity.skipped == {"afk": 1, "no_afk_status": 1, "zero_length": 1}
    assert activity.rejections == ()  # left out, but nothing wrong with them


def test_invalid_events_are_rejected_with_their_reason_and_key():
    ok = dict(app="Code", title="fine")
    window = [
        _ev(1, T0, 60, **ok),
        _ev(2, datetime(9999, 12, 31, 23, 0, tzinfo=UTC), 60, **ok),
        _ev(3, datetime(1970, 1, 1, tzinfo=UTC), 60, **ok),
        _ev(4, NOW + FUTURE_MARGIN - timedelta(seconds=1), 60, **ok),  # a fast clock: kept
        {"id": 5, "timestamp": 1_793_000_000, "duration": 5, "data": ok},
        _ev(6, T0, float("nan"), **ok),
        _ev(7, T0, float("inf"), **ok),
        _ev(8, T0, 10**12, **ok),
        _ev(9, T0, 10**30, **ok),
        _ev(10, T0, "5", **ok),
        _ev(2**70, T0, 5, **ok),
        _ev(1.5, T0, 5, **ok),
        _ev("12", T0, 5, **ok),
        _ev(13.0, T0 + timedelta(seconds=1), 5, **ok),  # a whole float is an id
        _ev(14, T0, 5 * 24 * 3600.0, **ok),  # a long event within the week
        _ev(1, T0 + timedelta(minutes=9), 5, **ok),  # id 1 again
    ]
    host = HostBuckets("h", ("w",), (), ())
    activity = window_activity(host, {"w": window}, RULES, category_source="t", now=NOW)
    assert sorted(e.event_id for e in activity.events) == [1, 4, 13, 14]
    assert activity.skipped == {
        "time_in_future": 1,
        "time_too_early": 1,
        "time_not_a_timestamp": 1,
        "duration_out_of_range": 4,
        "duration_not_a_number": 1,
        "id_out_of_range": 1,
        "id_not_an_integer": 2,
        "duplicate_id": 1,
    }
    keys = {r.key: r.reason for r in activity.rejections}
    assert keys["w/2"] == "time_in_future" and keys["w/5"] == "time_not_a_timestamp"
    assert keys[f"w/{2**70}"] == "id_out_of_range"
    assert keys["w/#11"] == keys["w/#12"] == "id_not_an_integer"  # no usable id: the index
    assert keys["w/1"] == "duplicate_id"
    assert sum(activity.skipped.values()) == len(activity.rejections)


def test_hostile_text_is_repaired_and_cut_but_the_event_kept():
    window = [
        _ev(1, T0, 5, app="Co\x00de", title="\x1b[31mred\x1b[0m \ud800 tab\there"),
        _ev(2, T0 + timedelta(seconds=5), 5, app="x", title="T" * 100_000),
        _ev(3, T0 + timedelta(seconds=10), 5, app="ok", title="日本語 🎉 עברית"),
    ]
    web = [_ev(9, T0, 20, url="https://example.org/\x00" + "a" * 10_000)]
    host = HostBuckets("h", ("w",), (), ("web",))
    activity = window_activity(host, {"w": window, "web": web}, RULES, category_source="t", now=NOW)
    first, second, third = activity.events
    assert first.app == "Code" and first.title == "[31mred[0m \ufffd tab here"
    assert second.title == "T" * MAX_TITLE_CHARS
    assert third.title == "日本語 🎉 עברית"
    assert len(first.url or "") == 4_000 and "\x00" not in (first.url or "")
    assert activity.skipped == {
        "app_repaired": 1,
        "title_repaired": 1,
        "title_cut": 1,
        "url_repaired": 1,
        "url_cut": 1,
    }
    assert activity.rejections == ()


def test_coerce_raw_events_counts_and_keys_without_a_host():
    skipped: Counter[str] = Counter()
    rejections: list[Rejection] = []
    events = coerce_raw_events(
        [None, _ev(1, T0, 1), {"timestamp": T0.isoformat(), "data": {}}],
        skipped,
        now=NOW,
        bucket_id="b",
        rejections=rejections,
    )
    assert [e.id for e in events] == [1, int(T0.timestamp() * 1000)]  # no id: from its start
    assert events[1].duration_s == 0
    assert skipped == {"event_not_an_object": 1}
    assert rejections == [Rejection("b/#0", "event_not_an_object")]


def test_a_gzip_bomb_is_refused_before_it_is_inflated(tmp_path):
    bomb = tmp_path / "bomb.json.gz"
    chunk = b" " * (1 << 20)
    with gzip.open(bomb, "wb", compresslevel=9) as handle:
        handle.write(b'{"buckets": {}')
        for _ in range(64):
            handle.write(chunk)
        handle.write(b"}")
    assert bomb.stat().st_size < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(ActivityDataError, match=r"limit of 1 MB.*VRDNDI_MAX_IMPORT_MB=4"):
            load_aw_export(bomb, max_import_mb=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20  # stopped at the limit, not at 64 MB
    with pytest.raises(ActivityDataError, match="limit of 1 MB"):  # VRDNDI_MAX_IMPORT_MB=1
        ActivityWatchExport(path=str(bomb), categories_file="", max_import_mb=1).resolve_host()

    big = tmp_path / "big.json"
    big.write_bytes(b'{"buckets": {}' + b" " * (2 << 20) + b"}")
    with pytest.raises(ActivityDataError, match=r"is 2 MB.*limit of 1 MB"):
        load_aw_export(big, max_import_mb=1)
    assert load_aw_export(big, max_import_mb=3).buckets == ()


def test_a_number_with_thousands_of_digits_is_one_bad_event(tmp_path):
    path = tmp_path / "long-id.json"
    good = _ev(1, T0, 5, app="a", title="b")
    long_id = {**good, "id": 0}
    text = json.dumps({"buckets": {"w": {"type": "currentwindow", "hostname": "h"}}})
    document = json.loads(text)
    document["buckets"]["w"]["events"] = [good, long_id]
    path.write_text(json.dumps(document).replace('"id": 0', '"id": ' + "9" * 5000))
    export = load_aw_export(path)
    host = select_host_buckets(export.buckets, "", "x")
    activity = window_activity(host, export.events, RULES, category_source="t", now=NOW)
    assert [e.event_id for e in activity.events] == [1]
    assert activity.skipped == {"id_out_of_range": 1}


def _row(i: int, start: datetime) -> AwEvent:
    return AwEvent("w", i, "h", start, 5.0, "a", "t")


def test_cursors_ignore_far_future_rows_and_never_pass_now(engine):
    with write_transaction(engine) as conn:
        write_aw_events(conn, [_row(1, T0), _row(2, datetime(9999, 12, 31, tzinfo=UTC))])
    with read_transaction(engine) as conn:
        assert latest_event_time(conn, "h", now=NOW) == T0
        assert latest_event_time(conn, "other", now=NOW) is None
    with write_transaction(engine) as conn:  # a clock a few hours fast: the cursor stays at now
        write_aw_events(conn, [_row(3, NOW + timedelta(hours=5))])
    with read_transaction(engine) as conn:
        assert latest_event_time(conn, "h", now=NOW) == NOW

    def video(video_id: str, channel: str, published: datetime) -> Video:
        return Video(
            video_id=video_id,
            title="t",
            channel_id=channel,
            channel_title="c",
            description="",
            duration_s=60,
            published_at=published,
            source="subscription",
            details_from="api",
        )

    with write_transaction(engine) as conn:
        write_videos(
            conn,
            [
                video("aaaaaaaaaaa", "UCa", T0),
                video("bbbbbbbbbbb", "UCa", datetime(9999, 1, 1, tzinfo=UTC)),
                video("ccccccccccc", "UCb", datetime(9000, 1, 1, tzinfo=UTC)),
                video("ddddddddddd", "UCc", NOW + timedelta(hours=1)),
            ],
            NOW,
        )
    with read_transaction(engine) as conn:
        assert latest_upload_per_channel(conn, now=NOW) == {"UCa": T0, "UCc": NOW}
