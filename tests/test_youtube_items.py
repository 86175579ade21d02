"""Parsing of youtube#video resources: kept, counted, never raising."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fake_youtube_server import video_resource
from vrdndi_pipeline.core.youtube_items import (
    ItemSkipped,
    YouTubeFetch,
    parse_video_item,
    parse_video_items,
)

VID = "dQw4w9WgXcQ"


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
        ("not a time", None),
    ],
)
def test_published_at_is_aware_utc(stamp: str, expected: datetime | None) -> None:
    item = video_resource(VID)
    item["snippet"]["publishedAt"] = stamp
    video = parse_video_item(item, "subscription")
    assert video.published_at == expected
    if expected is not None:
        assert video.published_at.tzinfo == UTC


def test_live_duration_p0d_is_zero() -> None:
    fetch = parse_video_items([video_resource(VID, duration="P0D")], "subscription")
    assert fetch.videos[0].duration_s == 0
    assert fetch.skipped == {}


@pytest.mark.parametrize(
    ("duration", "reason"),
    [(None, "missing_duration"), ("", "missing_duration"), ("4:13", "bad_duration")],
)
def test_unusable_duration_keeps_the_video(duration: str | None, reason: str) -> None:
    fetch = parse_video_items([video_resource(VID, duration=duration)], "subscription")
    assert [v.video_id for v in fetch.videos] == [VID]
    assert fetch.videos[0].duration_s is None
    assert fetch.skipped == {reason: 1}


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
    fetch = parse_video_items(items, "lookup")
    assert [v.video_id for v in fetch.videos] == ["ddddddddddd"]
    assert fetch.skipped == {
        "missing_snippet": 1,
        "missing_title": 2,
        "missing_video_id": 1,
        "invalid_video_id": 2,
        "not_an_object": 1,
    }
    with pytest.raises(ItemSkipped) as raised:
        parse_video_item(no_snippet, "lookup")
    assert raised.value.reason == "missing_snippet"


@pytest.mark.parametrize(
    "text",
    [
        "Café ☕ 😀👨‍👩‍👧 family",
        "東京の夜景 4K / 서울 / 北京",
        "مرحبا بالعالم — שלום עולם",
        '<script>alert("x")</script> &amp; <b>',
        "  leading and trailing spaces \t\n",
        "\u202eRTL override\u202c and zero\u200bwidth",
    ],
)
def test_text_is_kept_exactly(text: str) -> None:
    item = video_resource(VID, title=text, description=text, tags=(text,))
    video = parse_video_item(item, "subscription")
    assert video.title == text
    assert video.description == text
    assert video.tags == (text,)


def test_non_string_tags_are_dropped() -> None:
    item = video_resource(VID, tags=("a",))
    item["snippet"]["tags"] = ["a", 3, None, "b"]
    assert parse_video_item(item, "subscription").tags == ("a", "b")


def test_merge_adds_everything() -> None:
    a = parse_video_items([video_resource(VID, duration=None)], "liked")
    b = parse_video_items([video_resource("aaaaaaaaaaa", duration="x"), {}], "liked")
    merged = YouTubeFetch(a.videos, a.skipped, 2, 2).merge(YouTubeFetch(b.videos, b.skipped, 1, 1))
    assert [v.video_id for v in merged.videos] == [VID, "aaaaaaaaaaa"]
    assert merged.skipped == {"missing_duration": 1, "bad_duration": 1, "missing_video_id": 1}
    assert (merged.requests, merged.quota_units) == (3, 3)


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


@settings(max_examples=200, deadline=None)
@given(st.lists(_item | _json, max_size=5))
def test_any_json_is_parsed_or_counted(items: list[object]) -> None:
    fetch = parse_video_items(items, "subscription")
    assert len(fetch.videos) <= len(items)
    for video in fetch.videos:
        assert isinstance(video.title, str) and video.title
        assert video.duration_s is None or video.duration_s >= 0
