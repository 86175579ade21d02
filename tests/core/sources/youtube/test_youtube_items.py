"""Parsing of youtube#video resources: checked, kept, counted or rejected, never raising."""

from __future__ import annotations

import copy
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.harness.fake_youtube_server import video_resource
from vrdndi_pipeline.core.sources.youtube.items import (
    MAX_TAGS,
    REJECTION_REASONS,
    ItemSkipped,
    YouTubeFetch,
    page_items,
    parse_published_at,
    parse_video_item,
    parse_video_items,
)
from vrdndi_pipeline.core.validation import (
    MAX_DESCRIPTION_CHARS,
    MAX_TITLE_CHARS,
    MAX_VIDEO_SECONDS,
    YOUTUBE_EPOCH,
    RecordRejected,
    Rejection,
)

VID = "dQw4w9WgXcQ"
NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)


def test_full_item_becomes_a_video() -> None:
    item = video_resource(
        VID,
        title="Never",
        channel_id="UCuAXFkgsw1L7xaCfnd5JJOw",
        published_at=datetime(2009, 10, 25, 6, 57, 33, tzinfo=UTC),
        duration="PT3M33S",
        description="line 1\nline 2",
        tags=("80s", "pop"),
    )
    video = parse_video_item(item, "liked")
    assert video.video_id == VID
    assert video.title == "Never"
    assert video.channel_id == "UCuAXFkgsw1L7xaCfnd5JJOw"
    assert video.channel_title == "Channel JJOw"
    assert video.description == "line 1\nline 2"
    assert video.duration_s == 213
    assert video.published_at == datetime(2009, 10, 25, 6, 57, 33, tzinfo=UTC)
    assert video.published_at.utcoffset().total_seconds() == 0
    assert video.tags == ("80s", "pop")
    assert video.source == "liked"
    assert video.details_from == "api"


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2024-03-01T10:00:00Z", datetime(2024, 3, 1, 10, tzinfo=UTC)),
        ("2024-03-01T10:00:00.250Z", datetime(2024, 3, 1, 10, 0, 0, 250000, tzinfo=UTC)),
        ("2024-03-01T12:00:00+02:00", datetime(2024, 3, 1, 10, tzinfo=UTC)),
        ("2024-03-01T10:00:00", datetime(2024, 3, 1, 10, tzinfo=UTC)),  # no offset: UTC
    ],
)
def test_published_at_is_aware_utc(stamp: str, expected: datetime) -> None:
    item = video_resource(VID)
    item["snippet"]["publishedAt"] = stamp
    video = parse_video_item(item, "subscription", now=NOW)
    assert video.published_at == expected
    assert video.published_at.tzinfo == UTC


@pytest.mark.parametrize(
    ("stamp", "reason"),
    [
        ("not a time", "invalid_time"),
        ("2024-13-45T00:00:00Z", "invalid_time"),
        ("2024-01-01T00:00:00+99:00", "invalid_time"),  # an offset past 24 h
        (1_700_000_000, "invalid_time"),
        (["2024-01-01T00:00:00Z"], "invalid_time"),
        ("2024-01-01T00:00:00Z" + " " * 100, "invalid_time"),
        ("9999-12-31T23:59:59Z", "time_in_future"),
        ("2026-11-16T12:00:01Z", "time_in_future"),  # a day and a second ahead
        ("9999-12-31T23:59:59-05:00", "time_out_of_range"),  # past year 9999 in UTC
        ("0001-01-01T00:00:00+05:00", "time_out_of_range"),  # before year 1 in UTC
        ("0001-01-01T00:00:00Z", "time_too_early"),
        ("2005-04-22T23:59:59Z", "time_too_early"),  # before YouTube's first upload
    ],
)
def test_implausible_published_at_rejects_the_video(stamp: object, reason: str) -> None:
    item = video_resource(VID)
    item["snippet"]["publishedAt"] = stamp
    with pytest.raises(RecordRejected) as raised:
        parse_video_item(item, "subscription", now=NOW)
    assert raised.value.reason == reason
    fetch = parse_video_items([item], "subscription", now=NOW)
    assert fetch.videos == ()
    assert fetch.skipped == {reason: 1}
    assert fetch.rejections == (Rejection(VID, reason),)
    assert reason in REJECTION_REASONS


