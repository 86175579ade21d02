"""Records that cross a boundary between a source, the store and the pipeline.

Times are timezone-aware and in UTC. "Missing" is ``None`` (or an empty tuple), never a sentinel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Literal, TypeGuard

VIDEO_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{11}$")
CHANNEL_ID_PATTERN = re.compile(r"^UC[A-Za-z0-9_-]{22}$")

VideoSource = Literal["subscription", "liked", "disliked", "takeout", "lookup"]
Rating = Literal["like", "dislike"]


def is_video_id(value: object) -> TypeGuard[str]:
    """True for a well-formed 11-character YouTube video id."""
    return isinstance(value, str) and VIDEO_ID_PATTERN.fullmatch(value) is not None


def is_channel_id(value: object) -> TypeGuard[str]:
    """True for a well-formed YouTube channel id (``UC`` and 22 characters)."""
    return isinstance(value, str) and CHANNEL_ID_PATTERN.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class AwEvent:
    """One AFK-filtered ActivityWatch window event, categorised.

    ``duration_s`` counts only the seconds the user was not AFK during the event.
    """

    bucket_id: str
    event_id: int
    hostname: str
    timestamp: datetime
    duration_s: float
    app: str | None
    title: str | None
    url: str | None = None
    category: tuple[str, ...] = ("Uncategorized",)


def video_text(title: str | None, channel_title: str | None, description: str | None) -> str:
    """The text a video is read as (the sentence encoder, the backbone, the baseline):
    ``"title | channel | description"``, missing or blank parts left out."""
    parts = (title, channel_title, description)
    return " | ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())


@dataclass(frozen=True, slots=True)
class Video:
    """A YouTube video as the API (or a Takeout file) describes it: the one record of a video
    from ingestion through the store, candidate selection, scoring and the feed.

    ``details_from`` is ``"api"`` when the row came from ``videos.list`` (full details) and
    ``"takeout"`` when only the watch-history file knew of it (title and channel at most).
    Only ``video_id`` and ``title`` are required (ingestion passes every field): a video
    scored or shown without the rest reads them as unknown.
    """

    video_id: str
    title: str
    channel_id: str | None = None
    channel_title: str | None = None
    description: str | None = None
    duration_s: int | None = None  # None when unknown; 0 for live streams
    published_at: datetime | None = None
    source: VideoSource = "lookup"  # where vrdndi first learned of it ("lookup": by its id)
    details_from: Literal["api", "takeout"] = "api"
    tags: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        """What the models read of it: :func:`video_text` of its title, channel, description."""
        return video_text(self.title, self.channel_title, self.description)


VIDEO_FIELDS = tuple(f.name for f in fields(Video))
"""The fields of :class:`Video`, in order (a store table holding some of them maps by name)."""


@dataclass(frozen=True, slots=True)
class WatchEntry:
    """One line of the Google Takeout watch history: a video watched at a moment."""

    video_id: str
    watched_at: datetime
    title: str | None
    channel_title: str | None
    channel_id: str | None


@dataclass(frozen=True, slots=True)
class VideoRating:
    """The user's like or dislike of a video, as YouTube reports it."""

    video_id: str
    rating: Rating
