"""Videos out of YouTube Data API v3 ``youtube#video`` resources, checked at the boundary.

Parsing never raises on a malformed item. An item that cannot become a :class:`Video` (no valid
id, no snippet, no title, a publish time that is unreadable or not between YouTube's first
upload and tomorrow) is rejected: counted under its reason in ``YouTubeFetch.skipped`` and
listed in ``YouTubeFetch.rejections`` for the ``rejected_items`` table. An item with a gap or
with text that had to be repaired is kept and counted too (``missing_duration``,
``duration_out_of_range``, ``title_repaired``, ``description_cut``, ...), so a run's metadata
shows what the API sent. Text is kept as sent except for what no database stores or no
screen should show (NUL and other control characters, lone surrogates) and what is longer
than the field's limit; escaping is the renderer's job.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vrdndi_pipeline.core.records import Video, VideoSource, is_channel_id, is_video_id
from vrdndi_pipeline.core.sources.durations import DurationError, parse_duration_seconds
from vrdndi_pipeline.core.validation import (
    MAX_DESCRIPTION_CHARS,
    MAX_KEY_CHARS,
    MAX_NAME_CHARS,
    MAX_TITLE_CHARS,
    MAX_VIDEO_SECONDS,
    YOUTUBE_EPOCH,
    RecordRejected,
    Rejection,
    checked_seconds,
    checked_time,
    item_key,
    repaired_text,
)

# Tags kept per video: YouTube allows 500 characters of tags in all; the rest are cut.
MAX_TAGS = 100
# An RFC 3339 time is about 30 characters; far longer text is not read at all.
_MAX_TIME_CHARS = 64

# Reasons an item is rejected (left out and written to ``rejected_items``); the time_* names are
# those of validation.checked_time, invalid_time as in the Takeout parser. Every other count in
# ``YouTubeFetch.skipped`` is a kept item with a gap or a repair, or a page-level count.
REJECTION_REASONS = frozenset(
    {
        "not_an_object",
        "missing_video_id",
        "invalid_video_id",
        "missing_snippet",
        "missing_title",
        "invalid_time",
        "time_without_zone",
        "time_out_of_range",
        "time_too_early",
        "time_in_future",
    }
)


@dataclass(frozen=True, slots=True)
class YouTubeFetch:
    """Videos from one or more API calls, with what was skipped and what it cost.

    ``skipped`` maps a reason to a count: items left out (``missing_snippet``,
    ``invalid_video_id``, ``time_in_future``, ``not_found``, ...), items kept with a gap or a
    repair (``missing_duration``, ``bad_duration``, ``title_repaired``, ...) and pages not of
    the promised shape (``items_not_a_list``, ...). ``rejections`` names each item set aside as
    invalid (``not_found`` is not one: it means deleted or private). ``not_found`` lists the
    ids asked for by id that the API did not return, in the order asked. ``quota_units`` is in
    YouTube Data API units (1 per ``list`` call).
    """

    videos: tuple[Video, ...] = ()
    skipped: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    quota_units: int = 0
    rejections: tuple[Rejection, ...] = ()
    not_found: tuple[str, ...] = ()

    def merge(self, other: YouTubeFetch) -> YouTubeFetch:
        """Both fetches together: videos, rejections and ids not found concatenated (an id once),
        counts added (zero counts dropped)."""
        return YouTubeFetch(
            videos=self.videos + other.videos,
            skipped=dict(Counter(self.skipped) + Counter(other.skipped)),
            requests=self.requests + other.requests,
            quota_units=self.quota_units + other.quota_units,
            rejections=self.rejections + other.rejections,
            not_found=tuple(dict.fromkeys(self.not_found + other.not_found)),
        )


class ItemSkipped(RecordRejected):
    """An API item that cannot become a Video; ``reason`` is the count key."""


def page_items(page: object, skipped: Counter[str]) -> list[Any]:
    """The ``items`` of an API page; a page that is not an object or whose ``items`` is not a
    list gives no items and is counted (``page_not_an_object``, ``items_not_a_list``)."""
    if not isinstance(page, Mapping):
        skipped["page_not_an_object"] += 1
        return []
    items = page.get("items", [])
    if not isinstance(items, list):
        skipped["items_not_a_list"] += 1
        return []
    return items


def _aware_time(value: object) -> datetime | None:
    """An RFC 3339 text as an aware datetime in its own offset (UTC when it names none)."""
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_TIME_CHARS:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def parse_published_at(value: object) -> datetime | None:
    """An RFC 3339 timestamp (``2024-05-01T12:00:00Z``) as an aware UTC datetime, or None
    (also for a time that lies outside what a datetime can hold once in UTC)."""
    parsed = _aware_time(value)
    if parsed is None:
        return None
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _published_at(
    snippet: Mapping[str, Any], now: datetime, notes: Counter[str]
) -> datetime | None:
    raw = snippet.get("publishedAt")
    if raw is None or raw == "":
        notes["missing_published_at"] += 1
        return None
    parsed = _aware_time(raw)
    if parsed is None:
        raise ItemSkipped("invalid_time")
    return checked_time(parsed, earliest=YOUTUBE_EPOCH, now=now)


def _duration(item: Mapping[str, Any], notes: Counter[str]) -> int | None:
    details = item.get("contentDetails")
    raw = details.get("duration") if isinstance(details, Mapping) else None
    try:
        seconds = parse_duration_seconds(raw)
        if seconds is None:
            notes["missing_duration"] += 1
            return None
        checked_seconds(seconds, maximum=MAX_VIDEO_SECONDS)
    except DurationError:
        notes["bad_duration"] += 1
        return None
    except RecordRejected as problem:  # 10**12 seconds: no video runs that long
        notes[problem.reason] += 1
        return None
    return seconds


def _text(
    value: object, name: str, max_chars: int, notes: Counter[str], *, keep_newlines: bool = False
) -> str | None:
    """Optional text of the snippet, repaired and capped; not text: None, counted."""
    if value is None:
        return None
    if not isinstance(value, str):
        notes[f"bad_{name}"] += 1
        return None
    fixed = repaired_text(value, max_chars, keep_newlines=keep_newlines)
    notes[f"{name}_repaired"] += fixed.repaired
    notes[f"{name}_cut"] += fixed.cut
    return fixed.text


def _channel_id(value: object, notes: Counter[str]) -> str | None:
    if value is None:
        notes["missing_channel_id"] += 1
        return None
    if not is_channel_id(value):
        notes["invalid_channel_id"] += 1
        return None
    return value


def _tags(value: object, notes: Counter[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        notes["bad_tags"] += 1
        return ()
    texts = [tag for tag in value if isinstance(tag, str)]
    notes["bad_tags"] += len(texts) < len(value)
    fixed = [repaired_text(tag, MAX_NAME_CHARS) for tag in texts[:MAX_TAGS]]
    notes["tags_repaired"] += any(tag.repaired for tag in fixed)
    notes["tags_cut"] += len(texts) > MAX_TAGS or any(tag.cut for tag in fixed)
    return tuple(tag.text for tag in fixed if tag.text)


def parse_video_item(
    item: object,
    source: VideoSource,
    *,
    now: datetime | None = None,
    notes: Counter[str] | None = None,
) -> Video:
    """One ``youtube#video`` resource as a Video, checked.

    Raises :class:`~vrdndi_pipeline.core.validation.RecordRejected` (and nothing else) when the
    item has no valid id, no snippet, no title, or a publish time that is unreadable or not
    between YouTube's first upload and ``now`` (default: the clock) plus a day. What is kept
    with a gap or a repair is added to ``notes`` (see :func:`parse_video_items`).
    """
    notes = Counter() if notes is None else notes
    now = datetime.now(UTC) if now is None else now
    if not isinstance(item, Mapping):
        raise ItemSkipped("not_an_object")
    video_id = item.get("id")
    if video_id is None:
        raise ItemSkipped("missing_video_id")
    if not is_video_id(video_id):
        raise ItemSkipped("invalid_video_id")
    snippet = item.get("snippet")
    if not isinstance(snippet, Mapping):
        raise ItemSkipped("missing_snippet")
    found: Counter[str] = Counter()  # added to ``notes`` only when the item is kept
    title = _text(snippet.get("title"), "title", MAX_TITLE_CHARS, found)
    if not title:
        raise ItemSkipped("missing_title")
    video = Video(
        video_id=video_id,
        title=title,
        channel_id=_channel_id(snippet.get("channelId"), found),
        channel_title=_text(snippet.get("channelTitle"), "channel_title", MAX_NAME_CHARS, found),
        description=_text(
            snippet.get("description"),
            "description",
            MAX_DESCRIPTION_CHARS,
            found,
            keep_newlines=True,
        ),
        duration_s=_duration(item, found),
        published_at=_published_at(snippet, now, found),
        source=source,
        details_from="api",
        tags=_tags(snippet.get("tags"), found),
    )
    notes.update(+found)
    return video


def _rejection_key(item: object, position: int) -> str:
    """The video id when the item has a short text one, else ``item <position>``."""
    video_id = item.get("id") if isinstance(item, Mapping) else None
    if isinstance(video_id, str) and 0 < len(video_id) <= MAX_KEY_CHARS:
        return item_key(video_id)
    return f"item {position}"


def parse_video_items(
    items: Iterable[object], source: VideoSource, *, now: datetime | None = None
) -> YouTubeFetch:
    """The Videos in a list of API items, with the rejected and incomplete ones counted.

    Never raises for an item. A rejected item's key is its video id, or ``item <n>`` (its
    position in ``items``, from 0) when it has none. A video id that comes again is kept once
    (``duplicate_video_id``).
    """
    now = datetime.now(UTC) if now is None else now
    videos: dict[str, Video] = {}
    skipped: Counter[str] = Counter()
    rejections: list[Rejection] = []
    for position, item in enumerate(items):
        try:
            video = parse_video_item(item, source, now=now, notes=skipped)
        except RecordRejected as rejected:
            skipped[rejected.reason] += 1
            rejections.append(Rejection(_rejection_key(item, position), rejected.reason))
            continue
        if video.video_id in videos:
            skipped["duplicate_video_id"] += 1
            continue
        videos[video.video_id] = video
    return YouTubeFetch(
        videos=tuple(videos.values()), skipped=dict(+skipped), rejections=tuple(rejections)
    )
