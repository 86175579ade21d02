"""Checks every source record passes at the boundary, in one place.

A value from outside (a Takeout file, an ActivityWatch bucket, an API response) is either
repaired (text), accepted, or rejected with a short reason that becomes a count in the
asset's metadata and a row of the ``rejected_items`` table. Nothing here raises anything but
:class:`RecordRejected`, whatever the input: a parser catches that one type per item.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# Nothing on YouTube predates its first upload; ActivityWatch's first release was in 2016.
YOUTUBE_EPOCH = datetime(2005, 4, 23, tzinfo=UTC)
ACTIVITYWATCH_EPOCH = datetime(2016, 1, 1, tzinfo=UTC)
# Clocks disagree and time zones are misread; a day ahead is the most we believe.
FUTURE_MARGIN = timedelta(days=1)
# A window event longer than a week is a broken watcher; a live stream may run for days.
MAX_EVENT_SECONDS = 7 * 24 * 3600.0
MAX_VIDEO_SECONDS = 31 * 24 * 3600
INT64_MAX = 2**63 - 1

# Longest text kept per field; longer text is cut (and the cut counted).
MAX_TITLE_CHARS = 1_000
MAX_NAME_CHARS = 300
MAX_URL_CHARS = 4_000
MAX_DESCRIPTION_CHARS = 10_000
MAX_KEY_CHARS = 200

_KEEP_CONTROLS = {"\t", "\n", "\r"}


class RecordRejected(ValueError):
    """One source item that cannot be used; ``reason`` is the count key (``time_in_future``)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Rejection:
    """A rejected item as the ``rejected_items`` table keeps it."""

    key: str
    reason: str


def checked_time(value: datetime, *, earliest: datetime, now: datetime) -> datetime:
    """``value`` in UTC when it lies between ``earliest`` and ``now`` + a day, else rejected."""
    if value.tzinfo is None:
        raise RecordRejected("time_without_zone", value.isoformat())
    try:
        moment = value.astimezone(UTC)
    except (OverflowError, ValueError) as error:
        raise RecordRejected("time_out_of_range", str(error)) from None
    if moment < earliest:
        raise RecordRejected("time_too_early", moment.isoformat())
    if moment > now + FUTURE_MARGIN:
        raise RecordRejected("time_in_future", moment.isoformat())
    return moment


def checked_seconds(value: object, *, maximum: float) -> float:
    """A finite number of seconds in [0, ``maximum``], else rejected."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordRejected("duration_not_a_number", type(value).__name__)
    try:
        seconds = float(value)
    except OverflowError:
        raise RecordRejected("duration_out_of_range", "too large") from None
    if not math.isfinite(seconds) or seconds < 0 or seconds > maximum:
        raise RecordRejected("duration_out_of_range", f"{seconds!r} s")
    return seconds


def checked_int64(value: object) -> int:
    """An integer that fits a signed 64-bit column (ids), else rejected."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        else:
            raise RecordRejected("id_not_an_integer", type(value).__name__)
    if not -INT64_MAX - 1 <= value <= INT64_MAX:
        raise RecordRejected("id_out_of_range", f"{value.bit_length()} bits")
    return value


@dataclass(frozen=True, slots=True)
class RepairedText:
    text: str
    repaired: bool  # lone surrogates or control characters were replaced
    cut: bool  # longer than the field's limit


def repaired_text(value: str, max_chars: int, *, keep_newlines: bool = False) -> RepairedText:
    """``value`` safe to store and show: lone surrogates become U+FFFD, NUL and other control
    characters are removed (tabs and newlines too unless ``keep_newlines``), and text past
    ``max_chars`` is cut. Reads no further than the cut: a 10 MB field costs what its head
    costs."""
    kept: list[str] = []
    repaired = False
    for char in value:
        if len(kept) > max_chars:
            break
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            kept.append("\ufffd")
            repaired = True
        elif unicodedata.category(char) == "Cc" and not (keep_newlines and char in _KEEP_CONTROLS):
            repaired = True
            if char in _KEEP_CONTROLS:
                kept.append(" ")
        else:
            kept.append(char)
    cut = len(kept) > max_chars
    return RepairedText("".join(kept[:max_chars]), repaired, cut)


def _as_text(value: object) -> str:
    try:
        return value if isinstance(value, str) else str(value)
    except ValueError:  # an int of more than 4,300 digits
        return f"<{type(value).__name__} too large to show>"


def terminal_text(value: object) -> str:
    """Text safe to print: no escape sequences, no control characters, no lone surrogates."""
    return repaired_text(_as_text(value), max_chars=10**6).text


def item_key(value: object) -> str:
    """A short printable key for a rejected item (its id, or a prefix of what it was)."""
    return repaired_text(_as_text(value), MAX_KEY_CHARS).text
