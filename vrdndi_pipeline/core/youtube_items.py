"""Videos out of YouTube Data API v3 ``youtube#video`` resources.

Parsing never raises on a malformed item: an item that cannot become a :class:`Video` is
counted under a reason in ``YouTubeFetch.skipped``; an item that lacks only its duration is
kept with ``duration_s=None`` and counted too, so a run's metadata shows what the API left out.
Titles and descriptions are kept exactly as sent (escaping is the renderer's job).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vrdndi_pipeline.core.durations import DurationError, parse_duration_seconds
from vrdndi_pipeline.core.records import Video, VideoSource, is_video_id


@dataclass(frozen=True, slots=True)
class YouTubeFetch:
    """Videos from one or more API calls, with what was skipped and what it cost.

    ``skipped`` maps a reason to a count: items left out (``missing_snippet``,
    ``invalid_video_id``, ``not_found``, ...) and items kept with a gap (``missing_duration``,
    ``bad_duration``). ``quota_units`` is in YouTube Data API units (1 per ``list`` call).
    """

    videos: tuple[Video, ...] = ()
    skipped: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    quota_units: int = 0

    def merge(self, other: YouTubeFetch) -> YouTubeFetch:
        """Both fetches together: videos concatenated, counts added (zero counts dropped)."""
        return YouTubeFetch(
            videos=self.videos + other.videos,
            skipped=dict(Counter(self.skipped) + Counter(other.skipped)),
            requests=self.requests + other.requests,
            quota_units=self.quota_units + other.quota_units,
        )


class ItemSkipped(ValueError):
    """An API item that cannot become a Video; ``reason`` is the count key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_published_at(value: object) -> datetime | None:
    """An RFC 3339 timestamp (``2024-05-01T12:00:00Z``) as an aware UTC datetime, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def parse_video_item(item: Mapping[str, Any], source: VideoSource) -> Video:
    """One ``youtube#video`` resource as a Video.

    Raises :class:`ItemSkipped` when the item has no valid id, no snippet or no title.
    A missing or unparsable duration gives ``duration_s=None`` (see :func:`parse_video_items`
    for the counting).
    """
    video_id = item.get("id") if isinstance(item, Mapping) else None
    if video_id is None:
        raise ItemSkipped("missing_video_id")
    if not is_video_id(video_id):
        raise ItemSkipped("invalid_video_id")
    snippet = item.get("snippet")
    if not isinstance(snippet, Mapping):
        raise ItemSkipped("missing_snippet")
    title = snippet.get("title")
    if not isinstance(title, str) or title == "":
        raise ItemSkipped("missing_title")
    tags = snippet.get("tags")
    return Video(
        video_id=video_id,
        title=title,
        channel_id=_optional_text(snippet.get("channelId")),
        channel_title=_optional_text(snippet.get("channelTitle")),
        description=_optional_text(snippet.get("description")),
        duration_s=_duration_or_none(item),
        published_at=parse_published_at(snippet.get("publishedAt")),
        source=source,
        details_from="api",
        tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
    )


def duration_problem(item: Mapping[str, Any]) -> str | None:
    """``missing_duration`` / ``bad_duration`` when the item's duration is unusable, else None."""
    details = item.get("contentDetails")
    raw = details.get("duration") if isinstance(details, Mapping) else None
    if not isinstance(raw, str) or not raw.strip():
        return "missing_duration"
    try:
        parse_duration_seconds(raw)
    except DurationError:
        return "bad_duration"
    return None


def _duration_or_none(item: Mapping[str, Any]) -> int | None:
    if duration_problem(item) is not None:
        return None
    return parse_duration_seconds(item["contentDetails"]["duration"])


def parse_video_items(items: Iterable[object], source: VideoSource) -> YouTubeFetch:
    """The Videos in a list of API items, with the skipped and incomplete ones counted."""
    videos: list[Video] = []
    skipped: Counter[str] = Counter()
    for item in items:
        if not isinstance(item, Mapping):
            skipped["not_an_object"] += 1
            continue
        try:
            video = parse_video_item(item, source)
        except ItemSkipped as skip:
            skipped[skip.reason] += 1
            continue
        problem = duration_problem(item)
        if problem is not None:
            skipped[problem] += 1
        videos.append(video)
    return YouTubeFetch(videos=tuple(videos), skipped=dict(skipped))
