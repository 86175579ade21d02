"""From raw ActivityWatch buckets to AFK-filtered, categorised window events.

The same functions serve a live aw-server and an exported JSON file, so both are categorised,
filtered and validated identically. An event's ``duration_s`` keeps only the seconds the user
was not AFK; an event with none left is dropped. Browser window events get the URL of the
web-watcher event that overlaps them most.

Every event passes :mod:`vrdndi_pipeline.core.validation` first: one that cannot be used is
counted under its reason and returned as a :class:`Rejection`, never raised, so one bad event
never stops the others.
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
from vrdndi_pipeline.core.validation import (
    ACTIVITYWATCH_EPOCH,
    MAX_EVENT_SECONDS,
    MAX_NAME_CHARS,
    MAX_TITLE_CHARS,
    MAX_URL_CHARS,
    RecordRejected,
    Rejection,
    checked_int64,
    checked_seconds,
    checked_time,
    repaired_text,
)

WINDOW_TYPE = "currentwindow"
AFK_TYPE = "afkstatus"
WEB_TYPE = "web.tab.current"

# Text fields of an event's data that are stored or categorised, with their length limits.
TEXT_FIELDS = {"app": MAX_NAME_CHARS, "title": MAX_TITLE_CHARS, "url": MAX_URL_CHARS}
# The most characters a bucket id or hostname may have: both are stored (VARCHAR(255)).
MAX_BUCKET_CHARS = 255
WEB_BUCKETS_SETTING = "VRDNDI_AW_WEB_BUCKETS"

CategoryRules = list[tuple[list[str], Rule]]


class ActivityDataError(ValueError):
    """ActivityWatch data that cannot be used as it is; the message says why and what to do."""


class UnknownHostError(ActivityDataError):
    """No window-watcher bucket for the configured hostname."""


@dataclass(frozen=True, slots=True)
class RawEvent:
    """A validated event as a bucket stores it: start, length in seconds, and its data.

    ``repairs`` names what was repaired in its text (``title_repaired``, ``url_cut``).
    """

    id: int
    start: datetime
    duration_s: float
    data: Mapping[str, Any]
    repairs: tuple[str, ...] = ()

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
    """The buckets that describe one machine's activity.

    ``web`` are the browser buckets whose URLs join this host's window events: its own, the
    ones ``VRDNDI_AW_WEB_BUCKETS`` maps to it, and those of no known host when it is the only
    host. ``unjoined_web`` are browser buckets that could not be given to any host.
    """

    hostname: str
    window: tuple[str, ...]
    afk: tuple[str, ...]
    web: tuple[str, ...]
    unjoined_web: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WindowActivity:
    """AFK-filtered, categorised window events of one host, with what was left out.

    ``skipped`` counts events left out (and text repaired) by reason; ``rejections`` are the
    invalid events among them, for the quarantine (``rejected_items``).
    """

    hostname: str
    events: tuple[AwEvent, ...]
    buckets: tuple[str, ...]
    category_source: str
    afk_filtered: bool
    skipped: dict[str, int] = field(default_factory=dict)
    rejections: tuple[Rejection, ...] = ()


def parse_timestamp(value: Any) -> datetime:
    """A tz-aware datetime from an ISO string or a datetime (naive means UTC, as AW does);
    :class:`RecordRejected` (``time_not_a_timestamp``) for anything else."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise RecordRejected("time_not_a_timestamp", repr(value[:40])) from None
    else:
        raise RecordRejected("time_not_a_timestamp", type(value).__name__)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _repaired_data(data: Mapping[Any, Any]) -> tuple[dict[Any, Any], tuple[str, ...]]:
    """``data`` with its text fields made safe to store, and what was repaired."""
    cleaned = dict(data)
    repairs: list[str] = []
    for name, limit in TEXT_FIELDS.items():
        value = cleaned.get(name)
        if not isinstance(value, str) or (len(value) <= limit and value.isprintable()):
            continue  # the common case: nothing to repair (printable means no control chars)
        text = repaired_text(value, limit)
        cleaned[name] = text.text
        repairs += [f"{name}_repaired"] * text.repaired + [f"{name}_cut"] * text.cut
    return cleaned, tuple(repairs)