@pytest.mark.parametrize(
    "stamp", ["2026-11-16T12:00:00Z", "2005-04-23T00:00:00Z", "2026-11-16T11:00:00-01:00"]
)
def test_times_at_the_bounds_are_kept(stamp: str) -> None:
    item = video_resource(VID)
    item["snippet"]["publishedAt"] = stamp
    video = parse_video_item(item, "subscription", now=NOW)
    assert YOUTUBE_EPOCH <= video.published_at <= NOW + timedelta(days=1)


def test_missing_published_at_keeps_the_video() -> None:
    item = video_resource(VID)
    del item["snippet"]["publishedAt"]
    fetch = parse_video_items([item], "liked", now=NOW)
    assert fetch.videos[0].published_at is None
    assert fetch.skipped == {"missing_published_at": 1}
    assert fetch.rejections == ()


def test_the_clock_is_the_default_now() -> None:
    tomorrow_and_more = datetime.now(UTC) + timedelta(days=1, minutes=5)
    item = video_resource(VID, published_at=tomorrow_and_more)
    assert parse_video_items([item], "subscription").skipped == {"time_in_future": 1}


@pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", 7])
def test_parse_published_at_gives_none_for_what_utc_cannot_hold(stamp: object) -> None:
    assert parse_published_at(stamp) is None


def test_live_duration_p0d_is_zero() -> None:
    fetch = parse_video_items([video_resource(VID, duration="P0D")], "subscription")
    assert fetch.videos[0].duration_s == 0
    assert fetch.skipped == {}


@pytest.mark.parametrize(
    ("duration", "reason"),
    [
        (None, "missing_duration"),
        ("", "missing_duration"),
        ("4:13", "bad_duration"),
        (253, "bad_duration"),
        ("PT" + "9" * 5000 + "S", "bad_duration"),
        ("P99999999999999D", "duration_out_of_range"),  # raised OverflowError before
        ("P32D", "duration_out_of_range"),
    ],
)
def test_unusable_duration_keeps_the_video(duration: object, reason: str) -> None:
    item = video_resource(VID)
    if duration is None:
        del item["contentDetails"]
    else:
        item["contentDetails"]["duration"] = duration
    fetch = parse_video_items([item], "subscription", now=NOW)
    assert [v.video_id for v in fetch.videos] == [VID]
    assert fetch.videos[0].duration_s is None
    assert fetch.skipped == {reason: 1}
    assert fetch.rejections == ()


def test_a_month_long_live_stream_keeps_its_duration() -> None:
    fetch = parse_video_items([video_resource(VID, duration="P31D")], "subscription", now=NOW)
    assert fetch.videos[0].duration_s == MAX_VIDEO_SECONDS


def test_unusable_items_are_counted_not_raised() -> None:
    no_snippet = {"kind": "youtube#video", "id": VID, "contentDetails": {"duration": "PT1M"}}
    no_title = video_resource("aaaaaaaaaaa")
    del no_title["snippet"]["title"]
    empty_title = video_resource("bbbbbbbbbbb", title="")
    no_id = video_resource("ccccccccccc")
    del no_id["id"]
    items = [
        no_snippet,
        no_title,
        empty_title,
        no_id,
        video_resource("<script>xx"),  # not an 11-character id
        video_resource("too-long-id-123"),
        "not an object",
        video_resource("ddddddddddd"),
    ]
    fetch = parse_video_items(items, "lookup", now=NOW)
    assert [v.video_id for v in fetch.videos] == ["ddddddddddd"]
    assert fetch.skipped == {
        "missing_snippet": 1,
        "missing_title": 2,
        "missing_video_id": 1,
        "invalid_video_id": 2,
        "not_an_object": 1,
    }
    assert fetch.rejections == (
        Rejection(VID, "missing_snippet"),
        Rejection("aaaaaaaaaaa", "missing_title"),
        Rejection("bbbbbbbbbbb", "missing_title"),
        Rejection("item 3", "missing_video_id"),
        Rejection("<script>xx", "invalid_video_id"),
        Rejection("too-long-id-123", "invalid_video_id"),
        Rejection("item 6", "not_an_object"),
    )
    with pytest.raises(ItemSkipped) as raised:
        parse_video_item(no_snippet, "lookup")
    assert raised.value.reason == "missing_snippet"


