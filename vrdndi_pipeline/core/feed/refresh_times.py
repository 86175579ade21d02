"""Cron strings for "every N minutes within waking hours", which one cron line cannot say.

Every 45 minutes from 08:00 gives 08:00, 08:45, 09:30, 10:15, 11:00, ...: the minute changes
from hour to hour, so the ticks are grouped by minute into one cron line per minute value:
``["0,45 2,8,11,14,17,20,23 * * *", "30 0,3,9,12,15,18,21 * * *", ...]``. Dagster evaluates a
list of cron strings in the schedule's time zone, so the ticks are local wall-clock times.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import time

WAKING_START = time(8, 0)
WAKING_END = time(4, 59)
REFRESH_EVERY_MINUTES = 45


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def refresh_minutes(start: time, end: time, every_minutes: int) -> list[int]:
    """Minutes of the day (0..1439) of every tick from ``start`` to ``end`` inclusive; the
    window may cross midnight (08:00 → 04:59). The day restarts at ``start``."""
    if every_minutes < 1:
        raise ValueError("every_minutes must be positive")
    first, last = _minutes(start), _minutes(end)
    span = (last - first) % 1440  # minutes from the first to the last allowed minute
    return [(first + k) % 1440 for k in range(0, span + 1, every_minutes)]


def interval_crons(
    start: time = WAKING_START,
    end: time = WAKING_END,
    every_minutes: int = REFRESH_EVERY_MINUTES,
) -> list[str]:
    """Cron strings whose union ticks every ``every_minutes`` from ``start`` to ``end``."""
    hours_by_minute: dict[int, set[int]] = defaultdict(set)
    for tick in refresh_minutes(start, end, every_minutes):
        hours_by_minute[tick % 60].add(tick // 60)
    by_hours: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for minute, hours in hours_by_minute.items():
        by_hours[tuple(sorted(hours))].append(minute)
    return sorted(
        f"{','.join(map(str, sorted(minutes)))} {','.join(map(str, hours))} * * *"
        for hours, minutes in by_hours.items()
    )