def coerce_raw_event(event: Any, *, now: datetime) -> RawEvent:
    """A validated :class:`RawEvent` from an export dict or an ``aw_core.Event``.

    Raises :class:`RecordRejected` (and nothing else) when the event cannot be used: not an
    object, data not an object, a start that is no timestamp or lies outside
    [``ACTIVITYWATCH_EPOCH``, ``now`` + a day], a duration outside [0, a week], an id that is
    not a 64-bit integer. App, title and URL are repaired and cut to their limits. Events
    without an id (some exports) get one derived from their start in milliseconds, stable
    across imports of the same file.
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
        raise RecordRejected("event_not_an_object", type(event).__name__)
    if not isinstance(data, Mapping):
        raise RecordRejected("data_not_an_object", type(data).__name__)
    start = checked_time(parse_timestamp(timestamp), earliest=ACTIVITYWATCH_EPOCH, now=now)
    if isinstance(duration, timedelta):
        duration = duration.total_seconds()
    seconds = checked_seconds(duration, maximum=MAX_EVENT_SECONDS)
    event_id = int(start.timestamp() * 1000) if raw_id is None else checked_int64(raw_id)
    cleaned, repairs = _repaired_data(data)
    return RawEvent(id=event_id, start=start, duration_s=seconds, data=cleaned, repairs=repairs)


def _event_key(bucket_id: str, event: Any, index: int) -> str:
    """How a rejected event is named: ``<bucket>/<id>``, or ``<bucket>/#<index>`` without one."""
    raw_id = event.id if isinstance(event, Event) else None
    if isinstance(event, Mapping):
        raw_id = event.get("id")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        return f"{bucket_id}/{raw_id}"
    return f"{bucket_id}/#{index}"


def coerce_raw_events(
    events: Iterable[Any],
    skipped: Counter[str],
    *,
    now: datetime,
    bucket_id: str = "events",
    rejections: list[Rejection] | None = None,
) -> list[RawEvent]:
    """Valid events of one bucket sorted by start (then id).

    An invalid event is counted in ``skipped`` under its reason and, when ``rejections`` is
    given, appended there keyed ``<bucket_id>/<event id or #index>``; repaired text is counted
    too (the event is kept). Never raises for an event, whatever it holds.
    """
    parsed: list[RawEvent] = []
    for index, event in enumerate(events):
        try:
            raw = coerce_raw_event(event, now=now)
        except RecordRejected as rejected:
            skipped[rejected.reason] += 1
            if rejections is not None:
                rejections.append(Rejection(_event_key(bucket_id, event, index), rejected.reason))
            continue
        skipped.update(raw.repairs)
        parsed.append(raw)
    parsed.sort(key=lambda e: (e.start, e.id))
    return parsed


def _storable_name(value: str) -> bool:
    return 0 < len(value) <= MAX_BUCKET_CHARS and value.isprintable()


def assign_web_buckets(
    buckets: Sequence[BucketInfo], window_hosts: Sequence[str], mapping: Mapping[str, str]
) -> dict[str, str | None]:
    """The host whose window events each browser bucket joins (``None``: none can be told).

    aw-watcher-web reports the hostname ``"unknown"`` unless the user sets one in the
    extension, so a browser bucket joins: the host ``mapping`` (``VRDNDI_AW_WEB_BUCKETS``)
    names for it; else its own host when that host has window events; else the only host with
    window events. Raises :class:`ActivityDataError` when ``mapping`` names a bucket that is
    not a browser bucket there, or a host without window events: a typo there would silently
    drop every URL.
    """
    web = {b.id: b.hostname for b in buckets if b.type == WEB_TYPE}
    types = {b.id: b.type for b in buckets}
    for bucket_id, host in mapping.items():
        if bucket_id not in web:
            found = f"is a {types[bucket_id]!r} bucket" if bucket_id in types else "does not exist"
            known = ", ".join(repr(b) for b in sorted(web)) or "none"
            raise ActivityDataError(
                f"{WEB_BUCKETS_SETTING} names the browser bucket {bucket_id!r}, which {found} "
                f"in ActivityWatch. Browser buckets ({WEB_TYPE}) there: {known}. Fix or remove "
                "that entry (the ActivityWatch web UI lists the buckets under Raw Data)."
            )
        if host not in window_hosts:
            known = ", ".join(repr(h) for h in window_hosts) or "none"
            raise ActivityDataError(
                f"{WEB_BUCKETS_SETTING} joins {bucket_id!r} to the host {host!r}, which has no "
                f"window events. Hosts with window events: {known}. Use one of them."
            )
    assigned: dict[str, str | None] = {}
    for bucket_id, own_host in web.items():
        if bucket_id in mapping:
            assigned[bucket_id] = mapping[bucket_id]
        elif own_host in window_hosts:
            assigned[bucket_id] = own_host
        else:
            assigned[bucket_id] = window_hosts[0] if len(window_hosts) == 1 else None
    return assigned


