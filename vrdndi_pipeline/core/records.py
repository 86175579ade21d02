"""Records that cross a boundary between a source, the store and the pipeline.

Times are timezone-aware and in UTC. "Missing" is ``None`` (or an empty tuple), never a sentinel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True)
class Video:
    """A YouTube video as the API (or a Takeout file) describes it.

    ``details_from`` is ``"api"`` when the row came from ``videos.list`` (full details) and
    ``"takeout"`` when only the watch-history file knew of it (title and channel at most).
    """

    video_id: str
    title: str
    channel_id: str | None
    channel_title: str | None
    description: str | None
    duration_s: int | None
    published_at: datetime | None
    source: VideoSource
    details_from: Literal["api", "takeout"] = "api"
    tags: tuple[str, ...] = field(default=())


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
