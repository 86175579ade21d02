"""Parsing Google Takeout's watch-history.json."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vrdndi_pipeline.core.sources.takeout.history import (
    SKIP_REASONS,
    TakeoutFormatError,
    load_watch_history,
    parse_watch_history,
    video_id_from_url,
)
from vrdndi_pipeline.demo import DEMO_DATA_DIR, MANIFEST_FILE, TAKEOUT_WATCH_HISTORY_FILE

CHANNEL = "UCa1B2c3D4e5F6g7H8i9J0kQ"
OTHER_CHANNEL = "UCzz_Yy-Xx0Ww1Vv2Uu3Tt4A"


def watched(
    video_id: str = "aBcD3fGh1jQ",
    title: str = "Watched Attention Is All You Need — paper explained",
    *,
    host: str = "www.youtube.com",
    time: str = "2026-11-14T20:13:05.123Z",
    header: str = "YouTube",
    channel: tuple[str, str] | None = ("Paper Pilot", CHANNEL),
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "header": header,
        "title": title,
        "titleUrl": f"https://{host}/watch?v={video_id}",
    }
    if channel is not None:
        entry["subtitles"] = [
            {"name": channel[0], "url": f"https://www.youtube.com/channel/{channel[1]}"}
        ]
    entry.update(time=time, products=["YouTube"], activityControls=["YouTube watch history"])
    return entry


def counted(counts: dict[str, int]) -> dict[str, int]:
    """The reasons that occurred."""
    return {reason: n for reason, n in counts.items() if n}


def takeout_text(entries: list[Any]) -> bytes:
    """As Takeout writes it: pretty JSON, UTF-8, with GSON's HTML-safe escapes."""
    text = json.dumps(entries, ensure_ascii=False, indent=2)
    for char in "&<>='":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text.encode()


AD = {
    **watched(
        "Zz9yX8wV7uQ",
        "Watched NordPeak VPN — Protect Your Privacy Today",
        channel=("NordPeak VPN", OTHER_CHANNEL),
    ),
    "details": [{"name": "From Google Ads"}],
}
POST = {
    "header": "YouTube",
    "title": "Viewed Poll: which paper should I explain next?",
    "titleUrl": "https://www.youtube.com/post/UgkxQ2bUYfONPd-YoYDomqBwhnYkwWfu4Vkw",
    "subtitles": [{"name": "Paper Pilot", "url": f"https://www.youtube.com/channel/{CHANNEL}"}],
    "time": "2026-11-14T19:00:00.000Z",
    "products": ["YouTube"],
}
REMOVED = {
    "header": "YouTube",
    "title": "Watched a video that has been removed",
    "time": "2026-09-01T18:00:00.5Z",
    "products": ["YouTube"],
}