def select_host_buckets(
    buckets: Iterable[BucketInfo],
    hostname: str | None,
    local_hostname: str,
    web_buckets: Mapping[str, str] | None = None,
) -> HostBuckets:
    """The window/AFK/web buckets of ``hostname``.

    With no hostname configured: this machine's hostname if it has a window bucket, else the
    only host that has one. Raises :class:`UnknownHostError` listing the hosts there are.
    Browser buckets are given to hosts by :func:`assign_web_buckets` (``web_buckets`` is the
    bucket id -> hostname mapping of ``VRDNDI_AW_WEB_BUCKETS``).
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
        return tuple(sorted({b.id for b in buckets if b.type == kind and b.hostname == hostname}))

    window = of(WINDOW_TYPE)
    for name in (hostname, *window):
        if not _storable_name(name):
            raise ActivityDataError(
                f"The ActivityWatch bucket or hostname {name[:80]!r} cannot be stored: it is "
                f"empty, longer than {MAX_BUCKET_CHARS} characters or holds control "
                "characters. Rename the host (or the watcher's bucket) in ActivityWatch."
            )
    assigned = assign_web_buckets(buckets, hosts, web_buckets or {})
    return HostBuckets(
        hostname,
        window,
        of(AFK_TYPE),
        tuple(sorted(b for b, host in assigned.items() if host == hostname)),
        tuple(sorted(b for b, host in assigned.items() if host is None)),
    )


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


def status_intervals(
    afk_events: Sequence[RawEvent], status: str = "not-afk"
) -> list[tuple[datetime, datetime]]:
    """Merged, sorted periods in which the AFK watcher reported ``status``."""
    spans = sorted((e.start, e.end) for e in afk_events if e.data.get("status") == status)
    merged: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def not_afk_intervals(afk_events: Sequence[RawEvent]) -> list[tuple[datetime, datetime]]:
    """Merged, sorted periods in which the AFK watcher said the user was present."""
    return status_intervals(afk_events, "not-afk")


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
    for position in range(max(bisect.bisect_left(web_starts, event.start) - 1, 0), len(web)):
        candidate = web[position]
        if candidate.start >= event.end:
            break
        overlap = (
            min(candidate.end, event.end) - max(candidate.start, event.start)
        ).total_seconds()
        url = candidate.data.get("url")
        if overlap > best_overlap and isinstance(url, str) and url:
            best, best_overlap = url, overlap
    return best


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _dropped_reason(
    event: RawEvent,
    seconds: float,
    afk_filtered: bool,
    away: Sequence[tuple[datetime, datetime]],
) -> str | None:
    """Why a window event with ``seconds`` active seconds is left out, or ``None``.

    Durations are stored to the millisecond: less than half of one counts as none.
    """
    if round(event.duration_s, 3) == 0:
        return "zero_length"  # Android and heartbeat starts: no time was spent
    if round(seconds, 3) > 0:
        return None
    if afk_filtered and active_seconds(event.start, event.end, away) > 0:
        return "afk"
    return "no_afk_status"  # the AFK watcher said nothing for that time (it was not running)


def window_activity(
    host: HostBuckets,
    events_by_bucket: Mapping[str, Iterable[Any]],
    rules: CategoryRules,
    *,
    category_source: str,
    now: datetime,
    since: datetime | None = None,
) -> WindowActivity:
    """AFK-filtered, categorised :class:`AwEvent` rows for one host.

    Every event is validated against ``now`` (see :func:`coerce_raw_event`); invalid ones
    become counts and :class:`Rejection` rows, never an exception. Events starting at or before
    ``since`` are left out (``before_cursor``): servers trim events that overlap the start of a
    queried range, and those rows are already stored whole. Events of no length are counted as
    ``zero_length``, a second event with the id of one already read as ``duplicate_id``, and
    events with no present second as ``afk`` (the AFK watcher said away) or ``no_afk_status``.
    """
    skipped: Counter[str] = Counter()
    rejections: list[Rejection] = []

    def read(bucket_id: str) -> list[RawEvent]:
        return coerce_raw_events(
            events_by_bucket.get(bucket_id, ()),
            skipped,
            now=now,
            bucket_id=bucket_id,
            rejections=rejections,
        )

    afk = [e for b in host.afk for e in read(b)]
    web = sorted((e for b in host.web for e in read(b)), key=lambda e: e.start)
    web_starts = [e.start for e in web]
    present, away = status_intervals(afk, "not-afk"), status_intervals(afk, "afk")
    afk_filtered = bool(host.afk)

    kept: list[tuple[str, RawEvent, float, str | None]] = []
    for bucket_id in host.window:
        seen: set[int] = set()
        for event in read(bucket_id):
            if event.id in seen:
                skipped["duplicate_id"] += 1
                rejections.append(Rejection(f"{bucket_id}/{event.id}", "duplicate_id"))
                continue
            seen.add(event.id)
            if since is not None and event.start <= since:
                skipped["before_cursor"] += 1
                continue
            seconds = (
                active_seconds(event.start, event.end, present)
                if afk_filtered
                else event.duration_s
            )
            reason = _dropped_reason(event, seconds, afk_filtered, away)
            if reason is not None:
                skipped[reason] += 1
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
        rejections=tuple(rejections),
    )


def _category_input(event: RawEvent, url: str | None) -> dict[str, Any]:
    data = {k: v for k, v in event.data.items() if k in ("app", "title") and isinstance(v, str)}
    if url:
        data["url"] = url
    return data


def category_json(category: Sequence[str]) -> str:
    """How a category path is stored: a JSON list that keeps every character as it is."""
    return json.dumps(list(category), ensure_ascii=False)
