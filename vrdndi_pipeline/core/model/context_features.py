"""The computer-activity context of a moment: events, their text and their numeric features.

An event's **text** is its parts joined by `` | ``, missing parts left out::

    "{app} | {title} | {category[0]} > {category[1]} > ..."
    e.g. "Code | model.py - vrdndi | Work > Programming"

The URL is not part of the text (the title already names the page, and URLs carry ids).

**Numeric features** of an event, of which the first ``num_in_feature`` are used
(:data:`EVENT_FEATURE_NAMES`): ``log1p(duration_s) / log1p(3600)``; sin and cos of the local time
of day of its start in the user's IANA timezone (``zoneinfo``, so DST-correct); recency
(``(moment - start) / context_hours``, in [0, 1]); sin and cos of the local day of the week.

The **condition** of a video (AdaLN input), first ``cond_dim`` of :data:`CONDITION_FEATURE_NAMES`:
``log1p(duration_s) / log1p(3600)`` (0 when unknown); unknown-duration flag; short (≤ 60 s);
long (≥ 20 min).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import torch

EVENT_FEATURE_NAMES = ("log_duration", "tod_sin", "tod_cos", "recency", "dow_sin", "dow_cos")
CONDITION_FEATURE_NAMES = ("log_duration", "duration_unknown", "is_short", "is_long")
_LOG_HOUR = math.log1p(3600.0)
_DAY_S = 86400.0


@dataclass(frozen=True, slots=True)
class ContextEvent:
    """One AFK-filtered ActivityWatch window event as the model sees it (``timestamp`` in UTC)."""

    timestamp: datetime
    duration_s: float
    app: str | None
    title: str | None
    url: str | None = None
    category: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.timestamp.tzinfo is None:
            raise ValueError("ContextEvent.timestamp must be timezone-aware (UTC)")

    @property
    def end(self) -> datetime:
        return self.timestamp + timedelta(seconds=max(self.duration_s, 0.0))


def event_text(event: ContextEvent) -> str:
    """``"app | title | Cat > Sub"``, missing parts left out (see the module docstring)."""
    parts = [event.app, event.title, " > ".join(event.category) if event.category else None]
    return " | ".join(p.strip() for p in parts if p and p.strip())


def parse_context_events(text: str | None) -> tuple[ContextEvent, ...]:
    """Events from the ``context_events`` JSON column (a list of objects; null or '' → none)."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        return ()
    raw: Any = json.loads(text)
    if not isinstance(raw, list):
        raise ValueError("context_events must be a JSON list of events")
    events = []
    for item in raw:
        ts = datetime.fromisoformat(str(item["timestamp"]).replace("Z", "+00:00"))
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=UTC)
        category = item.get("category") or ()
        events.append(
            ContextEvent(
                timestamp=ts.astimezone(UTC),
                duration_s=float(item.get("duration_s") or 0.0),
                app=item.get("app"),
                title=item.get("title"),
                url=item.get("url"),
                category=tuple(str(c) for c in category),
            )
        )
    return tuple(events)


def context_window(
    events: Sequence[ContextEvent], moment: datetime | None, hours: float, max_events: int
) -> list[ContextEvent]:
    """Events active in the ``hours`` before ``moment`` (none after it), oldest first, at most
    the ``max_events`` most recent. Without a moment, the most recent ``max_events`` events."""
    chosen = list(events)
    if moment is not None:
        start = moment - timedelta(hours=hours)
        chosen = [e for e in chosen if e.timestamp <= moment and e.end >= start]
    chosen.sort(key=lambda e: e.timestamp)
    return chosen[-max_events:]


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def event_features(
    events: Sequence[ContextEvent], moment: datetime | None, timezone: str, hours: float, n: int
) -> torch.Tensor:
    """Numeric features of each event, ``(N, n)`` float32 (see :data:`EVENT_FEATURE_NAMES`)."""
    zone = _zone(timezone)
    rows = []
    for e in events:
        local = e.timestamp.astimezone(zone)
        tod = (
            local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        ) / _DAY_S
        dow = (local.weekday() + tod) / 7.0
        age_h = (moment - e.timestamp).total_seconds() / 3600.0 if moment is not None else 0.0
        rows.append(
            [
                math.log1p(max(e.duration_s, 0.0)) / _LOG_HOUR,
                math.sin(2 * math.pi * tod),
                math.cos(2 * math.pi * tod),
                min(max(age_h / hours, 0.0), 1.0),
                math.sin(2 * math.pi * dow),
                math.cos(2 * math.pi * dow),
            ][:n]
        )
    return torch.tensor(rows, dtype=torch.float32).reshape(len(rows), n)  # (N, n)


def condition_features(video_duration_s: float | None, n: int) -> torch.Tensor:
    """The AdaLN condition of a video, ``(n,)`` float32 (see :data:`CONDITION_FEATURE_NAMES`)."""
    if video_duration_s is None or (
        isinstance(video_duration_s, float) and math.isnan(video_duration_s)
    ):
        values = [0.0, 1.0, 0.0, 0.0]
    else:
        d = max(float(video_duration_s), 0.0)
        values = [math.log1p(d) / _LOG_HOUR, 0.0, float(d <= 60), float(d >= 1200)]
    return torch.tensor(values[:n], dtype=torch.float32)  # (n,)
