"""What the computer activity says about a moment, as named numbers: one pure function for the
training rows (``productive_data``, at each click) and the feed refresh (at "now").

:func:`moment_context` reads only the part of each event before the moment (an event still
running is cut at the moment; later events are ignored), so nothing that happened at or after
it changes its features. Windows (:data:`FEATURE_WINDOWS`) end at the moment:

* ``active@W``: share of the window with a window event (AFK time has none).
* ``share@W:<category>``: share of the active time per ActivityWatch category, for the top
  level (``Work``) and the second level of the user's own tree (``Work > Programming``).
* ``app_switches@1h``: changes of application per hour in the last hour.
* ``current_app:<app>``, ``current_category:<top>``: 1 for the application and top-level
  category in front now (an event that ended less than :data:`BREAK_S` ago).
* ``active_stretch_min``: minutes since the last break (a gap of more than :data:`BREAK_S`
  without window events), 0 when away now; ``idle_min``: minutes since the last event ended;
  ``last_break_min``: length of the break before the current stretch.
* ``hour_sin``/``hour_cos``, ``weekday_sin``/``weekday_cos``, ``weekend``: the local time in the
  user's IANA zone (DST-correct).

The duration-weighted mean of the event texts' sentence embeddings per window (``pooled``) is
what :func:`video_features` compares each video with (``similarity@W``, the cosine).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from vrdndi_pipeline.core.model.context_features import ContextEvent, event_text

FEATURE_WINDOWS: tuple[tuple[str, float], ...] = (("15m", 0.25), ("1h", 1.0), ("6h", 6.0))
BREAK_S = 300.0  # no window event for longer than this counts as a break (away from the desk)
_LOG_HOUR = math.log1p(3600.0)
_DAY_S = 86400.0
_MAX_NAME = 80


@dataclass(frozen=True, slots=True)
class MomentContext:
    """Video-independent features of a moment, and the pooled activity embedding per window."""

    values: dict[str, float]
    pooled: dict[str, np.ndarray | None]  # window -> unit vector (E,); None without activity


@dataclass(frozen=True, slots=True)
class _Seen:
    event: ContextEvent
    start: datetime
    end: datetime  # clipped at the moment


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _name(text: str | None) -> str:
    return " ".join((text or "unknown").split())[:_MAX_NAME] or "unknown"


def _seen_before(events: Sequence[ContextEvent], moment: datetime) -> list[_Seen]:
    seen = []
    for e in events:
        if e.timestamp >= moment:
            continue
        end = min(e.end, moment)
        seen.append(_Seen(e, e.timestamp, end))
    seen.sort(key=lambda s: (s.start, s.end))
    return seen


def _local_time(moment: datetime, timezone: str) -> dict[str, float]:
    local = moment.astimezone(_zone(timezone))
    day = (local.hour * 3600 + local.minute * 60 + local.second) / _DAY_S
    week = (local.weekday() + day) / 7.0
    return {
        "hour_sin": math.sin(2 * math.pi * day),
        "hour_cos": math.cos(2 * math.pi * day),
        "weekday_sin": math.sin(2 * math.pi * week),
        "weekday_cos": math.cos(2 * math.pi * week),
        "weekend": float(local.weekday() >= 5),
    }


def _stretch(seen: Sequence[_Seen], moment: datetime, horizon_min: float) -> dict[str, float]:
    """Active stretch, idle time and the last break, in minutes (capped at ``horizon_min``).

    Events closer than :data:`BREAK_S` are merged into stretches of activity; the last stretch
    is the current one when it ended less than :data:`BREAK_S` before the moment."""
    if not seen:
        return {"active_stretch_min": 0.0, "idle_min": horizon_min, "last_break_min": horizon_min}
    stretches: list[list[datetime]] = []
    for s in seen:  # sorted by start
        if stretches and (s.start - stretches[-1][1]).total_seconds() <= BREAK_S:
            stretches[-1][1] = max(stretches[-1][1], s.end)
        else:
            stretches.append([s.start, s.end])
    start, end = stretches[-1]
    idle = (moment - end).total_seconds()
    active = (moment - start).total_seconds() if idle <= BREAK_S else 0.0
    gap = (start - stretches[-2][1]).total_seconds() if len(stretches) > 1 else horizon_min * 60
    return {
        "active_stretch_min": min(active / 60, horizon_min),
        "idle_min": min(idle / 60, horizon_min),
        "last_break_min": min(gap / 60, horizon_min),
    }


def moment_context(
    events: Sequence[ContextEvent],
    moment: datetime,
    timezone: str,
    title_vectors: Mapping[str, np.ndarray],
) -> MomentContext:
    """The features of ``moment`` from ``events`` before it (see the module docstring).

    ``title_vectors`` maps :func:`event_text` of each event to its sentence embedding; an event
    whose text has none counts for time and categories but not for the pooled embedding."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    seen = _seen_before(events, moment)
    values: dict[str, float] = {}
    pooled: dict[str, np.ndarray | None] = {}
    for window, hours in FEATURE_WINDOWS:
        start = moment - timedelta(hours=hours)
        total = 0.0
        shares: dict[str, float] = {}
        vector: np.ndarray | None = None
        apps: list[str] = []
        for s in seen:
            seconds = (s.end - max(s.start, start)).total_seconds()
            if seconds <= 0:
                continue
            total += seconds
            category = s.event.category or ("Uncategorized",)
            names = [_name(category[0])]
            if len(category) > 1:
                names.append(f"{names[0]} > {_name(category[1])}")
            for name in names:
                shares[name] = shares.get(name, 0.0) + seconds
            apps.append(_name(s.event.app))
            embedding = title_vectors.get(event_text(s.event))
            if embedding is not None:
                weighted = seconds * np.asarray(embedding, dtype=np.float64)
                vector = weighted if vector is None else vector + weighted
        values[f"active@{window}"] = total / (hours * 3600)
        for name, seconds in shares.items():
            values[f"share@{window}:{name}"] = seconds / total
        if window == "1h":
            switches = sum(a != b for a, b in zip(apps, apps[1:], strict=False))
            values["app_switches@1h"] = float(switches) / hours
        norm = float(np.linalg.norm(vector)) if vector is not None else 0.0
        pooled[window] = (vector / norm).astype(np.float32) if vector is not None and norm else None
    horizon = max(hours for _, hours in FEATURE_WINDOWS) * 60
    values.update(_stretch(seen, moment, horizon))
    recent = [s for s in seen if (moment - s.end).total_seconds() <= BREAK_S]
    if recent:
        front = max(recent, key=lambda s: (s.end, s.start))
        values[f"current_app:{_name(front.event.app)}"] = 1.0
        values[f"current_category:{_name((front.event.category or ('Uncategorized',))[0])}"] = 1.0
    values.update(_local_time(moment, timezone))
    return MomentContext(values=values, pooled=pooled)


