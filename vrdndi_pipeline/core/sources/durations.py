"""ISO 8601 durations as YouTube writes them (``PT4M13S``, ``P1DT2H``, ``P0D``)."""

from __future__ import annotations

import math
import re

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$",
    re.ASCII,  # ``\d`` is 0-9 only, not every script's digits
)
_UNIT_SECONDS = {"weeks": 7 * 86400, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
# Longer text is no duration YouTube writes; it is refused before the pattern runs.
_MAX_CHARS = 64


class DurationError(ValueError):
    """A duration string that is present but not ISO 8601, or too large to count."""


def parse_duration_seconds(value: str | None) -> int | None:
    """Seconds in an ISO 8601 duration; ``None`` when the value is missing or empty.

    ``P0D`` (live streams and premieres) is 0. Fractions of a second are rounded.
    Raises :class:`DurationError` (and nothing else) for anything that is not an ISO 8601
    duration or whose number of seconds is too large to count. A plausible length is the
    caller's check (``checked_seconds``).
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise DurationError(f"not an ISO 8601 duration: a {type(value).__name__}")
    text = value.strip()
    if text == "":
        return None
    if len(text) > _MAX_CHARS:
        raise DurationError(f"not an ISO 8601 duration: {len(text)} characters long")
    match = _DURATION.fullmatch(text)
    if match is None:
        raise DurationError(f"not an ISO 8601 duration: {text!r}")
    total = sum(
        float(number) * _UNIT_SECONDS[unit]
        for unit, number in match.groupdict().items()
        if number is not None
    )
    if not math.isfinite(total):
        raise DurationError(f"duration too large to count: {text!r}")
    return round(total)
