"""ISO 8601 durations as YouTube writes them (``PT4M13S``, ``P1DT2H``, ``P0D``)."""

from __future__ import annotations

import re

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


class DurationError(ValueError):
    """A duration string that is present but not ISO 8601."""


def parse_duration_seconds(value: str | None) -> int | None:
    """Seconds in an ISO 8601 duration; ``None`` when the value is missing or empty.

    ``P0D`` (live streams and premieres) is 0. Fractions of a second are rounded.
    Raises :class:`DurationError` for text that is not an ISO 8601 duration.
    """
    if value is None or value.strip() == "":
        return None
    match = _DURATION.fullmatch(value.strip())
    if match is None:
        raise DurationError(f"not an ISO 8601 duration: {value!r}")
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    total = (
        parts["weeks"] * 7 * 86400
        + parts["days"] * 86400
        + parts["hours"] * 3600
        + parts["minutes"] * 60
        + parts["seconds"]
    )
    return round(total)
