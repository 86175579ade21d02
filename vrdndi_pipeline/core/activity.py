"""From raw ActivityWatch buckets to AFK-filtered, categorised window events.

The same functions serve a live aw-server and an exported JSON file, so both are categorised
and filtered identically. An event's ``duration_s`` keeps only the seconds the user was not AFK;
an event with none left is dropped. Browser window events get the URL of the web-watcher event
that overlaps them most.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aw_core.models import Event
from aw_transform.classify import Rule, categorize

from vrdndi_pipeline.core.records import AwEvent

WINDOW_TYPE = "currentwindow"
AFK_TYPE = "afkstatus"
WEB_TYPE = "web.tab.current"

CategoryRules = list[tuple[list[str], Rule]]


class ActivityDataError(ValueError):
    """ActivityWatch data that cannot be used as it is; the message says why and what to do."""


class UnknownHostError(ActivityDataError):
    """No window-watcher bucket for the configured hostname."""


@dataclass(frozen=True, slots=True)
class RawEvent:
    """An event as a bucket stores it: start, length in seconds, and its data."""

    id: int
    start: datetime
    duration_s: float
    data: Mapping[str, Any]

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.duration_s)


@dataclass(frozen=True, slots=True)
class BucketInfo:
    id: str
    type: str
    hostname: str


@dataclass(frozen=True, slots=True)
class HostBuckets:
    """The buckets that describe one machine's activity."""

    hostname: str
    window: tuple[str, ...]
    afk: tuple[str, ...]
    web: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WindowActivity:
    """AFK-filtered, categorised window events of one host, with what was left out."""

    hostname: str
    events: tuple[AwEvent, ...]
    buckets: tuple[str, ...]
    category_source: str
    afk_filtered: bool
    skipped: dict[str, int] = field(default_factory=dict)


def parse_timestamp(value: Any) -> datetime:
    """A tz-aware UTC datetime from an ISO string or a datetime (naive means UTC, as AW does)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    else:
        raise ValueError(f"not a timestamp: {value!r}")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def coerce_raw_event(event: Any) -> RawEvent:
    """A :class:`RawEvent` from an export dict or an ``aw_core.Event``; ValueError if malformed.

    Events without an id (some exports) get one derived from their start in milliseconds,
    stable across imports of the same file.
    """
    raw_id: Any
    timestamp: Any
    duration: Any
    data: Any
    if isinstance(event, Event):
        raw_id, timestamp, duration, data = event.id, event.timestamp, event.duration, event.data
    elif isinstance(event, Mapping):
        raw_id, timestamp = event.get("id"), event.get("timestamp")
        duration, data = event.get("duration", 0), event.get("data")
    else:
        raise ValueError(f"event is a {type(event).__name__}, not an object")
    start = parse_timestamp(timestamp)
    seconds = duration.total_seconds() if isinstance(duration, timedelta) else float(duration)
    if not seconds >= 0:  # also rejects NaN
        raise ValueError(f"negative or invalid duration {duration!r}")
    if not isinstance(data, Mapping):
        raise ValueError("event data is not an object")
    if raw_id is None:
        raw_id = int(start.timestamp() * 1000)
    return RawEvent(id=int(raw_id), start=start, duration_s=seconds, data=dict(data))


def coerce_raw_events(events: Iterable[Any], skipped: Counter[str]) -> list[RawEvent]:
    """Valid events sorted by start; malformed ones counted under ``malformed_event``."""
    parsed: list[RawEvent] = []
    for event in events:
        try:
            parsed.append(coerce_raw_event(event))
        except (TypeError, ValueError):
            skipped["malformed_event"] += 1
    parsed.sort(key=lambda e: (e.start, e.id))
    return parsed


def select_host_buckets(
    buckets: Iterable[BucketInfo], hostname: str | None, local_hostname: str
) -> HostBuckets:
    """The window/AFK/web buckets of ``hostname``.

    With no hostname configured: this machine's hostname if it has a window bucket, else the
    only host that has one. Raises :class:`UnknownHostError` listing the hosts there are.
    """
    buckets = list(buckets)
    hosts = sorted({b.hostname for b in buckets if b.type == WINDOW_TYPE})
    if not hostname:
        if local_hostname in hosts:
            hostname = local_hostname
        elif len(hosts) == 1:
            hostname = hosts[0]
    if not hostname or hostname not in hosts:
        wanted = f"hostname {hostname!r}" if hostname else "a hostname (none configured)"
        known = ", ".join(repr(h) for h in hosts) or "none: no aw-watcher-window bucket at all"
        raise UnknownHostError(
            f"No ActivityWatch window events for {wanted}. Hosts with window events: {known}. "
            "Set VRDNDI_AW_HOSTNAME to one of them (the ActivityWatch web UI shows it too)."
        )

    def of(kind: str) -> tuple[str, ...]:
        return tuple(sorted(b.id for b in buckets if b.type == kind and b.hostname == hostname))

    return HostBuckets(hostname, of(WINDOW_TYPE), of(AFK_TYPE), of(WEB_TYPE))


def parse_category_rules(classes: Sequence[Mapping[str, Any]]) -> CategoryRules:
    """Category rules from ActivityWatch's ``classes`` setting (list of name + rule objects).

    Rules whose type is not ``regex`` (the "Uncategorized" placeholder) are left out.
    """
    rules: CategoryRules = []
    for position, entry in enumerate(classes):
        if not isinstance(entry, Mapping):
            raise ActivityDataError(f"category rule #{position} is not an object: {entry!r}")
        name, rule = entry.get("name"), entry.get("rule") or {}
        if not isinstance(name, list) or not all(isinstance(n, str) for n in name):
            raise ActivityDataError(f"category rule #{position} has no name list: {entry!r}")
        if not isinstance(rule, Mapping) or rule.get("type") != "regex" or not rule.get("regex"):
            continue
        try:
            rules.append((list(name), Rule(dict(rule))))
        except (re.error, ValueError) as error:
            raise ActivityDataError(
                f"category {' > '.join(name)!r} has an invalid rule ({error}); "
                "fix it in ActivityWatch's category settings"
            ) from error
    return rules


def default_category_rules() -> CategoryRules:
    """aw-client's default classes, used when the user has set none."""
    from aw_client.classes import default_classes

    return [(list(name), Rule(dict(rule))) for name, rule in default_classes]