@pytest.mark.parametrize(
    "bad_id",
    [12345678901, ["dQw4w9WgXcQ"], {"kind": "youtube#video", "videoId": VID}, VID + "x", 1.5e10],
)
def test_an_id_of_the_wrong_type_or_shape_is_rejected(bad_id: object) -> None:
    item = video_resource(VID)
    item["id"] = bad_id
    fetch = parse_video_items([video_resource("aaaaaaaaaaa"), item], "lookup", now=NOW)
    assert [v.video_id for v in fetch.videos] == ["aaaaaaaaaaa"]
    assert fetch.skipped == {"invalid_video_id": 1}
    [rejection] = fetch.rejections
    assert rejection.key == (VID + "x" if isinstance(bad_id, str) else "item 1")


def test_a_video_id_that_comes_again_is_kept_once() -> None:
    first = video_resource(VID, title="first")
    fetch = parse_video_items([first, video_resource(VID, title="again"), first], "liked", now=NOW)
    assert [v.title for v in fetch.videos] == ["first"]
    assert fetch.skipped == {"duplicate_video_id": 2}
    assert fetch.rejections == ()


@pytest.mark.parametrize(
    "text",
    [
        "Café ☕ 😀👨‍👩‍👧 family",
        "東京の夜景 4K / 서울 / 北京",
        "مرحبا بالعالم — שלום עולם",
        '<script>alert("x")</script> &amp; <b>',
        "  leading and trailing spaces ",
        "\u202eRTL override\u202c and zero\u200bwidth",
    ],
)
def test_text_is_kept_exactly(text: str) -> None:
    item = video_resource(VID, title=text, description=text, tags=(text,))
    fetch = parse_video_items([item], "subscription", now=NOW)
    [video] = fetch.videos
    assert video.title == text
    assert video.description == text
    assert video.tags == (text,)
    assert fetch.skipped == {}


def test_newlines_stay_in_descriptions_only() -> None:
    item = video_resource(VID, title="one\ttwo\n", description="line 1\r\nline 2\tend")
    fetch = parse_video_items([item], "subscription", now=NOW)
    assert fetch.videos[0].title == "one two "  # a title is one line
    assert fetch.videos[0].description == "line 1\r\nline 2\tend"
    assert fetch.skipped == {"title_repaired": 1}


def test_text_no_database_stores_is_repaired_and_counted() -> None:
    item = video_resource(
        VID, title="A\x00B\ud800C", description="x\udfff\x1b[31mred", tags=("t\x00g", "ok")
    )
    item["snippet"]["channelTitle"] = "\x07Chan\u0000nel"
    fetch = parse_video_items([item], "subscription", now=NOW)
    [video] = fetch.videos
    assert video.title == "AB\ufffdC"
    assert video.description == "x\ufffd[31mred"
    assert video.channel_title == "Channel"
    assert video.tags == ("tg", "ok")
    assert fetch.skipped == {
        "title_repaired": 1,
        "description_repaired": 1,
        "channel_title_repaired": 1,
        "tags_repaired": 1,
    }


def test_a_title_of_control_characters_only_is_no_title() -> None:
    fetch = parse_video_items([video_resource(VID, title="\x00\x01")], "liked", now=NOW)
    assert fetch.videos == () and fetch.skipped == {"missing_title": 1}