def video_features(
    context: MomentContext, video_vector: np.ndarray, duration_s: float | None
) -> dict[str, float]:
    """Features of a video at the moment: its length and its cosine with each pooled window."""
    known = duration_s is not None and math.isfinite(duration_s)
    seconds = max(float(duration_s), 0.0) if known else 0.0  # type: ignore[arg-type]
    out = {
        "video_log_duration": math.log1p(seconds) / _LOG_HOUR,
        "video_duration_unknown": 0.0 if known else 1.0,
        "video_is_short": float(known and seconds <= 60),
        "video_is_long": float(known and seconds >= 1200),
    }
    vector = np.asarray(video_vector, dtype=np.float64)
    norm = float(np.linalg.norm(vector))
    for window, _hours in FEATURE_WINDOWS:
        pooled = context.pooled.get(window)
        similar = float(vector @ pooled) / norm if pooled is not None and norm else 0.0
        out[f"similarity@{window}"] = similar
    return out


def row_features(
    context: MomentContext, video_vector: np.ndarray, duration_s: float | None
) -> dict[str, float]:
    """All named features of one (moment, video) pair: what a training row stores and what the
    feed computes for each candidate."""
    return {**context.values, **video_features(context, video_vector, duration_s)}


def context_to_json(context: MomentContext) -> dict[str, object]:
    """A JSON-safe form (floats exactly as computed; a float32 round-trips through float)."""
    return {
        "values": dict(context.values),
        "pooled": {
            window: None if vector is None else [float(x) for x in vector]
            for window, vector in context.pooled.items()
        },
    }


def context_from_json(data: Mapping[str, object]) -> MomentContext:
    """The inverse of :func:`context_to_json`."""
    values = {str(k): float(v) for k, v in dict(data["values"]).items()}  # type: ignore[call-overload]
    pooled = {
        str(window): None if vector is None else np.asarray(vector, dtype=np.float32)
        for window, vector in dict(data["pooled"]).items()  # type: ignore[call-overload]
    }
    return MomentContext(values=values, pooled=pooled)