def not_afk_intervals(afk_events: Sequence[RawEvent]) -> list[tuple[datetime, datetime]]:
    """Merged, sorted periods in which the AFK watcher said the user was present."""
    spans = sorted((e.start, e.end) for e in afk_events if e.data.get("status") == "not-afk")
    merged: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def active_seconds(
    start: datetime, end: datetime, intervals: Sequence[tuple[datetime, datetime]]
) -> float:
    """Seconds of [start, end) inside the sorted, disjoint ``intervals``."""
    index = max(bisect.bisect_right(intervals, (start, start)) - 1, 0)
    total = 0.0
    for lo, hi in intervals[index:]:
        if lo >= end:
            break
        overlap = (min(hi, end) - max(lo, start)).total_seconds()
        if overlap > 0:
            total += overlap
    return total


def _best_url(
    event: RawEvent, web: Sequence[RawEvent], web_starts: Sequence[datetime]
) -> str | None:
    best, best_overlap = None, 0.0
    index = max(bisect.bisect_left(web_starts, event.start) - 1, 0)
    for candidate in web[index:]:
        if candidate.start >= event.end:
            break
        overlap = (
            min(candidate.end, event.end) - max(candidate.start, event.start)
        ).total_seconds()
        url = candidate.data.get("url")
        if overlap > best_overlap and isinstance(url, str):
            best, best_overlap = url, overlap
    return best


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def window_activity(
    host: HostBuckets,
    events_by_bucket: Mapping[str, Iterable[Any]],
    rules: CategoryRules,
    *,
    category_source: str,
    since: datetime | None = None,
) -> WindowActivity:
    """AFK-filtered, categorised :class:`AwEvent` rows for one host.

    Events starting at or before ``since`` are left out: servers trim events that overlap the
    start of a queried range, and those rows are already stored whole.
    """
    skipped: Counter[str] = Counter()
    afk = [e for b in host.afk for e in coerce_raw_events(events_by_bucket.get(b, ()), skipped)]
    web = sorted(
        (e for b in host.web for e in coerce_raw_events(events_by_bucket.get(b, ()), skipped)),
        key=lambda e: e.start,
    )
    web_starts = [e.start for e in web]
    present = not_afk_intervals(afk)
    afk_filtered = bool(host.afk)

    kept: list[tuple[str, RawEvent, float, str | None]] = []
    for bucket_id in host.window:
        for event in coerce_raw_events(events_by_bucket.get(bucket_id, ()), skipped):
            if since is not None and event.start <= since:
                skipped["before_cursor"] += 1
                continue
            seconds = (
                active_seconds(event.start, event.end, present)
                if afk_filtered
                else event.duration_s
            )
            if seconds <= 0:
                skipped["afk"] += 1
                continue
            kept.append(
                (bucket_id, event, seconds, _best_url(event, web, web_starts) if web else None)
            )

    aw_events = [
        Event(timestamp=e.start, duration=timedelta(seconds=s), data=_category_input(e, url))
        for _, e, s, url in kept
    ]
    categorize(aw_events, rules)
    rows = tuple(
        AwEvent(
            bucket_id=bucket_id,
            event_id=event.id,
            hostname=host.hostname,
            timestamp=event.start,
            duration_s=round(seconds, 3),
            app=_text(event.data.get("app")),
            title=_text(event.data.get("title")),
            url=url,
            category=tuple(categorized.data["$category"]),
        )
        for (bucket_id, event, seconds, url), categorized in zip(kept, aw_events, strict=True)
    )
    return WindowActivity(
        hostname=host.hostname,
        events=rows,
        buckets=host.window + host.afk + host.web,
        category_source=category_source,
        afk_filtered=afk_filtered,
        skipped=dict(skipped),
    )


def _category_input(event: RawEvent, url: str | None) -> dict[str, Any]:
    data = {k: v for k, v in event.data.items() if k in ("app", "title") and isinstance(v, str)}
    if url:
        data["url"] = url
    return data


def category_json(category: Sequence[str]) -> str:
    """How a category path is stored: a JSON list that keeps every character as it is."""
    return json.dumps(list(category), ensure_ascii=False)
