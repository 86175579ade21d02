"""Timestamps as each source writes them: ActivityWatch, the YouTube API and Google Takeout."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def local_ms(day: date, hours: float, zone: ZoneInfo) -> int:
    """UTC milliseconds of a wall-clock time ``hours`` after local midnight of ``day``."""
    naive = datetime(day.year, day.month, day.day) + timedelta(hours=hours)
    return round(naive.replace(tzinfo=zone).timestamp() * 1000)


def utc(ms: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)


def iso_aw(ms: int) -> str:
    """ActivityWatch's timestamp format: microseconds and an explicit offset."""
    return utc(ms).strftime("%Y-%m-%dT%H:%M:%S.%f") + "+00:00"


def iso_api(ms: int, fraction: bool = False) -> str:
    """YouTube API's ``publishedAt``: whole seconds and ``Z`` (microseconds for subscriptions)."""
    moment = utc(ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if fraction else "%Y-%m-%dT%H:%M:%SZ")


def iso_takeout(ms: int) -> str:
    """Takeout's ``time``: milliseconds and ``Z``, no fraction when it is zero."""
    moment = utc(ms)
    millis = ms % 1000
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{millis:03d}Z" if millis else "Z")


def iso_duration(seconds: int | None) -> str:
    """ISO 8601 as YouTube writes it: ``PT12M31S``, ``PT45S``, ``P1DT2H``; ``P0D`` when live."""
    if seconds is None:
        return "P0D"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = "".join(f"{v}{u}" for v, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if v)
    return "P" + (f"{days}D" if days else "") + (f"T{clock}" if clock else "")