def test_long_text_is_cut_quickly() -> None:
    item = video_resource(VID, title="t" * (MAX_TITLE_CHARS + 1), description="d" * 10_000_000)
    started = time.perf_counter()
    fetch = parse_video_items([item], "subscription", now=NOW)
    assert time.perf_counter() - started < 0.5  # the 10 MB past the limit is not read
    [video] = fetch.videos
    assert len(video.title) == MAX_TITLE_CHARS
    assert len(video.description) == MAX_DESCRIPTION_CHARS
    assert fetch.skipped == {"title_cut": 1, "description_cut": 1}


def test_long_text_of_control_characters_is_read_to_the_end() -> None:
    description = "\x00" * 50_000 + "kept"
    fetch = parse_video_items([video_resource(VID, description=description)], "liked", now=NOW)
    assert fetch.videos[0].description == "kept"
    assert fetch.skipped == {"description_repaired": 1}


def test_non_string_tags_are_dropped_and_counted() -> None:
    item = video_resource(VID, tags=("a",))
    item["snippet"]["tags"] = ["a", 3, None, {"x": 1}, "b", ""]
    fetch = parse_video_items([item], "subscription", now=NOW)
    assert fetch.videos[0].tags == ("a", "b")
    assert fetch.skipped == {"bad_tags": 1}
    item["snippet"]["tags"] = "a, b"
    fetch = parse_video_items([item], "subscription", now=NOW)
    assert fetch.videos[0].tags == () and fetch.skipped == {"bad_tags": 1}


def test_too_many_tags_are_cut() -> None:
    item = video_resource(VID, tags=tuple(f"t{n}" for n in range(MAX_TAGS + 5)))
    fetch = parse_video_items([item], "subscription", now=NOW)
    assert len(fetch.videos[0].tags) == MAX_TAGS
    assert fetch.skipped == {"tags_cut": 1}


@pytest.mark.parametrize(
    ("channel_id", "reason"),
    [
        ("UC" + "x" * 100, "invalid_channel_id"),
        ("UCchannel00000000000000", "invalid_channel_id"),  # 23 characters
        ("PLxxxxxxxxxxxxxxxxxxxxxx", "invalid_channel_id"),
        (12345, "invalid_channel_id"),
        (None, "missing_channel_id"),
    ],
)
def test_a_channel_id_of_the_wrong_shape_is_dropped(channel_id: object, reason: str) -> None:
    item = video_resource(VID)
    item["snippet"]["channelId"] = channel_id
    fetch = parse_video_items([item], "subscription", now=NOW)
    assert fetch.videos[0].channel_id is None
    assert fetch.skipped == {reason: 1}


def test_text_fields_of_the_wrong_type_are_dropped_and_counted() -> None:
    item = video_resource(VID)
    item["snippet"]["channelTitle"] = ["x"]
    item["snippet"]["description"] = 5
    fetch = parse_video_items([item], "subscription", now=NOW)
    assert (fetch.videos[0].channel_title, fetch.videos[0].description) == (None, None)
    assert fetch.skipped == {"bad_channel_title": 1, "bad_description": 1}


def test_merge_adds_everything() -> None:
    a = parse_video_items([video_resource(VID, duration=None)], "liked", now=NOW)
    b = parse_video_items([video_resource("aaaaaaaaaaa", duration="x"), {}], "liked", now=NOW)
    merged = YouTubeFetch(a.videos, a.skipped, 2, 2).merge(
        YouTubeFetch(b.videos, b.skipped, 1, 1, b.rejections)
    )
    assert [v.video_id for v in merged.videos] == [VID, "aaaaaaaaaaa"]
    assert merged.skipped == {"missing_duration": 1, "bad_duration": 1, "missing_video_id": 1}
    assert (merged.requests, merged.quota_units) == (3, 3)
    assert merged.rejections == (Rejection("item 1", "missing_video_id"),)