def test_a_realistic_file_gives_watches_and_counted_skips() -> None:
    items = [
        watched(),
        watched(
            "Mq8_-x7LpaA",
            "Watched Says",
            host="music.youtube.com",
            header="YouTube Music",
            channel=("Nils Frahm - Topic", OTHER_CHANNEL),
        ),
        AD,
        POST,
        REMOVED,
        watched("kK2mN4pQ6sA", "Watched 【料理】親子丼を作ってみた", host="m.youtube.com"),
        {**watched(), "titleUrl": "https://youtu.be/aBcD3fGh1jQ", "time": "2026-11-10T08:00:00Z"},
        {**watched(), "titleUrl": "https://www.youtube.com/shorts/Sh0rtV1d3oA?feature=share"},
        {**watched(), "titleUrl": f"https://www.youtube.com/channel/{CHANNEL}"},
        {**watched(), "titleUrl": "https://music.youtube.com/playlist?list=OLAK5uy_kX"},
        {**watched(), "titleUrl": "https://example.org/watch?v=aBcD3fGh1jQ"},
        watched("too-short"),
        {**watched(), "titleUrl": "https://www.youtube.com/watch?list=WL"},
        {k: v for k, v in watched().items() if k != "time"},
        {**watched(), "time": "last tuesday"},
        "Watched something",
        {"header": "YouTube", "products": ["YouTube"]},
    ]
    history = parse_watch_history(takeout_text(items))

    assert [e.video_id for e in history.entries] == [
        "aBcD3fGh1jQ",
        "Mq8_-x7LpaA",
        "kK2mN4pQ6sA",
        "aBcD3fGh1jQ",
        "Sh0rtV1d3oA",
    ]
    assert counted(history.skipped) == {
        "ad": 1,
        "post": 1,
        "removed": 1,
        "music_visit": 1,  # the music.youtube.com playlist page
        "not_a_video": 2,
        "invalid_video_id": 2,
        "missing_time": 1,
        "invalid_time": 1,  # "last tuesday"
        "malformed_entry": 2,
    }
    assert list(history.skipped) == list(SKIP_REASONS)
    assert history.items == len(items)
    assert [(r.key, r.reason) for r in history.rejections] == [
        ("too-short", "invalid_video_id"),
        ("item 12", "invalid_video_id"),
        ("aBcD3fGh1jQ", "missing_time"),
        ("aBcD3fGh1jQ", "invalid_time"),
        ("item 15", "malformed_entry"),
        ("item 16", "malformed_entry"),
    ]
    first = history.entries[0]
    assert first.title == "Attention Is All You Need — paper explained"
    assert (first.channel_title, first.channel_id) == ("Paper Pilot", CHANNEL)
    assert first.watched_at == datetime(2026, 11, 14, 20, 13, 5, 123000, tzinfo=UTC)
    assert (
        history.entries[1].title == "Says"
        and history.entries[1].channel_title == "Nils Frahm - Topic"
    )


def test_times_become_aware_utc() -> None:
    items = [
        watched(time="2026-11-14T20:13:05Z"),
        watched(time="2026-10-25T02:30:00+02:00"),
        watched(time="2026-11-14T20:13:05.1234567Z"),
        watched(time="2026-11-14T20:13:05"),  # no zone: Takeout never writes that
    ]
    history = parse_watch_history(json.dumps(items))
    assert [e.watched_at for e in history.entries] == [
        datetime(2026, 11, 14, 20, 13, 5, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 11, 14, 20, 13, 5, 123456, tzinfo=UTC),
    ]
    assert all(e.watched_at.utcoffset().total_seconds() == 0 for e in history.entries)
    assert counted(history.skipped) == {"time_without_zone": 1}


@pytest.mark.parametrize(
    "title",
    [
        "lofi hip hop radio 📻 beats to relax/study to",
        "【料理】親子丼を作ってみた｜簡単レシピ 🍳",
        "كيف يعمل الذكاء الاصطناعي؟ | شرح مبسط",
        "הפרויקט של עידן רייכל - ממעמקים",
        "mixed \u200fRTL mark and Ω ≠ ω, tabs\tand  double  spaces ",
        "I Rewrote My Compiler in Rust (and it was a mistake) & <b>=",
        "👨‍👩‍👧‍👦 family emoji",
    ],
)
def test_titles_keep_their_exact_text(title: str) -> None:
    history = parse_watch_history(takeout_text([watched(title="Watched " + title)]))
    assert history.entries[0].title == title.replace("\t", " ")  # a tab is a control character


def test_titles_that_are_only_a_link_or_missing_become_none() -> None:
    items = [
        watched(title="Watched https://www.youtube.com/watch?v=aBcD3fGh1jQ", channel=None),
        {k: v for k, v in watched().items() if k != "title"},
        watched(title="Angesehen: Ein deutscher Titel"),  # other languages keep the whole title
    ]
    entries = parse_watch_history(takeout_text(items)).entries
    assert [e.title for e in entries] == [None, None, "Angesehen: Ein deutscher Titel"]
    assert (entries[0].channel_title, entries[0].channel_id) == (None, None)


