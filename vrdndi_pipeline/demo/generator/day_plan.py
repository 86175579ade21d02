"""The person's days: segments of activity in local time, stored as UTC milliseconds."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from vrdndi_pipeline.demo.anchor import MINUTE, TIMEZONE, part_rng
from vrdndi_pipeline.demo.generator.records import Segment
from vrdndi_pipeline.demo.generator.timestamps import local_ms, utc

EVENING_CHOICES = {  # kind: (weight on weekdays, weight on weekends, minutes low, high)
    "youtube": (2.8, 3.2, 25, 60),
    "study": (4.0, 1.0, 50, 110),
    "gaming": (1.6, 3.5, 70, 170),
    "side_project": (0.5, 0.8, 40, 110),
    "reddit": (1.6, 1.6, 5, 20),
    "chat": (0.9, 1.2, 5, 15),
    "movie": (0.05, 0.25, 95, 130),
}


ONCE_PER_DAY = ("study", "gaming", "movie", "side_project")


class DayPlanner:
    """Builds the segments of one local day, appending in time order."""

    def __init__(self, day: date, zone: ZoneInfo, rng: random.Random):
        self.day, self.zone, self.rng = day, zone, rng
        self.segments: list[Segment] = []

    def at(self, hours: float) -> int:
        return local_ms(self.day, hours, self.zone)

    def add(self, kind: str, start_h: float, end_h: float, topic: str | None = None) -> float:
        if end_h - start_h >= 1 / 60:
            self.segments.append(Segment(kind, self.at(start_h), self.at(end_h), topic))
        return end_h

    def study(self, start: float, end: float) -> float:
        """Reading papers and notebooks, with one ML video in the middle."""
        video_at = start + (end - start) * self.rng.uniform(0.3, 0.6)
        video_end = min(end, video_at + self.rng.uniform(0.25, 0.5))
        self.add("study", start, video_at)
        self.add("youtube", video_at, video_end, topic="ml")
        return self.add("study", video_end, end)

    def work(self, start: float, end: float, meetings: Sequence[tuple[float, float]]) -> float:
        """Focused work in chunks, meetings at their times, short AFK breaks between chunks."""
        rng, t = self.rng, start
        pending = sorted(m for m in meetings if start <= m[0] < end)
        while end - t > 0.05:
            meeting = pending[0] if pending else None
            if meeting and t >= meeting[0] - 0.02:
                pending.pop(0)
                t = self.add("meeting", t, min(end, t + meeting[1]))
                continue
            chunk_end = min(end, t + rng.uniform(0.4, 1.4), meeting[0] if meeting else end)
            t = self.add("work", t, chunk_end)
            if end - t < 0.2 or (meeting and meeting[0] - t < 0.2):
                continue
            roll = rng.random()
            if roll < 0.35:
                t = self.add("break", t, t + rng.uniform(3, 12) / 60)
            elif roll < 0.40:
                t = self.add("youtube", t, t + rng.uniform(5, 14) / 60)
            elif roll < 0.52:
                t = self.add("reddit", t, t + rng.uniform(2, 7) / 60)
        return end

    def evening(self, start: float, end: float, weekend: bool, friday: bool) -> float:
        rng, t, done = self.rng, start, set()
        while end - t > 0.1:
            kinds = [k for k in EVENING_CHOICES if k not in done]
            weights = [EVENING_CHOICES[k][1 if weekend else 0] for k in kinds]
            weights = [
                w * (2.5 if friday and k == "gaming" else 1.0)
                for k, w in zip(kinds, weights, strict=True)
            ]
            if self.day.weekday() not in (0, 2, 3):
                weights = [
                    w * (0.3 if k == "study" else 1.0) for k, w in zip(kinds, weights, strict=True)
                ]
            kind = rng.choices(kinds, weights=weights)[0]
            _, _, low, high = EVENING_CHOICES[kind]
            length = min(end - t, rng.uniform(low, high) / 60)
            if kind in ONCE_PER_DAY:
                done.add(kind)
            t = self.study(t, t + length) if kind == "study" else self.add(kind, t, t + length)
            roll = rng.random()
            if roll < 0.18 and end - t > 0.25:
                t = self.add("break", t, t + rng.uniform(3, 12) / 60)
            elif roll < 0.3:
                t += rng.uniform(25, 45) / 60  # kitchen, shower, a call: screen locked
        return end

    def phone(self, start: float, minutes: tuple[float, float], topic: str | None = None) -> None:
        self.add("phone", start, start + self.rng.uniform(*minutes) / 60, topic)


def plan_workday(planner: DayPlanner) -> list[Segment]:
    p, rng, weekday = planner, planner.rng, planner.day.weekday()
    if rng.random() < 0.35:
        start = 7.35 + rng.uniform(0, 0.3)
        p.add("youtube", start, start + rng.uniform(0.15, 0.4), topic="tech_news")
    begin, lunch = 9.0 + rng.gauss(0, 0.2), 12.1 + rng.gauss(0, 0.15)
    back, stop = lunch + rng.uniform(0.7, 1.05), 17.7 + rng.gauss(0, 0.35)
    meetings = [(9.75, 0.25)]
    meetings += {0: [(14.0, 1.0)], 2: [(11.0, 0.75)], 3: [(15.5, 0.5)]}.get(weekday, [])
    if rng.random() < 0.3:
        meetings.append((rng.uniform(13.6, 16.4), rng.choice((0.25, 0.5, 0.75))))
    p.work(begin, lunch, meetings)
    roll = rng.random()
    if roll < 0.35:
        p.phone(lunch + 0.15, (10, 25), topic="cooking")
    elif roll < 0.55:
        p.add("youtube", lunch + 0.1, lunch + 0.1 + rng.uniform(0.25, 0.45))
    p.work(back, stop, meetings)
    evening = 19.0 + rng.uniform(0, 0.6)
    if rng.random() < 0.3:
        p.phone(stop + 0.3, (8, 20), topic="cooking")
    bed = 23.3 + rng.gauss(0, 0.35) + (0.8 if weekday == 4 else 0.0)
    p.evening(evening, bed, weekend=False, friday=weekday == 4)
    if rng.random() < 0.4:
        p.phone(bed + 0.1, (10, 30))
    return p.segments


def plan_weekend_day(planner: DayPlanner) -> list[Segment]:
    p, rng, saturday = planner, planner.rng, planner.day.weekday() == 5
    morning = 10.0 + rng.uniform(0, 0.6)
    p.evening(morning, 12.4 + rng.uniform(0, 0.5), weekend=True, friday=False)
    t = 13.6 + rng.uniform(0, 0.5)
    if rng.random() < (0.7 if saturday else 0.45):
        t = p.add("side_project", t, t + rng.uniform(1.5, 3.0)) + 0.2
        if rng.random() < 0.5:
            t = p.add("youtube", t, t + rng.uniform(0.3, 0.7))
    elif rng.random() < 0.5:
        t = p.add("youtube", t, t + rng.uniform(0.5, 1.5))
    if rng.random() < 0.4:
        p.phone(max(17.8, t + 0.2), (10, 25), topic="cooking")
    bed = 24.4 + rng.gauss(0, 0.4) - (0.6 if not saturday else 0.0)
    p.evening(19.0 + rng.uniform(0, 0.5), bed, weekend=True, friday=False)
    if rng.random() < 0.35:
        p.phone(bed + 0.1, (10, 30))
    return p.segments


def plan_days(start_ms: int, end_ms: int, seed: int) -> list[Segment]:
    """Every segment of the person's life between two moments, in time order."""
    zone, rng = ZoneInfo(TIMEZONE), part_rng(seed, "plan")
    first = utc(start_ms).astimezone(zone).date() - timedelta(days=1)
    last = utc(end_ms).astimezone(zone).date()
    segments: list[Segment] = []
    day = first
    while day <= last:
        planner = DayPlanner(day, zone, rng)
        day_off = day.weekday() < 5 and rng.random() < 0.04
        segments += (
            plan_weekend_day(planner) if day.weekday() >= 5 or day_off else plan_workday(planner)
        )
        day += timedelta(days=1)
    return _without_overlaps(
        Segment(s.kind, max(s.start, start_ms), min(s.end, end_ms), s.topic)
        for s in segments
        if s.end > start_ms and s.start < end_ms
    )


def _without_overlaps(segments: Iterable[Segment]) -> list[Segment]:
    """Segments in time order; a laptop segment starting before the previous one ended is
    trimmed (the plan's times are soft), phone segments may overlap anything."""
    kept: list[Segment] = []
    laptop_end = 0
    for s in sorted(segments, key=lambda s: s.start):
        if s.kind != "phone" and s.start < laptop_end:
            s = Segment(s.kind, laptop_end, s.end, s.topic)
        if s.end - s.start >= MINUTE:
            kept.append(s)
            laptop_end = s.end if s.kind != "phone" else laptop_end
    return kept
