"""The ActivityWatch export (``GET /api/0/export``): window, AFK and Firefox web buckets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from vrdndi_pipeline.demo.anchor import ANCHOR_MS, DAY, HOSTNAME, HOUR, MINUTE, SECOND, part_rng
from vrdndi_pipeline.demo.generator.activity_timeline import Timeline
from vrdndi_pipeline.demo.generator.catalogue_activity import FIREFOX_SUFFIX
from vrdndi_pipeline.demo.generator.timestamps import iso_aw


def merge_intervals(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start - merged[-1][1] < SECOND:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged if b > a]


def subtract_intervals(
    base: Sequence[tuple[int, int]], holes: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    out, j = [], 0
    for start, end in base:
        t = start
        while j < len(holes) and holes[j][1] <= t:
            j += 1
        k = j
        while k < len(holes) and holes[k][0] < end:
            if holes[k][0] > t:
                out.append((t, holes[k][0]))
            t = max(t, holes[k][1])
            k += 1
        if t < end:
            out.append((t, end))
    return [(a, b) for a, b in out if b - a >= SECOND]


def afk_periods(tl: Timeline, start_ms: int, end_ms: int) -> list[tuple[int, int, str]]:
    """Alternating not-afk / afk periods covering [start_ms, end_ms) without gaps."""
    active = subtract_intervals(merge_intervals(tl.active), merge_intervals(tl.afk))
    periods, t = [], start_ms
    for start, end in merge_intervals(active):
        if start > t:
            periods.append((t, start, "afk"))
        periods.append((start, end, "not-afk"))
        t = end
    if t < end_ms:
        periods.append((t, end_ms, "afk"))
    return periods


BUCKET_CREATED_MS = ANCHOR_MS - 431 * DAY + 8 * HOUR + 12 * MINUTE + 44_512


def _bucket(
    kind: str,
    bucket_type: str,
    client: str,
    first_id: int,
    events: Sequence[tuple[int, int, dict[str, Any]]],
) -> tuple[str, dict[str, Any]]:
    bucket_id = f"{kind}_{HOSTNAME}"
    rows = [
        {
            "id": first_id + i,
            "timestamp": iso_aw(start),
            "duration": (end - start) / 1000,
            "data": data,
        }
        for i, (start, end, data) in enumerate(events)
    ]
    rows.reverse()  # aw-server exports events newest first
    return bucket_id, {
        "id": bucket_id,
        "created": iso_aw(BUCKET_CREATED_MS),
        "name": None,
        "type": bucket_type,
        "client": client,
        "hostname": HOSTNAME,
        "data": {},
        "events": rows,
    }


def aw_export(tl: Timeline, start_ms: int, end_ms: int, seed: int) -> dict[str, Any]:
    """The document ``GET /api/0/export`` returns, for the window, AFK and web buckets."""
    rng = part_rng(seed, "web")
    window, web, tabs = [], [], 7
    for start, end, page in tl.window:
        window.append(
            (
                start,
                end,
                {"app": page.app, "title": page.title + (FIREFOX_SUFFIX if page.url else "")},
            )
        )
        if page.url is not None:
            if rng.random() < 0.12:  # tabs come and go, drifting back to about a dozen
                tabs = max(2, tabs + rng.choice((-2, -1, 1, 2)) + (tabs < 8) - (tabs > 20))
            data = {
                "url": page.url,
                "title": page.title,
                "audible": page.audible,
                "incognito": False,
                "tabCount": tabs,
            }
            web.append((start, end, data))
    afk = [(a, b, {"status": status}) for a, b, status in afk_periods(tl, start_ms, end_ms)]
    buckets = dict(
        (
            _bucket("aw-watcher-window", "currentwindow", "aw-watcher-window", 1_204_311, window),
            _bucket("aw-watcher-afk", "afkstatus", "aw-watcher-afk", 88_017, afk),
            _bucket(
                "aw-watcher-web-firefox", "web.tab.current", "aw-watcher-web-firefox", 530_902, web
            ),
        )
    )
    return {"buckets": buckets}