def test_entries_missing_or_mistyping_fields() -> None:
    items = [
        {**watched(), "subtitles": "Paper Pilot"},
        {
            **watched(),
            "subtitles": [{"name": "Handle Only", "url": "https://www.youtube.com/@paperpilot"}],
        },
        {**watched(), "subtitles": []},
        {**watched(), "details": "From Google Ads"},  # not the list Takeout writes: not an ad
        {**watched(), "title": 42},
        {**watched(), "titleUrl": ["https://www.youtube.com/watch?v=aBcD3fGh1jQ"]},
        {**watched(), "time": 1731614000},
        {**watched(), "time": None},
        {**watched(), "titleUrl": "http://[::1"},
        None,
        [],
    ]
    history = parse_watch_history(json.dumps(items))
    assert [(e.channel_title, e.channel_id) for e in history.entries] == [
        (None, None),
        ("Handle Only", None),
        (None, None),
        ("Paper Pilot", CHANNEL),
    ]
    assert counted(history.skipped) == {
        "malformed_entry": 4,
        "invalid_time": 1,
        "missing_time": 1,
        "not_a_video": 1,
    }
    assert history.items == len(items)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.youtube.com/watch?v=aBcD3fGh1jQ&t=42s", ("video", "aBcD3fGh1jQ")),
        ("https://m.youtube.com/watch?v=aBcD3fGh1jQ", ("video", "aBcD3fGh1jQ")),
        ("https://youtu.be/aBcD3fGh1jQ?si=x", ("video", "aBcD3fGh1jQ")),
        ("https://www.youtube.com/live/aBcD3fGh1jQ", ("video", "aBcD3fGh1jQ")),
        ("https://www.youtube.com/post/Ugkx123", ("post", None)),
        ("https://www.youtube.com/@paperpilot", ("not_a_video", None)),
        ("https://www.youtube.com/watch", ("video", None)),
        ("not a url at all", ("not_a_video", None)),
    ],
)
def test_video_ids_from_urls(url: str, expected: tuple[str, str | None]) -> None:
    assert video_id_from_url(url) == expected


# --- files that are not a usable watch history ---------------------------------------------------


