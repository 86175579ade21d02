"""ActivityWatch's view of the laptop: the windows the person focuses, rendered from the day
segments and YouTube sessions, plus the AFK and active spans."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from vrdndi_pipeline.demo.anchor import MINUTE, SECOND, TIMEZONE, part_rng
from vrdndi_pipeline.demo.generator.activity_mixes import (
    LEISURE_MIXES,
    Mix,
    gaming_mix,
    meeting_mix,
    side_project_mix,
    study_mix,
    work_mix,
)
from vrdndi_pipeline.demo.generator.activity_pages import ff
from vrdndi_pipeline.demo.generator.catalogue_activity import (
    GAMES,
    MOVIES,
    WORK_PROJECTS,
    YOUTUBE_SEARCHES,
)
from vrdndi_pipeline.demo.generator.records import Page, Segment, Slot
from vrdndi_pipeline.demo.generator.timestamps import utc

MAX_EVENT_MS = 20 * MINUTE
MIN_EVENT_MS = 5 * SECOND


class Timeline:
    """Window events as aw-watcher-window records them, plus the AFK and active spans."""

    def __init__(self) -> None:
        self.window: list[list[Any]] = []  # [start, end, Page], in time order
        self.afk: list[tuple[int, int]] = []
        self.active: list[tuple[int, int]] = []

    def emit(self, start: int, end: int, page: Page) -> None:
        """Append an event; the same window continuing merges, as heartbeats do, up to 20 min."""
        last = self.window[-1] if self.window else None
        if (
            last is not None
            and last[1] == start
            and last[2] == page
            and end - last[0] <= MAX_EVENT_MS
        ):
            last[1] = end
            return
        pieces = math.ceil((end - start) / MAX_EVENT_MS)
        bounds = [start + (end - start) * i // pieces for i in range(pieces + 1)]
        self.window.extend([a, b, page] for a, b in zip(bounds, bounds[1:], strict=False))

    def mixture(self, start: int, end: int, mix: Mix, rng: random.Random) -> None:
        weights = [m[0] for m in mix]
        t = start
        while end - t >= MIN_EVENT_MS:
            _, median, sigma, build = rng.choices(mix, weights=weights)[0]
            seconds = min(max(rng.lognormvariate(math.log(median), sigma), 5.0), 1200.0)
            length = round(seconds * SECOND) + rng.randint(0, 999)
            if end - (t + length) < MIN_EVENT_MS:
                length = end - t
            self.emit(t, t + length, build(rng))
            t += length
        if t < end:
            self.window[-1][1] = end


def render_segment(
    tl: Timeline, segment: Segment, slots: Sequence[Slot], state: dict[str, Any], rng: random.Random
) -> None:
    kind, start, end = segment.kind, segment.start, segment.end
    tl.active.append((start, end))
    if kind == "work":
        tl.mixture(start, end, work_mix(state["project"]), rng)
    elif kind == "meeting":
        tl.mixture(start, end, meeting_mix(state["project"]), rng)
    elif kind == "study":
        tl.mixture(start, end, study_mix(), rng)
    elif kind == "side_project":
        tl.mixture(start, end, side_project_mix(), rng)
    elif kind == "gaming":
        tl.mixture(start, end, gaming_mix(rng.choice(GAMES)), rng)
    elif kind in LEISURE_MIXES:
        tl.mixture(start, end, LEISURE_MIXES[kind], rng)
    elif kind == "youtube":
        render_youtube(tl, segment, slots, rng)
    elif kind == "movie":
        tl.emit(start, end, Page("vlc", rng.choice(MOVIES)))
        middle = start + (end - start) // 2  # paused once: the only input during the film
        tl.afk += [(start + 3 * MINUTE, middle), (middle + 5 * MINUTE, end - MINUTE)]
    elif kind == "break":
        last = tl.window[-1] if tl.window else None
        if last is not None and last[1] == start:  # the screen stays on the last window
            tl.emit(start, end, last[2])
        tl.afk.append((start, end))


def youtube_page(slot: Slot, prefix: str, rng: random.Random) -> Page:
    video = slot.video
    if video is not None:
        path = f"shorts/{video.video_id}" if video.is_short else f"watch?v={video.video_id}"
        return ff(
            f"{prefix}{video.title} - YouTube", f"https://www.youtube.com/{path}", audible=True
        )
    if slot.page == "subscriptions":
        return ff(f"{prefix}Subscriptions - YouTube", "https://www.youtube.com/feed/subscriptions")
    if slot.page == "watch_later":
        return ff(f"{prefix}Watch later - YouTube", "https://www.youtube.com/playlist?list=WL")
    if slot.page == "search":
        query = rng.choice(YOUTUBE_SEARCHES)
        return ff(
            f"{prefix}{query} - YouTube",
            "https://www.youtube.com/results?search_query=" + query.replace(" ", "+"),
        )
    return ff(f"{prefix}YouTube", "https://www.youtube.com/")


def render_youtube(
    tl: Timeline, segment: Segment, slots: Sequence[Slot], rng: random.Random
) -> None:
    # YouTube shows the number of unread notifications in the tab title: "(3) Title - YouTube"
    prefix = f"({rng.randint(1, 9)}) " if rng.random() < 0.25 else ""
    t = segment.start
    for slot in slots:
        if slot.end <= segment.start:
            continue
        start = max(slot.start, segment.start)
        tl.emit(start, slot.end, youtube_page(slot, prefix, rng))
        if slot.video is not None and slot.end - start > 12 * MINUTE and rng.random() < 0.1:
            # fullscreen, no input for a while: aw-watcher-afk calls it AFK after 3 min
            tl.afk.append(
                (
                    start + 3 * MINUTE + rng.randint(0, MINUTE),
                    slot.end - rng.randint(5, 30) * SECOND,
                )
            )
        t = slot.end
    if segment.end - t >= MIN_EVENT_MS:
        tl.emit(t, segment.end, ff(f"{prefix}YouTube", "https://www.youtube.com/"))
    elif tl.window and tl.window[-1][1] == t:
        tl.window[-1][1] = segment.end


def render_activity(
    segments: Sequence[Segment],
    sessions: dict[int, list[Slot]],
    start_ms: int,
    end_ms: int,
    seed: int,
) -> Timeline:
    """Window events, AFK breaks and active spans of the laptop between two moments."""
    rng, tl = part_rng(seed, "activity"), Timeline()
    zone = ZoneInfo(TIMEZONE)
    state: dict[str, Any] = {}
    for i, segment in enumerate(segments):
        if segment.kind == "phone" or segment.end <= start_ms or segment.start >= end_ms:
            continue
        clipped = Segment(
            segment.kind, max(segment.start, start_ms), min(segment.end, end_ms), segment.topic
        )
        today = utc(clipped.start).astimezone(zone).date()
        if state.get("day") != today:
            state.update(day=today, project=rng.choice(WORK_PROJECTS))
        render_segment(tl, clipped, sessions.get(i, []), state, rng)
    return tl
