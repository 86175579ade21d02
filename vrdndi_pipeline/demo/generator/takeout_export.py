"""The Google Takeout "My Activity" watch history: watches, ads, community posts, removed
videos and YouTube Music, newest first, in Takeout's JSON dialect."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from vrdndi_pipeline.demo.anchor import (
    ANCHOR_MS,
    AW_DAYS,
    DAY,
    SECOND,
    TAKEOUT_DAYS,
    TIMEZONE,
    part_rng,
)
from vrdndi_pipeline.demo.generator.catalogue_channels import POST_TEXTS
from vrdndi_pipeline.demo.generator.identifiers import digest
from vrdndi_pipeline.demo.generator.records import Catalogue, DemoChannel, DemoVideo, Watch
from vrdndi_pipeline.demo.generator.timestamps import iso_takeout, local_ms, utc

N_ADS, N_POSTS, N_REMOVED, N_MUSIC = 40, 10, 10, 8


def _channel_url(channel: DemoChannel) -> str:
    return f"https://www.youtube.com/channel/{channel.channel_id}"


def takeout_entry(video: DemoVideo, time_ms: int, *, kind: str = "watch") -> dict[str, Any]:
    """One "My Activity" item; ``kind`` is watch, ad, music or url_title (a deleted video)."""
    host = "music.youtube.com" if kind == "music" else "www.youtube.com"
    url = f"https://{host}/watch?v={video.video_id}"
    entry: dict[str, Any] = {
        "header": "YouTube Music" if kind == "music" else "YouTube",
        "title": f"Watched {url if kind == 'url_title' else video.title}",
        "titleUrl": url,
    }
    if kind != "url_title":
        entry["subtitles"] = [{"name": video.channel.title, "url": _channel_url(video.channel)}]
    if kind == "ad":
        entry["details"] = [{"name": "From Google Ads"}]
    entry["time"] = iso_takeout(time_ms)
    entry["products"] = ["YouTube"]
    entry["activityControls"] = (
        ["Web & App Activity", "YouTube watch history", "YouTube search history"]
        if kind == "ad"
        else ["YouTube watch history"]
    )
    return entry


def post_entry(channel: DemoChannel, text: str, time_ms: int) -> dict[str, Any]:
    post_id = "Ugkx" + digest("post", channel.channel_id, text, length=32)
    return {
        "header": "YouTube",
        "title": f"Viewed {text}",
        "titleUrl": f"https://www.youtube.com/post/{post_id}",
        "subtitles": [{"name": channel.title, "url": _channel_url(channel)}],
        "time": iso_takeout(time_ms),
        "products": ["YouTube"],
        "activityControls": ["YouTube watch history"],
    }


def removed_entry(time_ms: int) -> dict[str, Any]:
    return {
        "header": "YouTube",
        "title": "Watched a video that has been removed",
        "time": iso_takeout(time_ms),
        "products": ["YouTube"],
        "activityControls": ["YouTube watch history"],
    }


@dataclass(frozen=True, slots=True)
class TakeoutHistoryDoc:
    entries: list[dict[str, Any]]  # newest first
    counts: dict[str, int]
    extra_videos: tuple[DemoVideo, ...]  # ads and music tracks, which the API knows too


def takeout_history(
    watches: Sequence[Watch], catalogue: Catalogue, takeout_start: int, seed: int
) -> TakeoutHistoryDoc:
    rng, zone = part_rng(seed, "takeout"), ZoneInfo(TIMEZONE)
    deleted = {v.video_id for v in catalogue.deleted}
    stamped: list[tuple[int, dict[str, Any]]] = []
    # Takeout often remembers only the link of a video that is gone: "Watched https://..."
    link_only = {v.video_id for v in catalogue.deleted[::2]}
    for watch in watches:
        kind = "url_title" if watch.video.video_id in link_only else "watch"
        stamped.append((watch.time_ms, takeout_entry(watch.video, watch.time_ms, kind=kind)))
    ads = [v for v in catalogue.videos if v.channel.kind == "advertiser"]
    music = [v for v in catalogue.videos if v.channel.kind == "music"]
    used: dict[str, DemoVideo] = {}
    for i in sorted(rng.sample(range(len(watches)), N_ADS)):
        ad = rng.choice(ads)
        used[ad.video_id] = ad
        moment = watches[i].time_ms - rng.randint(6, 40) * SECOND
        stamped.append((moment, takeout_entry(ad, moment, kind="ad")))
    subscribed = [c for c in catalogue.channels if c.subscribed]
    for i, text in zip(sorted(rng.sample(range(len(watches)), N_POSTS)), POST_TEXTS, strict=True):
        channel = (
            watches[i].video.channel
            if watches[i].video.channel.subscribed
            else rng.choice(subscribed)
        )
        moment = watches[i].time_ms - rng.randint(60, 600) * SECOND
        stamped.append((moment, post_entry(channel, text, moment)))
    old = [w.time_ms for w in watches if w.time_ms < ANCHOR_MS - AW_DAYS * DAY]
    for moment in sorted(rng.sample(old, N_REMOVED)):
        moment -= rng.randint(120, 1800) * SECOND
        stamped.append((moment, removed_entry(moment)))
    for _ in range(N_MUSIC):  # on the phone, on the way to the office
        day = (
            (utc(takeout_start) + timedelta(days=rng.randint(1, TAKEOUT_DAYS - 1)))
            .astimezone(zone)
            .date()
        )
        day -= timedelta(days=max(0, day.weekday() - 4))
        moment = local_ms(day, rng.uniform(8.1, 8.8), zone) + rng.randint(0, 999)
        track = rng.choice(music)
        used[track.video_id] = track
        stamped.append((moment, takeout_entry(track, moment, kind="music")))
    stamped.sort(key=lambda x: -x[0])
    counts = {
        "entries": len(stamped),
        "watched_videos": len(watches),
        "ads": N_ADS,
        "community_posts": N_POSTS,
        "removed_videos": N_REMOVED,
        "youtube_music": N_MUSIC,
        "deleted_videos": len(deleted),
        "distinct_videos_watched": len({w.video.video_id for w in watches}),
    }
    extra = tuple(sorted(used.values(), key=lambda v: v.video_id))
    return TakeoutHistoryDoc([e for _, e in stamped], counts, extra)


def takeout_json(entries: Sequence[dict[str, Any]]) -> str:
    """Takeout's JSON: GSON pretty printing with HTML-safe escapes (``=`` as ``\\u003d``)."""
    text = "[" + ",".join(json.dumps(e, ensure_ascii=False, indent=2) for e in entries) + "]"
    for char in "&<>='":  # only ever inside strings in JSON text, so replacing is safe
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text