@pytest.mark.parametrize(
    ("page", "count"),
    [
        ({"items": [1, 2]}, {}),
        ({}, {}),
        ({"items": "not a list"}, {"items_not_a_list": 1}),
        ({"items": {"id": VID}}, {"items_not_a_list": 1}),
        ([{"items": []}], {"page_not_an_object": 1}),
        ("<html>", {"page_not_an_object": 1}),
        (None, {"page_not_an_object": 1}),
    ],
)
def test_page_items_counts_pages_of_the_wrong_shape(page: object, count: dict) -> None:
    skipped: Counter[str] = Counter()
    items = page_items(page, skipped)
    assert items == (page["items"] if count == {} and isinstance(page, dict) and page else [])
    assert skipped == count


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
_item = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from([VID, "bad", None, 7]),
        "snippet": st.dictionaries(
            st.sampled_from(["title", "publishedAt", "tags", "channelId", "description"]), _json
        ),
        "contentDetails": st.dictionaries(st.sampled_from(["duration"]), _json),
    },
)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.lists(_item | _json, max_size=5))
def test_any_json_is_parsed_or_counted(items: list[object]) -> None:
    fetch = parse_video_items(items, "subscription", now=NOW)
    assert len(fetch.videos) <= len(items)
    _assert_storable(fetch, items)


# -- hostile items, generated ------------------------------------------------------------------

_HOSTILE = st.sampled_from(
    [
        None,
        True,
        -1,
        10**30,
        10**5000,  # more digits than int() reads back from text
        float("nan"),
        float("inf"),
        "",
        "\x00",
        "\ud800",
        "x" * 20_000,
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+05:00",
        "2024-01-01T00:00:00+99:00",
        "P99999999999999D",
        "PT" + "9" * 400 + "S",
        "UC" + "x" * 200,
        VID,
        [],
        {},
        [VID, 3, None],
        {"videoId": VID},
    ]
)
_FIELDS = [
    ("snippet", "title"),
    ("snippet", "publishedAt"),
    ("snippet", "channelId"),
    ("snippet", "channelTitle"),
    ("snippet", "description"),
    ("snippet", "tags"),
    ("contentDetails", "duration"),
]
_PATHS = [("id",), ("snippet",), ("contentDetails",), *_FIELDS, *_FIELDS]  # fields: often


@st.composite
def _mutated_video(draw: st.DrawFn) -> object:
    """A valid youtube#video with one to four parts replaced by hostile values or removed."""
    n = draw(st.integers(0, 99))
    item: dict = video_resource(f"vid{n:08d}", tags=("a", "b"))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(_PATHS))
        parent = item
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict):
            continue
        if draw(st.booleans()):
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = copy.deepcopy(draw(_HOSTILE | st.text(max_size=30)))
    return item


def _assert_storable(fetch: YouTubeFetch, items: list[object]) -> None:
    for video in fetch.videos:
        assert isinstance(video.title, str) and video.title
        for text in (video.title, video.description or "", video.channel_title or "", *video.tags):
            text.encode("utf-8")  # no lone surrogate
            assert "\x00" not in text
        assert len(video.title) <= MAX_TITLE_CHARS
        assert video.duration_s is None or 0 <= video.duration_s <= MAX_VIDEO_SECONDS
        assert video.published_at is None or (
            YOUTUBE_EPOCH <= video.published_at <= NOW + timedelta(days=1)
        )
        assert video.channel_id is None or len(video.channel_id) == 24
    rejected = sum(n for reason, n in fetch.skipped.items() if reason in REJECTION_REASONS)
    assert rejected == len(fetch.rejections)
    assert {r.reason for r in fetch.rejections} <= REJECTION_REASONS
    duplicates = fetch.skipped.get("duplicate_video_id", 0)
    assert len(fetch.videos) + len(fetch.rejections) + duplicates == len(items)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(_mutated_video(), _mutated_video(), _mutated_video(), _HOSTILE), max_size=6)
)
def test_mutated_items_are_kept_repaired_or_rejected(items: list[object]) -> None:
    fetch = parse_video_items(items, "subscription", now=NOW)
    _assert_storable(fetch, items)
