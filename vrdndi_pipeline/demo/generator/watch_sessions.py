"""What the person watches: the videos of every YouTube session, on the laptop and the phone."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from vrdndi_pipeline.demo.anchor import DAY, SECOND, part_rng
from vrdndi_pipeline.demo.generator.catalogue_topics import TOPICS
from vrdndi_pipeline.demo.generator.records import Catalogue, DemoVideo, Segment, Slot, Watch

REWATCH_TOPICS = ("lofi", "classical", "music", "cooking", "programming")


def watch_weight(video: DemoVideo) -> float:
    """How likely this person is to open the video, all else equal."""
    weight = TOPICS[video.channel.topic]["watch"] * video.channel.taste
    weight *= 1.0 if video.channel.subscribed else 0.35
    weight *= 0.25 if video.duration_s is None else (0.6 if video.is_short else 1.0)
    return weight


@dataclass(frozen=True, slots=True)
class _Pool:
    """Videos in publication order with cumulative weights, for picking what existed at a time."""

    videos: tuple[DemoVideo, ...]
    times: tuple[int, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, videos: Iterable[DemoVideo]) -> _Pool:
        ordered = sorted(videos, key=lambda v: (v.published_ms, v.video_id))
        weights = accumulate(watch_weight(v) for v in ordered)
        return cls(tuple(ordered), tuple(v.published_ms for v in ordered), tuple(weights))

    def pick(self, rng: random.Random, until: int, since: int | None = None) -> DemoVideo | None:
        high = bisect_right(self.times, until)
        low = bisect_right(self.times, since) if since is not None else 0
        if high <= low:
            return None
        base = self.cumulative[low - 1] if low else 0.0
        target = base + rng.random() * (self.cumulative[high - 1] - base)
        return self.videos[min(bisect_right(self.cumulative, target, low, high), high - 1)]


class VideoPicker:
    """Chooses the next video: a new upload from the subscriptions feed, an older video met
    through search or recommendations, or a rewatch. Remembers what was watched."""

    def __init__(self, videos: Sequence[DemoVideo], rng: random.Random):
        watchable = [v for v in videos if v.channel.kind in ("subscribed", "other")]
        self.rng = rng
        self.everything = _Pool.of(watchable)
        self.feed = _Pool.of(v for v in watchable if v.in_uploads)
        topics = sorted({v.channel.topic for v in watchable})
        self.by_topic = {t: _Pool.of(v for v in watchable if v.channel.topic == t) for t in topics}
        self.history: list[DemoVideo] = []
        self.last_seen: dict[str, int] = {}

    def pick(self, at: int, topic: str | None = None) -> DemoVideo | None:
        rng, video, rewatch = self.rng, None, False
        for _ in range(6):
            roll = rng.random()
            rewatch = topic is None and roll < 0.07 and bool(self.history)
            if topic is not None:
                video = self.by_topic[topic].pick(rng, at)
            elif rewatch:
                weights = [4.0 if v.channel.topic in REWATCH_TOPICS else 1.0 for v in self.history]
                video = rng.choices(self.history, weights=weights)[0]
            elif roll < 0.6:
                video = self.feed.pick(rng, at, since=at - 4 * DAY) or self.everything.pick(rng, at)
            else:
                video = self.everything.pick(rng, at)
            if video is not None and (
                rewatch or at - self.last_seen.get(video.video_id, -DAY * 9) > 3 * DAY
            ):
                break
        if video is not None:
            if video.video_id not in self.last_seen:
                self.history.append(video)
            self.last_seen[video.video_id] = at
        return video


BROWSE_PAGES = ("home", "home", "subscriptions", "search", "watch_later")


def watch_session(segment: Segment, picker: VideoPicker, rng: random.Random) -> list[Slot]:
    """The videos (and, on the laptop, the YouTube pages between them) of one session."""
    on_phone, slots, t = segment.kind == "phone", [], segment.start
    if not on_phone:
        t = _browse(slots, t, segment.end, rng.choice(("home", "subscriptions")), rng)
    while segment.end - t > 45 * SECOND:
        video = picker.pick(t, segment.topic)
        if video is None:
            break
        seconds = video.duration_s or rng.randint(20 * 60, 90 * 60)
        if video.duration_s and not video.is_short and rng.random() > 0.45:
            seconds = max(30, round(seconds * rng.uniform(0.2, 0.95)))
        end = min(segment.end, t + seconds * SECOND + rng.randint(0, 999))
        slots.append(Slot(t, end, video))
        t = end
        if not on_phone and segment.end - t > 30 * SECOND and rng.random() < 0.3:
            t = _browse(slots, t, segment.end, rng.choice(BROWSE_PAGES), rng)
    return slots


def _browse(slots: list[Slot], start: int, end: int, page: str, rng: random.Random) -> int:
    stop = min(end, start + rng.randint(6_000, 40_000))
    slots.append(Slot(start, stop, None, page))
    return stop


def watch_sessions(
    segments: Sequence[Segment], catalogue: Catalogue, seed: int
) -> dict[int, list[Slot]]:
    """Slots of every YouTube session, by segment index, picked in time order."""
    picker, rng = VideoPicker(catalogue.videos, part_rng(seed, "watch")), part_rng(seed, "sessions")
    return {
        i: watch_session(s, picker, rng)
        for i, s in enumerate(segments)
        if s.kind in ("youtube", "phone")
    }


def watches_of(segments: Sequence[Segment], sessions: dict[int, list[Slot]]) -> list[Watch]:
    return [
        Watch(slot.start, slot.video, segments[i].kind == "phone")
        for i, slots in sessions.items()
        for slot in slots
        if slot.video is not None
    ]


def with_deleted_videos(
    watches: Sequence[Watch], catalogue: Catalogue, before_ms: int, rng: random.Random
) -> list[Watch]:
    """Some videos watched months ago have been deleted since: swap them into old watches."""
    old = [i for i, w in enumerate(watches) if w.time_ms < before_ms]
    chosen = sorted(rng.sample(old, len(catalogue.deleted)))
    swapped = list(watches)
    for i, video in zip(chosen, catalogue.deleted, strict=True):
        swapped[i] = Watch(watches[i].time_ms, video, watches[i].on_phone)
    return swapped
