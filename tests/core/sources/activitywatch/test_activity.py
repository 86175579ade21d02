"""Pure ActivityWatch logic: AFK filtering, categories, host selection, export files."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

import pytest

from vrdndi_pipeline.core.sources.activitywatch.events import (
    ActivityDataError,
    BucketInfo,
    HostBuckets,
    UnknownHostError,
    active_seconds,
    coerce_raw_event,
    default_category_rules,
    not_afk_intervals,
    parse_category_rules,
    select_host_buckets,
    window_activity,
)
from vrdndi_pipeline.core.sources.activitywatch.export_file import load_aw_export, parse_aw_export
from vrdndi_pipeline.core.validation import Rejection

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=30)  # what the validation takes as the present
HOST = HostBuckets("laptop", ("win_laptop",), ("afk_laptop",), ("web_laptop",))


def ev(i: int, minute: float, seconds: float, **data) -> dict:
    return {
        "id": i,
        "timestamp": (T0 + timedelta(minutes=minute)).isoformat(),
        "duration": seconds,
        "data": data,
    }


RULES = parse_category_rules(
    [
        {"id": 0, "name": ["Uncategorized"], "rule": {"type": None}},
        {"id": 1, "name": ["Work"], "rule": {"type": "regex", "regex": "Code|Terminal"}},
        {
            "id": 2,
            "name": ["Work", "Programming"],
            "rule": {"type": "regex", "regex": "github", "ignore_case": True},
        },
        {
            "id": 3,
            "name": ["Media", "Games"],
            "rule": {"type": "regex", "regex": "Steam|Minecraft"},
        },
    ]
)


def test_afk_time_is_cut_out_of_window_events():
    afk = [
        ev(1, 0, 600, status="not-afk"),
        ev(2, 10, 1200, status="afk"),
        ev(3, 30, 600, status="not-afk"),
    ]
    window = [
        ev(10, 5, 600, app="Code", title="a.py"),  # 5 of its 10 minutes are AFK
        ev(11, 15, 300, app="Code", title="b.py"),  # entirely AFK: dropped
        ev(12, 31, 60, app="Steam", title="Steam"),
    ]
    activity = window_activity(
        HOST, {"win_laptop": window, "afk_laptop": afk}, RULES, category_source="test", now=NOW
    )
    assert [(e.event_id, e.duration_s) for e in activity.events] == [(10, 300.0), (12, 60.0)]
    assert activity.skipped == {"afk": 1}
    assert activity.afk_filtered


def test_without_an_afk_bucket_every_second_counts():
    host = HostBuckets("laptop", ("win_laptop",), (), ())
    activity = window_activity(
        host,
        {"win_laptop": [ev(1, 0, 42, app="Code", title="x")]},
        RULES,
        category_source="t",
        now=NOW,
    )
    assert activity.events[0].duration_s == 42 and not activity.afk_filtered


def test_categories_pick_the_deepest_match_and_browser_events_get_urls():
    afk = [ev(1, 0, 3600, status="not-afk")]
    window = [
        ev(10, 0, 120, app="Firefox", title="Pull requests"),
        ev(11, 2, 60, app="Code", title="model.py"),
        ev(12, 3, 60, app="Minecraft", title="Minecraft 1.21"),
        ev(13, 4, 60, app="Signal", title="Chats"),
    ]
    web = [
        ev(20, 0, 30, url="https://example.org/"),
        ev(21, 0.5, 90, url="https://github.com/vrdndi/pulls"),
    ]
    activity = window_activity(
        HOST,
        {"win_laptop": window, "afk_laptop": afk, "web_laptop": web},
        RULES,
        category_source="t",
        now=NOW,
    )
    by_id = {e.event_id: e for e in activity.events}
    assert by_id[10].url == "https://github.com/vrdndi/pulls"  # 90 s overlap beats 30 s
    assert by_id[10].category == ("Work", "Programming")  # matched through the URL
    assert by_id[11].category == ("Work",)
    assert by_id[12].category == ("Media", "Games")
    assert by_id[13].category == ("Uncategorized",)
    assert by_id[11].url is None


def test_default_rules_are_aw_clients_own():
    activity = window_activity(
        HostBuckets("h", ("w",), (), ()),
        {"w": [ev(1, 0, 10, app="Firefox", title="Stack Overflow - Where Developers Learn")]},
        default_category_rules(),
        category_source="aw-client defaults",
        now=NOW,
    )
    assert activity.events[0].category == ("Work", "Programming")


def test_events_at_or_before_the_cursor_are_left_out():
    window = [ev(1, 0, 60, app="Code", title="a"), ev(2, 1, 60, app="Code", title="b")]
    activity = window_activity(
        HostBuckets("h", ("w",), (), ()),
        {"w": window},
        RULES,
        category_source="t",
        now=NOW,
        since=T0,
    )
    assert [e.event_id for e in activity.events] == [2]
    assert activity.skipped == {"before_cursor": 1}


def test_malformed_events_are_counted_not_fatal():
    window = [
        ev(1, 0, 60, app="Code", title="ok 🎉 日本語 עברית"),
        {"id": 2, "duration": 5, "data": {}},  # no timestamp
        {"id": 3, "timestamp": "yesterday", "duration": 5, "data": {}},
        {"id": 4, "timestamp": T0.isoformat(), "duration": -5, "data": {}},
        {"id": 5, "timestamp": T0.isoformat(), "duration": 5, "data": "not an object"},
        "not an event",
    ]
    activity = window_activity(
        HostBuckets("h", ("w",), (), ()), {"w": window}, RULES, category_source="t", now=NOW
    )
    assert [e.title for e in activity.events] == ["ok 🎉 日本語 עברית"]
    assert activity.skipped == {
        "time_not_a_timestamp": 2,
        "duration_out_of_range": 1,
        "data_not_an_object": 1,
        "event_not_an_object": 1,
    }
    assert sorted(activity.rejections, key=lambda r: r.key) == [
        Rejection("w/#5", "event_not_an_object"),
        Rejection("w/2", "time_not_a_timestamp"),
        Rejection("w/3", "time_not_a_timestamp"),
        Rejection("w/4", "duration_out_of_range"),
        Rejection("w/5", "data_not_an_object"),
    ]


def test_empty_buckets_give_no_events():
    activity = window_activity(HOST, {}, RULES, category_source="t", now=NOW)
    assert activity.events == () and activity.skipped == {}


def test_intervals_merge_and_overlap_is_exact():
    events = [
        ev(1, 0, 60, status="not-afk"),
        ev(2, 0.5, 60, status="not-afk"),
        ev(3, 5, 60, status="not-afk"),
        ev(4, 2, 60, status="afk"),
    ]
    spans = not_afk_intervals([coerce_raw_event(e, now=NOW) for e in events])
    assert spans == [
        (T0, T0 + timedelta(seconds=90)),
        (T0 + timedelta(minutes=5), T0 + timedelta(minutes=6)),
    ]
    assert active_seconds(T0 + timedelta(seconds=60), T0 + timedelta(minutes=10), spans) == 90


def test_host_selection_and_its_error_lists_the_hosts():
    buckets = [
        BucketInfo("aw-watcher-window_a", "currentwindow", "a"),
        BucketInfo("aw-watcher-afk_a", "afkstatus", "a"),
        BucketInfo("aw-watcher-window_b", "currentwindow", "b"),
    ]
    assert select_host_buckets(buckets, "", local_hostname="a").afk == ("aw-watcher-afk_a",)
    assert select_host_buckets(buckets[:2], "", local_hostname="zzz").hostname == "a"
    with pytest.raises(UnknownHostError, match=r"'wrong'.*'a', 'b'.*VRDNDI_AW_HOSTNAME"):
        select_host_buckets(buckets, "wrong", local_hostname="a")
    with pytest.raises(UnknownHostError, match="none configured"):
        select_host_buckets(buckets, "", local_hostname="zzz")
    with pytest.raises(UnknownHostError, match="no aw-watcher-window bucket"):
        select_host_buckets([], "", local_hostname="zzz")


def test_bad_category_rules_name_the_category():
    with pytest.raises(ActivityDataError, match="'Work > Broken'.*invalid rule"):
        parse_category_rules(
            [{"name": ["Work", "Broken"], "rule": {"type": "regex", "regex": "(unclosed"}}]
        )
    with pytest.raises(ActivityDataError, match="no name list"):
        parse_category_rules([{"rule": {"type": "regex", "regex": "x"}}])


def test_export_files_errors_say_what_and_how(tmp_path):
    good = {
        "buckets": {
            "w": {
                "id": "w",
                "type": "currentwindow",
                "hostname": "h",
                "events": [ev(1, 0, 5, app="x")],
            }
        }
    }
    path = tmp_path / "export.json.gz"
    path.write_bytes(gzip.compress(json.dumps(good).encode()))
    assert load_aw_export(path).events["w"][0]["id"] == 1

    truncated = tmp_path / "truncated.json"
    truncated.write_text(json.dumps(good)[:-20])
    with pytest.raises(ActivityDataError, match=r"not valid JSON \(line 1.*truncated.*Export"):
        load_aw_export(truncated)
    broken_gz = tmp_path / "broken.json.gz"
    broken_gz.write_bytes(gzip.compress(json.dumps(good).encode())[:-30])
    with pytest.raises(ActivityDataError, match="gzip"):
        load_aw_export(broken_gz)
    garbled = tmp_path / "garbled.json"
    garbled.write_bytes(b"\x80\x81 garbage")
    with pytest.raises(ActivityDataError, match="UTF-8"):
        load_aw_export(garbled)
    with pytest.raises(ActivityDataError, match="does not exist"):
        load_aw_export(tmp_path / "missing.json")
    with pytest.raises(ActivityDataError, match="'buckets'"):
        parse_aw_export([1, 2])
    with pytest.raises(ActivityDataError, match="has no type"):
        parse_aw_export({"buckets": {"w": {"hostname": "h", "events": []}}})