def test_a_truncated_file_says_where_and_what_to_do() -> None:
    raw = takeout_text([watched(), watched(), watched()])
    with pytest.raises(TakeoutFormatError) as error:
        parse_watch_history(raw[: len(raw) * 2 // 3], source_name="Takeout/watch-history.json")
    message = str(error.value)
    for part in (
        "Takeout/watch-history.json",
        "truncated",
        "line ",
        "column ",
        "Download the Takeout archive again",
    ):
        assert part in message


def test_garbled_bytes_are_reported_as_damage() -> None:
    raw = takeout_text([watched()])
    with pytest.raises(
        TakeoutFormatError, match=r"not UTF-8 .*offset 40.*Download the Takeout archive again"
    ):
        parse_watch_history(raw[:40] + b"\xff\xfe\x80" + raw[40:])


def test_garbled_json_names_line_and_column() -> None:
    raw = b'[\n  {"header": "YouTube",\n   "title" "Watched x"}\n]'
    with pytest.raises(
        TakeoutFormatError, match=r"not valid JSON .* at line 3, column 12\. Download"
    ):
        parse_watch_history(raw)


def test_the_html_export_says_to_choose_json() -> None:
    html = b"<!DOCTYPE html><html><head><title>Watch history</title></head><body>...</body></html>"
    with pytest.raises(TakeoutFormatError, match=r"HTML .*Multiple formats.*JSON"):
        parse_watch_history(html, source_name="watch-history.html")


@pytest.mark.parametrize(
    ("document", "found"),
    [({"watches": []}, "an object"), ("Watched", "a string"), (3, "a number"), (None, "null")],
)
def test_a_top_level_that_is_not_a_list(document: object, found: str) -> None:
    with pytest.raises(TakeoutFormatError, match=f"holds {found}, .*VRDNDI_TAKEOUT_PATH"):
        parse_watch_history(json.dumps(document))


@pytest.mark.parametrize("raw", [b"", b"  \n", "", "\ufeff"])
def test_an_empty_file(raw: bytes | str) -> None:
    with pytest.raises(TakeoutFormatError, match="is empty"):
        parse_watch_history(raw)


def test_a_byte_order_mark_and_an_empty_list_are_fine() -> None:
    assert (
        parse_watch_history(b"\xef\xbb\xbf" + takeout_text([watched()])).entries[0].video_id
        == "aBcD3fGh1jQ"
    )
    assert parse_watch_history("[]").items == 0


def test_absurd_nesting_is_a_format_error() -> None:
    with pytest.raises(TakeoutFormatError):
        parse_watch_history("[" * 100_000 + "]" * 100_000)


# --- files on disk ------------------------------------------------------------------------------


def test_load_reads_a_file_and_names_it_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "watch-history.json"
    path.write_bytes(takeout_text([watched(), AD]))
    assert load_watch_history(path).skipped["ad"] == 1
    path.write_text("{")
    with pytest.raises(TakeoutFormatError, match=str(path)):
        load_watch_history(path)


def test_load_of_a_missing_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"does not exist\. Set VRDNDI_TAKEOUT_PATH"):
        load_watch_history(tmp_path / "nope.json")


def test_load_of_a_folder_points_at_the_file_inside(tmp_path: Path) -> None:
    inner = tmp_path / "Takeout" / "YouTube and YouTube Music" / "history" / "watch-history.json"
    inner.parent.mkdir(parents=True)
    inner.write_text("[]")
    with pytest.raises(
        TakeoutFormatError, match=r"is a folder, but VRDNDI_TAKEOUT_PATH .*use that file"
    ):
        load_watch_history(tmp_path)


def test_the_bundled_demo_history_matches_its_manifest() -> None:
    manifest = json.loads((DEMO_DATA_DIR / MANIFEST_FILE).read_text())["takeout"]
    history = load_watch_history(DEMO_DATA_DIR / TAKEOUT_WATCH_HISTORY_FILE)
    assert history.items == manifest["entries"]
    assert len(history.entries) == manifest["watched_videos"] + manifest["youtube_music"]
    assert (history.skipped["ad"], history.skipped["post"], history.skipped["removed"]) == (
        manifest["ads"],
        manifest["community_posts"],
        manifest["removed_videos"],
    )
    watched_ids = {e.video_id for e in history.entries}
    assert set(manifest["deleted_video_ids"]) <= watched_ids
    assert sum(e.title is None for e in history.entries) >= 1


# --- properties -----------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
urls = (
    st.sampled_from(
        [
            "https://www.youtube.com/watch?v=aBcD3fGh1jQ",
            "https://youtu.be/aBcD3fGh1jQ",
            "https://www.youtube.com/post/Ugkx1",
            "https://www.youtube.com/watch?v=",
            "http://[",
            "",
        ]
    )
    | st.text()
)
times = (
    st.sampled_from(
        [
            "2026-11-14T20:13:05.123Z",
            "2026-11-14",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
        ]
    )
    | st.text()
)
entry_like = st.fixed_dictionaries(
    {},
    optional={
        "header": st.sampled_from(["YouTube", "YouTube Music"]) | json_values,
        "title": st.text() | json_values,
        "titleUrl": urls | json_values,
        "subtitles": st.lists(
            st.fixed_dictionaries({}, optional={"name": json_values, "url": urls | json_values}),
            max_size=2,
        )
        | json_values,
        "details": st.just([{"name": "From Google Ads"}]) | json_values,
        "time": times | json_values,
    },
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(entry_like | json_values, max_size=12))
def test_any_json_list_parses_and_every_item_is_accounted_for(items: list[Any]) -> None:
    try:
        history = parse_watch_history(json.dumps(items))
    except TakeoutFormatError as error:  # only a list with no watch-history item at all
        assert items and "none is a watched video" in str(error)
        return
    assert history.items == len(items)
    assert all(
        e.watched_at.tzinfo is not None and e.watched_at.utcoffset().total_seconds() == 0
        for e in history.entries
    )


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_either_parse_or_raise_a_format_error(raw: bytes) -> None:
    try:
        history = parse_watch_history(raw)
    except TakeoutFormatError as error:
        assert "watch-history.json" in str(error)
    else:
        assert history.items == len(json.loads(raw))  # json detects UTF-8/16/32 as the parser
