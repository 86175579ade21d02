"""The records the demo generator passes between its parts: channels, videos, the person's
day segments, YouTube session slots, focused windows and watches."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DemoChannel:
    channel_id: str
    title: str
    handle: str
    topic: str
    style: str
    uploads: int
    country: str | None
    kind: str  # "subscribed", "other", "music" or "advertiser"
    created_ms: int
    publish_hour: float  # usual upload hour, UTC
    taste: float  # how much this person likes this channel beyond its topic

    @property
    def subscribed(self) -> bool:
        return self.kind == "subscribed"

    @property
    def uploads_playlist_id(self) -> str:
        return "UU" + self.channel_id[2:]


@dataclass(frozen=True, slots=True)
class DemoVideo:
    video_id: str
    channel: DemoChannel
    title: str
    description: str
    duration_s: int | None  # None: a live stream (the API says P0D)
    published_ms: int
    tags: tuple[str, ...]
    in_uploads: bool  # in the uploads playlist window (last UPLOAD_DAYS of a subscription)
    definition: str = "hd"
    caption: bool = False
    audio_language: str | None = "en"

    @property
    def is_short(self) -> bool:
        return self.duration_s is not None and self.duration_s < 60


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of one activity in the person's day; AFK time is what lies between segments.

    ``phone`` segments are watched on the phone (Takeout sees them, ActivityWatch does not);
    ``break`` segments are short AFK breaks during which the focused window stays on screen.
    """

    kind: str
    start: int
    end: int
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Slot:
    """A part of a YouTube session: a watched video, or a browse page when ``video`` is None."""

    start: int
    end: int
    video: DemoVideo | None
    page: str = "watch"


@dataclass(frozen=True, slots=True)
class Page:
    """A focused window; Firefox pages (``url`` set) also get an aw-watcher-web event."""

    app: str
    title: str
    url: str | None = None
    audible: bool = False


@dataclass(frozen=True, slots=True)
class Catalogue:
    channels: tuple[DemoChannel, ...]
    videos: tuple[DemoVideo, ...]  # every video that exists (published before ANCHOR)
    deleted: tuple[DemoVideo, ...]  # watched once, deleted since: the API does not know them
    user_channel_id: str


@dataclass(frozen=True, slots=True)
class Watch:
    time_ms: int
    video: DemoVideo
    on_phone: bool
